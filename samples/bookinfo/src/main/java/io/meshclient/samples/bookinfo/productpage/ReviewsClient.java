package io.meshclient.samples.bookinfo.productpage;

import io.meshclient.spring.boot.MeshClient;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.service.annotation.GetExchange;

/**
 * productpage's client of the reviews service. The {@code end-user} header it forwards is what the
 * mesh's header route matches on.
 */
@MeshClient("reviews")
public interface ReviewsClient {

  @GetExchange("/reviews/{id}")
  Reviews reviews(@PathVariable int id, @RequestHeader(name = "end-user", required = false) String user);

  /** The reviews of one product, as one version of the reviews service rendered them. */
  record Reviews(int id, String version, List<Map<String, Object>> reviews) {}
}
