package io.meshclient.samples.bookinfo.productpage;

import io.meshclient.samples.bookinfo.ServiceCounters;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Bookinfo's product page: details and reviews of the one book, fetched through the mesh with the
 * {@code @MeshClient} interfaces. Routes (80/20 v1/v3, {@code end-user: jason} to v2) are in its
 * application.yml.
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
    return Map.of("details", details.details(0), "reviews", reviews.reviews(0, user));
  }

  @GetMapping("/stats")
  public Map<String, Long> stats() {
    return counters.snapshot();
  }
}
