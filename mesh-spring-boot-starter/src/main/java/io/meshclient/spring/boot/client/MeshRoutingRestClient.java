package io.meshclient.spring.boot.client;

import io.meshclient.core.Mesh;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.http.HttpMethod;
import org.springframework.web.client.RestClient;

/**
 * A {@link RestClient} built by a {@link MeshRoutingRestClientBuilder}: it sends as the client it wraps, and
 * {@link #mutate} returns a {@link MeshRoutingRestClientBuilder}, so that a request factory set on the
 * mutated builder keeps the mesh as it does on the builder this client came from.
 */
final class MeshRoutingRestClient implements RestClient {
  private final RestClient delegate;
  private final Supplier<Mesh> mesh;

  MeshRoutingRestClient(RestClient delegate, Supplier<Mesh> mesh) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.mesh = Objects.requireNonNull(mesh, "mesh");
  }

  @Override
  public RequestHeadersUriSpec<?> get() {
    return delegate.get();
  }

  @Override
  public RequestHeadersUriSpec<?> head() {
    return delegate.head();
  }

  @Override
  public RequestBodyUriSpec post() {
    return delegate.post();
  }

  @Override
  public RequestBodyUriSpec put() {
    return delegate.put();
  }

  @Override
  public RequestBodyUriSpec patch() {
    return delegate.patch();
  }

  @Override
  public RequestHeadersUriSpec<?> delete() {
    return delegate.delete();
  }

  @Override
  public RequestHeadersUriSpec<?> options() {
    return delegate.options();
  }

  @Override
  public RequestBodyUriSpec method(HttpMethod method) {
    return delegate.method(method);
  }

  @Override
  public RestClient.Builder mutate() {
    return new MeshRoutingRestClientBuilder(delegate.mutate(), mesh);
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
