package io.meshclient.spring.boot.testapp;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.service.annotation.GetExchange;

/** A plain HTTP interface in the service group "reviews", with no mesh annotation. */
public interface ReviewsGroupApi {

  @GetExchange("/reviews/{productId}")
  Review review(@PathVariable int productId);
}
