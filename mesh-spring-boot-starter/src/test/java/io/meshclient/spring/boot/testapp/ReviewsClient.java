package io.meshclient.spring.boot.testapp;

import io.meshclient.spring.boot.MeshClient;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.PostExchange;

/** The annotated client under test, found by the starter's scan of the application package. */
@MeshClient("reviews")
public interface ReviewsClient {

  @GetExchange("/reviews/{productId}")
  Review review(@PathVariable int productId, @RequestHeader(name = "end-user", required = false) String user);

  @PostExchange("/reviews")
  Review post(@RequestBody Review review);
}
