package io.meshclient.spring.boot.client;

import io.meshclient.core.Mesh;
import java.util.Objects;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.support.WebClientHttpServiceGroupConfigurer;

/**
 * Routes reactive HTTP service groups ({@code @ImportHttpServices(group = "reviews", clientType =
 * WEB_CLIENT)}) through the mesh, as {@link MeshHttpServiceGroupConfigurer} does for RestClient groups: a
 * group named after a mesh service gets the mesh's connector, the refusal filter and, unless {@code
 * spring.http.serviceclient.<group>.base-url} is set, the base URL {@code http://<group>}; a group that is
 * neither a mesh service nor given a base URL fails the start-up.
 */
public final class MeshWebClientHttpServiceGroupConfigurer implements WebClientHttpServiceGroupConfigurer, Ordered {
  private final Mesh mesh;
  private final MeshClientHttpConnector connector;
  private final Environment environment;

  public MeshWebClientHttpServiceGroupConfigurer(Mesh mesh, MeshClientHttpConnector connector,
      Environment environment) {
    this.mesh = Objects.requireNonNull(mesh, "mesh");
    this.connector = Objects.requireNonNull(connector, "connector");
    this.environment = Objects.requireNonNull(environment, "environment");
  }

  @Override
  public void configureGroups(Groups<WebClient.Builder> groups) {
    java.util.Set<String> services = mesh.services();
    groups.forEachGroup((group, builder, proxies) -> {
      if (MeshHttpServiceGroupConfigurer.isMeshGroup(services, environment, group.name())) {
        builder.clientConnector(connector).filter(new MeshRefusalFilter());
        if (!environment.containsProperty(MeshHttpServiceGroupConfigurer.baseUrlKey(group.name()))) {
          builder.baseUrl("http://" + group.name());
        }
      }
    });
  }

  @Override
  public int getOrder() {
    return MeshHttpServiceGroupConfigurer.ORDER;
  }
}
