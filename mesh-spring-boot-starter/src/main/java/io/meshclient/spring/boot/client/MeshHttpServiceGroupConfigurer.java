package io.meshclient.spring.boot.client;

import io.meshclient.core.Mesh;
import io.meshclient.api.ConfigurationException;
import io.meshclient.api.spi.SettingValues;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.web.client.support.RestClientHttpServiceGroupConfigurer;

/**
 * Routes Spring Framework 7 HTTP service groups through the mesh: a group whose name is a mesh service
 * ({@code @ImportHttpServices(group = "reviews", types = ...)}) gets the mesh's request factory and,
 * unless {@code spring.http.serviceclient.<group>.base-url} is set, the base URL {@code
 * http://<group>}. Another group must have its own {@code spring.http.serviceclient.<group>.base-url}:
 * a group that is neither a mesh service nor given a base URL fails the start-up, naming it (a typo in a
 * group name would otherwise send its calls to {@code http://<typo>} through DNS, bypassing the mesh).
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
    Set<String> services = mesh.services();
    // One pass: Groups.filter may narrow the Groups it is called on rather than return a new view.
    groups.forEachGroup((group, builder, proxies) -> {
      if (isMeshGroup(services, environment, group.name())) {
        builder.requestFactory(requestFactory);
        if (!environment.containsProperty(baseUrlKey(group.name()))) {
          builder.baseUrl("http://" + group.name());
        }
      }
    });
  }

  /**
   * Whether the group {@code name} is a mesh service; a group that is neither that nor given its own base
   * URL is a typo or a service the mesh does not know, and fails the start-up naming it.
   */
  static boolean isMeshGroup(Set<String> services, Environment environment, String name) {
    if (services.contains(name)) {
      return true;
    }
    if (!environment.containsProperty(baseUrlKey(name))) {
      throw ConfigurationException.of("HTTP service group", name, "a mesh service, one of "
          + new TreeSet<>(services) + ", or " + baseUrlKey(name) + " set" + SettingValues.didYouMean(name, services));
    }
    return false;
  }

  static String baseUrlKey(String group) {
    return "spring.http.serviceclient." + group + ".base-url";
  }

  @Override
  public int getOrder() {
    return ORDER;
  }
}
