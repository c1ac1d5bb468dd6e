package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.client.MeshClientHttpRequestFactory;
import io.meshclient.spring.boot.client.MeshRoutingClientHttpRequestFactory;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.client.RestTemplate;

/**
 * The last customizer of Boot's {@code RestTemplateBuilder}: it wraps whatever request factory the template
 * was given ({@code requestFactory(...)} on the builder, a {@code RestTemplateCustomizer} bean's {@code
 * setRequestFactory(...)}) in a {@link MeshRoutingClientHttpRequestFactory}, so hosts the mesh manages go
 * through the mesh and other hosts through that factory.
 */
final class MeshRestTemplateRouting implements RestTemplateCustomizer {
  private final Supplier<Mesh> mesh;

  MeshRestTemplateRouting(Supplier<Mesh> mesh) {
    this.mesh = mesh;
  }

  @Override
  public void customize(RestTemplate template) {
    List<ClientHttpRequestInterceptor> interceptors = List.copyOf(template.getInterceptors());
    // with interceptors, getRequestFactory() answers a factory that intercepts, around the one that was set
    template.setInterceptors(List.of());
    ClientHttpRequestFactory factory = template.getRequestFactory();
    if (!(factory instanceof MeshRoutingClientHttpRequestFactory || factory instanceof MeshClientHttpRequestFactory)) {
      template.setRequestFactory(new MeshRoutingClientHttpRequestFactory(mesh, factory));
    }
    template.setInterceptors(interceptors);
  }
}
