package io.meshclient.spring.boot.typo.client;

import io.meshclient.spring.boot.MeshClient;
import org.springframework.web.service.annotation.GetExchange;

/** A client whose service name has a typo: "reviewz" for the mesh service "reviews". */
@MeshClient("reviewz")
public interface TypoClient {

  @GetExchange("/reviews/1")
  String review();
}
