package io.meshclient.spring.boot.client;

import io.meshclient.spring.boot.MeshRefusedException;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Mono;

/**
 * Makes a WebClient report the mesh's refusals as a {@link MeshRefusedException}, as RestClient does,
 * instead of a {@code WebClientRequestException} whose cause is the mesh's exception. Other failures pass
 * unchanged. Added to {@code @MeshClient} WebClients, Boot's {@code WebClient.Builder} and reactive mesh
 * service groups. Thread-safe.
 */
public final class MeshRefusalFilter implements ExchangeFilterFunction {

  @Override
  public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
    return next.exchange(request).onErrorMap(WebClientRequestException.class, e -> {
      MeshRefusedException refused = MeshRefusedException.of(e.getCause());
      return refused != null ? refused : e;
    });
  }
}
