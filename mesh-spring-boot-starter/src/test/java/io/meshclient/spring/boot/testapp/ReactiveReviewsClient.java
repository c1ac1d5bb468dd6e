package io.meshclient.spring.boot.testapp;

import io.meshclient.spring.boot.MeshClient;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.service.annotation.GetExchange;
import reactor.core.publisher.Mono;

/** A reactive annotated client: its Mono return type puts it on a WebClient. */
@MeshClient("reviews")
public interface ReactiveReviewsClient {

  @GetExchange("/reviews/{productId}")
  Mono<Review> review(@PathVariable int productId, @RequestHeader(name = "end-user", required = false) String user);
}
