package io.meshclient.samples.bookinfo.reviews;

import io.meshclient.samples.bookinfo.ServiceCounters;
import io.meshclient.spring.boot.MeshRefusedException;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClientResponseException;

/**
 * Bookinfo's reviews service, in three versions chosen by {@code bookinfo.version}: v1 shows no stars,
 * v2 black stars and v3 red stars, both from the ratings service. It counts the calls it receives by
 * user, and what became of its calls to ratings ({@code ratings.ok}, {@code ratings.rate-limited}: refused
 * by the mesh before any I/O, {@code ratings.status.<code>}: an error answer, {@code ratings.failed}: no
 * answer), in all and by user ({@code ratings.status.500.user.jason}).
 */
@SpringBootApplication
@RestController
public class ReviewsApp {
  private final ServiceCounters counters = new ServiceCounters();
  private final RatingsClient ratings;
  private final String version;

  public ReviewsApp(RatingsClient ratings, @Value("${bookinfo.version}") String version) {
    this.ratings = ratings;
    this.version = version;
  }

  @GetMapping("/reviews/{id}")
  public Map<String, Object> reviews(@PathVariable int id,
      @RequestHeader(name = "end-user", required = false) String user) {
    counters.increment(user == null ? "requests.anonymous" : "requests.user." + user);
    Map<String, Integer> stars = Map.of();
    String color = "v2".equals(version) ? "black" : "red";
    if (!"v1".equals(version)) {
      String outcome;
      try {
        stars = ratings.ratings(id, user).ratings();
        outcome = "ratings.ok";
      } catch (MeshRefusedException.RateLimitExceeded e) {
        outcome = "ratings.rate-limited";
      } catch (RestClientResponseException e) {
        outcome = "ratings.status." + e.getStatusCode().value(); // an error answer, e.g. an injected abort
      } catch (MeshRefusedException | ResourceAccessException e) {
        outcome = "ratings.failed";
      }
      counters.increment(outcome);
      counters.increment(outcome + (user == null ? ".anonymous" : ".user." + user));
      if (!outcome.equals("ratings.ok")) {
        color = "unavailable";
      }
    }
    return Map.of("id", id, "version", version, "reviews", List.of(
        review("Reviewer1", "An extremely entertaining play by Shakespeare.", stars.get("Reviewer1"), color),
        review("Reviewer2", "Absolutely fun and entertaining.", stars.get("Reviewer2"), color)));
  }

  private Map<String, Object> review(String reviewer, String text, Integer stars, String color) {
    return "v1".equals(version) || stars == null ? Map.of("reviewer", reviewer, "text", text)
        : Map.of("reviewer", reviewer, "text", text, "rating", Map.of("stars", stars, "color", color));
  }

  @GetMapping("/stats")
  public Map<String, Long> stats() {
    return counters.snapshot();
  }
}
