package io.meshclient.spring.boot.client;

import io.meshclient.core.Mesh;
import java.io.IOException;
import java.net.URI;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.util.function.SingletonSupplier;

/**
 * Sends a request whose host the mesh manages ({@link Mesh#handles}: a service, by name or by its cluster
 * name, or a host the mesh refuses) through the mesh's OkHttpClient, and any other request through the
 * application's own factory, untouched; so a single-label host that is not a mesh service is refused
 * ({@code UnknownServiceException}) unless {@code mesh.unknown-hosts} is {@code pass-through}. The starter wraps every request factory Boot builds
 * (for {@code RestClient.Builder}, {@code RestTemplateBuilder} and HTTP service groups) in one of these,
 * so {@code http://reviews/...} works from any of them while every interceptor still runs. The service
 * set is read per request, so services added by a reconfiguration are routed at once. Thread-safe.
 */
public final class MeshRoutingClientHttpRequestFactory implements ClientHttpRequestFactory {
  private final Supplier<Mesh> mesh;
  private final SingletonSupplier<ClientHttpRequestFactory> delegate;

  /**
   * @param mesh the mesh, asked for on the first request (so that building the factory does not
   *     create the mesh)
   * @param delegate the factory for hosts that are not mesh services
   */
  public MeshRoutingClientHttpRequestFactory(Supplier<Mesh> mesh, ClientHttpRequestFactory delegate) {
    this(mesh, SingletonSupplier.of(Objects.requireNonNull(delegate, "delegate")));
  }

  /**
   * @param mesh the mesh, asked for on the first request (so that building the factory does not
   *     create the mesh)
   * @param delegate creates the factory for hosts that are not mesh services, once, on the first
   *     request to such a host: a client that only calls mesh services never builds it (a JDK
   *     {@code HttpClient}, say, with its selector thread and the platform's default TLS context)
   */
  public MeshRoutingClientHttpRequestFactory(Supplier<Mesh> mesh, Supplier<ClientHttpRequestFactory> delegate) {
    this.mesh = Objects.requireNonNull(mesh, "mesh");
    this.delegate = SingletonSupplier.of(Objects.requireNonNull(delegate, "delegate"));
  }

  @Override
  public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) throws IOException {
    String host = hostOf(uri);
    if (host != null) {
      Mesh m = mesh.get();
      // a host the mesh refuses (a mistyped service, mesh.unknown-hosts) goes to the mesh too, which refuses it
      if (m.handles(host)) {
        return new OkHttpClientHttpRequest(m.httpClient(), uri, httpMethod);
      }
    }
    return delegate.obtain().createRequest(uri, httpMethod);
  }

  /**
   * {@code uri}'s host; for a name that {@link URI} takes for a registry-based authority ({@code review_s},
   * with an underscore: {@code getHost()} is null), the authority without user information and port, so that
   * the mesh judges it (and refuses it, as a name it does not know) rather than the application's client
   * resolving it by DNS.
   */
  static String hostOf(URI uri) {
    String host = uri.getHost();
    String authority = uri.getRawAuthority();
    if (host != null || authority == null) {
      return host;
    }
    String hostAndPort = authority.substring(authority.lastIndexOf('@') + 1);
    int colon = hostAndPort.lastIndexOf(':');
    String name = colon < 0 || hostAndPort.startsWith("[") ? hostAndPort : hostAndPort.substring(0, colon);
    return name.isEmpty() ? null : name;
  }

  /** The factory used for hosts that are not mesh services (built now if it was not yet). */
  public ClientHttpRequestFactory delegate() {
    return delegate.obtain();
  }
}
