package io.meshclient.spring.boot.client;

import io.meshclient.core.Mesh;
import java.io.IOException;
import java.util.Objects;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Sends a {@code RestClient} request whose host is a mesh service through the mesh's request factory;
 * any other request goes on through the client's own chain and request factory, untouched. Added to
 * every {@code RestClient.Builder} by the starter's {@code RestClientCustomizer}, so {@code
 * http://reviews/...} works from any RestClient built by Boot. The service set is read per request, so
 * services added by a reconfiguration are routed at once. Thread-safe.
 *
 * <p>It should be the last interceptor: for mesh services it ends the chain.
 */
public final class MeshRoutingInterceptor implements ClientHttpRequestInterceptor {
  private final Mesh mesh;
  private final MeshClientHttpRequestFactory requestFactory;

  /** An interceptor sending requests for {@code mesh}'s services through {@code requestFactory}. */
  public MeshRoutingInterceptor(Mesh mesh, MeshClientHttpRequestFactory requestFactory) {
    this.mesh = Objects.requireNonNull(mesh, "mesh");
    this.requestFactory = Objects.requireNonNull(requestFactory, "requestFactory");
  }

  @Override
  public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
      throws IOException {
    String host = request.getURI().getHost();
    if (host == null || !mesh.services().contains(host)) {
      return execution.execute(request, body);
    }
    ClientHttpRequest meshRequest = requestFactory.createRequest(request.getURI(), request.getMethod());
    meshRequest.getHeaders().putAll(request.getHeaders());
    meshRequest.getAttributes().putAll(request.getAttributes());
    if (body.length > 0) {
      meshRequest.getBody().write(body);
    }
    return meshRequest.execute();
  }
}
