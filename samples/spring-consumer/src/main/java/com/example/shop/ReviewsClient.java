package com.example.shop;

import io.meshclient.spring.boot.MeshClient;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.service.annotation.GetExchange;

/** The reviews service; the mesh picks the version and the instance (see application.yml). */
@MeshClient("reviews")
public interface ReviewsClient {

  @GetExchange("/reviews/{productId}")
  Review review(@PathVariable int productId, @RequestHeader(name = "end-user", required = false) String user);

  /** A review as the reviews service returns it. */
  record Review(int productId, String version) {}
}
