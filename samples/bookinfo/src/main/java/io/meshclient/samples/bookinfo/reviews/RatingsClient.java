package io.meshclient.samples.bookinfo.reviews;

import io.meshclient.spring.boot.MeshClient;
import java.util.Map;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.service.annotation.GetExchange;

/**
 * reviews v2 and v3 ask ratings for stars, through the mesh (with its rate limit). The {@code end-user}
 * header is forwarded, as Istio's Bookinfo does, so routes and faults for one user apply to ratings too.
 */
@MeshClient("ratings")
public interface RatingsClient {

  /** {@code {"id": 0, "ratings": {"Reviewer1": 5, ...}}}. */
  @GetExchange("/ratings/{id}")
  Ratings ratings(@PathVariable int id, @RequestHeader(name = "end-user", required = false) String user);

  /** The ratings of one product. */
  record Ratings(int id, Map<String, Integer> ratings) {}
}
