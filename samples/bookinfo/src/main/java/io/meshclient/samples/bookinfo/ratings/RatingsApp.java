package io.meshclient.samples.bookinfo.ratings;

import io.meshclient.samples.bookinfo.ServiceCounters;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** Bookinfo's ratings service: stars per reviewer. It counts the calls it receives, in all and by user. */
@SpringBootApplication
@RestController
public class RatingsApp {
  private final ServiceCounters counters = new ServiceCounters();

  @GetMapping("/ratings/{id}")
  public Map<String, Object> ratings(@PathVariable int id,
      @RequestHeader(name = "end-user", required = false) String user) {
    counters.increment("requests");
    counters.increment(user == null ? "requests.anonymous" : "requests.user." + user);
    return Map.of("id", id, "ratings", Map.of("Reviewer1", 5, "Reviewer2", 4));
  }

  @GetMapping("/stats")
  public Map<String, Long> stats() {
    return counters.snapshot();
  }
}
