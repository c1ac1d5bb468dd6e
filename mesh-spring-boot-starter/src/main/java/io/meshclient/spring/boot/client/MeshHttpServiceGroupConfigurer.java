package io.meshclient.spring.boot.client;

import io.meshclient.core.Mesh;
import java.util.Objects;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.web.client.support.RestClientHttpServiceGroupConfigurer;

/**
 * Routes Spring Framework 7 HTTP service groups through the mesh: a group whose name is a mesh service
 * ({@code @ImportHttpServices(group = "reviews", types = ...)}) gets the mesh's request factory and,
 * unless {@code spring.http.serviceclient.<group>.base-url} is set, the base URL {@code
 * http://<group>}. Other groups are left alone.
 *
 * <p>Runs after Boot's property-based configurer (which sets every group's request factory) so that
 * the mesh's factory is the one kept.
 */
public final class MeshHttpServiceGroupConfigurer implements RestClientHttpServiceGroupConfigurer, Ordered {
  /** After Boot's {@code PropertiesRestClientHttpServiceGroupConfigurer} (highest precedence + 10). */
  public static final int ORDER = 0;

  private final Mesh mesh;
  private final MeshClientHttpRequestFactory requestFactory;
  private final Environment environment;

  /** @param environment read for {@code spring.http.serviceclient.<group>.base-url} */
  public MeshHttpServiceGroupConfigurer(Mesh mesh, MeshClientHttpRequestFactory requestFactory,
      Environment environment) {
    this.mesh = Objects.requireNonNull(mesh, "mesh");
    this.requestFactory = Objects.requireNonNull(requestFactory, "requestFactory");
    this.environment = Objects.requireNonNull(environment, "environment");
  }

  @Override
  public void configureGroups(Groups<org.springframework.web.client.RestClient.Builder> groups) {
    groups.filter(group -> mesh.services().contains(group.name())).forEachClient((group, builder) -> {
      builder.requestFactory(requestFactory);
      if (!environment.containsProperty("spring.http.serviceclient." + group.name() + ".base-url")) {
        builder.baseUrl("http://" + group.name());
      }
    });
  }

  @Override
  public int getOrder() {
    return ORDER;
  }
}
