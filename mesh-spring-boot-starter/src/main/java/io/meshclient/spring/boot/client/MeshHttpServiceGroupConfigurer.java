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
      boolean baseUrlSet = environment.containsProperty(baseUrlKey(group.name()));
      if (!services.contains(group.name())) {
        if (!baseUrlSet) {
          throw ConfigurationException.of("HTTP service group", group.name(), "a mesh service, one of "
              + new TreeSet<>(services) + ", or " + baseUrlKey(group.name()) + " set"
              + SettingValues.didYouMean(group.name(), services));
        }
        return;
      }
      builder.requestFactory(requestFactory);
      if (!baseUrlSet) {
        builder.baseUrl("http://" + group.name());
      }
    });
  }

  private static String baseUrlKey(String group) {
    return "spring.http.serviceclient." + group + ".base-url";
  }

  @Override
  public int getOrder() {
    return ORDER;
  }
}
