package io.meshclient.spring.boot.client;

import io.meshclient.core.Mesh;
import java.net.URI;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.util.function.SingletonSupplier;
import reactor.core.publisher.Mono;

/**
 * Sends a request whose host the mesh manages ({@link Mesh#handles}: a service, by name or by its cluster
 * name, or a host the mesh refuses, such as a mistyped service) through the mesh ({@link
 * MeshClientHttpConnector}) and any other request through the application's own connector, untouched. The starter wraps the connectors Boot
 * makes for {@code WebClient.Builder} and reactive HTTP service groups in one of these. The service set is
 * read per request. Thread-safe.
 */
public final class MeshRoutingClientHttpConnector implements ClientHttpConnector {
  private final Supplier<Mesh> mesh;
  private final SingletonSupplier<MeshClientHttpConnector> meshConnector;
  private final SingletonSupplier<ClientHttpConnector> delegate;

  /**
   * @param mesh the mesh, asked for on the first request
   * @param delegate makes the connector for hosts that are not mesh services, on the first such request
   */
  public MeshRoutingClientHttpConnector(Supplier<Mesh> mesh, Supplier<? extends ClientHttpConnector> delegate) {
    this.mesh = Objects.requireNonNull(mesh, "mesh");
    this.meshConnector = SingletonSupplier.of(() -> new MeshClientHttpConnector(mesh.get()));
    Objects.requireNonNull(delegate, "delegate");
    this.delegate = SingletonSupplier.of(delegate::get);
  }

  @Override
  public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
      Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
    String host = MeshRoutingClientHttpRequestFactory.hostOf(uri);
    if (host != null && mesh.get().handles(host)) {
      return meshConnector.obtain().connect(method, uri, requestCallback);
    }
    return delegate.obtain().connect(method, uri, requestCallback);
  }

  /** The connector used for hosts that are not mesh services (made now if it was not yet). */
  public ClientHttpConnector delegate() {
    return delegate.obtain();
  }
}
