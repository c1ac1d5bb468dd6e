package io.meshclient.spring.boot.client;

import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.support.WebClientAdapter;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

/**
 * {@code @MeshClient} interfaces with {@code Publisher} return types, on a WebClient from the application's
 * {@code WebClient.Builder} (its codecs and customizers) when it has one, with the mesh's connector, the
 * base URL {@code http://<service>} and the {@link MeshRefusalFilter}, through {@link WebClientAdapter}.
 * Thread-safe.
 */
public final class WebClientMeshClients implements ReactiveMeshClients {
  private final Supplier<WebClient.Builder> builders;
  private final ClientHttpConnector connector;

  /**
   * @param builders a new builder per call, such as Boot's prototype {@code WebClient.Builder} bean
   * @param connector the mesh's connector; null keeps the builder's own (the mesh is off)
   */
  public WebClientMeshClients(Supplier<WebClient.Builder> builders, ClientHttpConnector connector) {
    this.builders = Objects.requireNonNull(builders, "builders");
    this.connector = connector;
  }

  @Override
  public <T> Supplier<T> prepare(Class<T> type, String baseUrl) {
    WebClient.Builder builder = builders.get().baseUrl(baseUrl);
    if (connector != null) {
      builder.clientConnector(connector).filter(new MeshRefusalFilter());
    }
    return () -> HttpServiceProxyFactory.builderFor(WebClientAdapter.create(builder.build())).build()
        .createClient(type);
  }
}
