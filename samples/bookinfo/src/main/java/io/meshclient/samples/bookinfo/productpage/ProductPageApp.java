package io.meshclient.samples.bookinfo.productpage;

import io.meshclient.samples.bookinfo.ServiceCounters;
import io.meshclient.spring.boot.MeshRefusedException;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClientException;

/**
 * Bookinfo's product page: details and reviews of the one book, fetched through the mesh with the
 * {@code @MeshClient} interfaces. Routes (80/20 v1/v3, {@code end-user: jason} to v2) are in its
 * application.yml, or in the Istio files in Istio mode. When reviews cannot answer in time, the page is
 * served without them and counted ({@code reviews.failed}, in all and by user), as Istio's productpage does.
 */
@SpringBootApplication
@RestController
public class ProductPageApp {
  private final ServiceCounters counters = new ServiceCounters();
  private final DetailsClient details;
  private final ReviewsClient reviews;

  public ProductPageApp(DetailsClient details, ReviewsClient reviews) {
    this.details = details;
    this.reviews = reviews;
  }

  /** The page as JSON; the {@code end-user} header is forwarded to reviews. */
  @GetMapping("/productpage")
  public Map<String, Object> productPage(@RequestHeader(name = "end-user", required = false) String user) {
    counters.increment("requests");
    Object shown;
    try {
      shown = reviews.reviews(0, user);
      counters.increment("reviews.ok");
    } catch (RestClientException | MeshRefusedException e) {
      // As Istio's productpage: the page still renders, without reviews (a timeout, an error answer).
      counters.increment("reviews.failed");
      counters.increment(user == null ? "reviews.failed.anonymous" : "reviews.failed.user." + user);
      shown = "Sorry, product reviews are currently unavailable for this book.";
    }
    return Map.of("details", details.details(0), "reviews", shown);
  }

  @GetMapping("/stats")
  public Map<String, Long> stats() {
    return counters.snapshot();
  }
}
