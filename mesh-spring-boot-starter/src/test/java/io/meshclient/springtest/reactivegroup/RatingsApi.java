package io.meshclient.springtest.reactivegroup;

import org.springframework.web.service.annotation.GetExchange;
import reactor.core.publisher.Mono;

/** A plain reactive HTTP interface of the service group "ratings". */
public interface RatingsApi {

  @GetExchange("/ratings")
  Mono<String> ratings();
}
