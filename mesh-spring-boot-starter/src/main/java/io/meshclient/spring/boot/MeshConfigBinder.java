package io.meshclient.spring.boot;

import io.meshclient.core.config.MeshConfig;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.boot.context.properties.bind.PlaceholdersResolver;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;

/**
 * The one place where Spring properties become a mesh configuration: reads everything under {@code
 * mesh.*} from the {@link Environment} (application.yml, profiles, system properties, environment
 * variables, with Spring's relaxed names and placeholders resolved) into a raw tree of maps and scalars,
 * and hands it to {@link MeshConfig#fromMap(Map)}, the same reader and validation as mesh.yaml. There is
 * no second schema.
 *
 * <p>The tree is what Spring's {@code Binder} makes of {@code mesh} bound as a {@code Map<String,
 * Object>} (a test holds the two equal), built in one pass over the property sources instead of one
 * pass per level of nesting: a few milliseconds of start-up instead of tens. Each key takes its value
 * from the source with the highest precedence that sets it. Lists come out as maps keyed {@code 0, 1,
 * ...}, which the reader accepts, so a property source with higher precedence can override one element
 * (such as {@code mesh.services.reviews.routes[0].split.v1}) without repeating the rest.
 */
public final class MeshConfigBinder {
  /** Keys under {@code mesh} that belong to the starter and are not part of the mesh configuration. */
  public static final Set<String> STARTER_KEYS = Set.of("enabled");

  private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(MeshConfig.PREFIX);

  private MeshConfigBinder() {}

  /**
   * The validated configuration the environment holds now.
   *
   * @throws io.meshclient.api.ConfigurationException naming every bad {@code mesh.*} key
   */
  public static MeshConfig bind(Environment environment) {
    Map<String, Object> tree = tree(environment);
    STARTER_KEYS.forEach(tree::remove);
    return MeshConfig.fromMap(tree);
  }

  /** Every {@code mesh.*} property as a tree of maps (below {@code mesh}) and resolved scalar values. */
  static Map<String, Object> tree(Environment environment) {
    Objects.requireNonNull(environment, "environment");
    PlaceholdersResolver placeholders = new PropertySourcesPlaceholdersResolver(environment);
    Map<String, Object> tree = new LinkedHashMap<>();
    Set<ConfigurationPropertyName> seen = new HashSet<>();
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      if (!(source instanceof IterableConfigurationPropertySource iterable)) {
        continue; // cannot list its names (random.*): Spring's Binder cannot bind a map from it either
      }
      for (ConfigurationPropertyName name : iterable.filter(ROOT::isAncestorOf)) {
        if (!seen.add(name)) {
          continue; // set by a source with higher precedence
        }
        ConfigurationProperty property = iterable.getConfigurationProperty(name);
        Object value = property == null ? null : placeholders.resolvePlaceholders(property.getValue());
        if (value != null) {
          put(tree, name, value);
        }
      }
    }
    return tree;
  }

  @SuppressWarnings("unchecked")
  private static void put(Map<String, Object> tree, ConfigurationPropertyName name, Object value) {
    Map<String, Object> node = tree;
    int last = name.getNumberOfElements() - 1;
    for (int i = ROOT.getNumberOfElements(); i < last; i++) {
      Object child = node.computeIfAbsent(name.getElement(i, Form.ORIGINAL), k -> new LinkedHashMap<>());
      if (!(child instanceof Map)) {
        return; // a source with higher precedence set a value here, not a block
      }
      node = (Map<String, Object>) child;
    }
    node.putIfAbsent(name.getElement(last, Form.ORIGINAL), value);
  }
}
