package io.meshclient.spring.boot.client;

import java.util.Objects;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.core.Ordered;
import org.springframework.web.client.RestClient;

/**
 * Adds the {@link MeshRoutingInterceptor} to every {@code RestClient.Builder} Boot hands out, last, so
 * {@code http://<service>/...} goes through the mesh while other hosts keep the application's own
 * request factory.
 */
public final class MeshRestClientCustomizer implements RestClientCustomizer, Ordered {
  private final MeshRoutingInterceptor interceptor;

  /** A customizer adding {@code interceptor} to every builder. */
  public MeshRestClientCustomizer(MeshRoutingInterceptor interceptor) {
    this.interceptor = Objects.requireNonNull(interceptor, "interceptor");
  }

  @Override
  public void customize(RestClient.Builder builder) {
    builder.requestInterceptor(interceptor);
  }

  /** Lowest precedence: runs after other customizers, so the interceptor ends the chain. */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
