package io.meshclient.spring.boot.typo.group;

import org.springframework.web.service.annotation.GetExchange;

/** A plain HTTP interface, imported into a service group whose name has a typo. */
public interface TypoGroupApi {

  @GetExchange("/reviews/1")
  String review();
}
