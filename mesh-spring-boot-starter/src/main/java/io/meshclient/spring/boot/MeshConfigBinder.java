package io.meshclient.spring.boot;

import io.meshclient.core.config.MeshConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * The one place where Spring properties become a mesh configuration: binds everything under {@code
 * mesh.*} from the {@link Environment} (application.yml, profiles, system properties, environment
 * variables, placeholders resolved) into a raw tree of maps and scalars, and hands it to {@link
 * MeshConfig#fromMap(Map)}, the same reader and validation as mesh.yaml. There is no second schema.
 *
 * <p>Lists bind as maps keyed {@code 0, 1, ...}, which the reader accepts, so a property source with
 * higher precedence can override one element (such as {@code mesh.services.reviews.routes[0].split.v1})
 * without repeating the rest.
 */
public final class MeshConfigBinder {
  /** Keys under {@code mesh} that belong to the starter and are not part of the mesh configuration. */
  public static final Set<String> STARTER_KEYS = Set.of("enabled");

  private MeshConfigBinder() {}

  /**
   * The validated configuration the environment holds now.
   *
   * @throws io.meshclient.api.ConfigurationException naming every bad {@code mesh.*} key
   */
  public static MeshConfig bind(Environment environment) {
    Objects.requireNonNull(environment, "environment");
    Map<String, Object> tree = new LinkedHashMap<>(Binder.get(environment)
        .bind(MeshConfig.PREFIX, Bindable.mapOf(String.class, Object.class))
        .orElseGet(Map::of));
    STARTER_KEYS.forEach(tree::remove);
    return MeshConfig.fromMap(tree);
  }
}
