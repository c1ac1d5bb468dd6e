package io.meshclient.spring.boot.client;

import io.meshclient.core.Mesh;
import java.net.URI;
import java.util.Objects;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;

/**
 * A {@link ClientHttpRequestFactory} that sends every request through a mesh's {@link
 * OkHttpClient}, so that {@code http://reviews/...} is routed, admitted, balanced and recorded by the
 * mesh. Requests to hosts that are not mesh services pass through the same client untouched.
 *
 * <p>Spring Framework 7 removed its OkHttp factory; this one is deliberately small. Request bodies are
 * buffered (the mesh may send a request again on a failed reused connection, so bodies must be
 * replayable). A refusal by the mesh (rate limit, concurrency cap, no instance) surfaces as the mesh's
 * {@link io.meshclient.api.MeshException}, an {@link java.io.IOException}, which {@code RestClient}
 * wraps in a {@code ResourceAccessException}. Thread-safe.
 */
public final class MeshClientHttpRequestFactory implements ClientHttpRequestFactory {
  private final Supplier<OkHttpClient> client;

  /**
   * A factory over {@code mesh.httpClient()}, asked for per request: the mesh builds its client on the
   * first one, not when this factory is created.
   */
  public MeshClientHttpRequestFactory(Mesh mesh) {
    this.client = Objects.requireNonNull(mesh, "mesh")::httpClient;
  }

  /** A factory over a client derived from a mesh's client (such as one with another read timeout). */
  public MeshClientHttpRequestFactory(OkHttpClient client) {
    Objects.requireNonNull(client, "client");
    this.client = () -> client;
  }

  @Override
  public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) {
    return new OkHttpClientHttpRequest(client.get(), uri, httpMethod);
  }

  /** The client requests are sent with. */
  public OkHttpClient client() {
    return client.get();
  }
}
