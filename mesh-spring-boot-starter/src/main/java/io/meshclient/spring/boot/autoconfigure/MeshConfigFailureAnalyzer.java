package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.api.ConfigurationException;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * Explains a start-up that failed on an invalid mesh configuration: one line per problem, each naming
 * the full property key, the bad value and what was expected, followed by where the property was set
 * (file and line) when the environment knows. It adds no value of its own to the core's messages,
 * which never contain secret values.
 */
class MeshConfigFailureAnalyzer extends AbstractFailureAnalyzer<ConfigurationException> {
  private static final String ISTIO_FILES = "mesh.istio.files";
  private final Environment environment;

  MeshConfigFailureAnalyzer(Environment environment) {
    this.environment = environment;
  }

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ConfigurationException cause) {
    StringBuilder description = new StringBuilder("The mesh configuration is invalid:\n");
    for (String problem : cause.problems()) {
      description.append("\n    ").append(problem);
      String where = where(problem);
      if (where != null) {
        description.append("\n        ").append(where);
      }
    }
    return new FailureAnalysis(description.toString(),
        "Correct the mesh.* properties listed above (see the starter's configuration reference).", cause);
  }

  /**
   * {@code set in} where the key a problem starts with was set; for a problem in an Istio file, which
   * starts with the file's path, {@code named by} the {@code mesh.istio.files} entry naming the file and
   * where that was set; or null.
   */
  private String where(String problem) {
    int colon = problem.indexOf(": ");
    if (environment == null || colon < 0) {
      return null;
    }
    String key = problem.substring(0, colon);
    List<String> files;
    try {
      files = Binder.get(environment).bind(ISTIO_FILES, Bindable.listOf(String.class)).orElse(List.of());
    } catch (RuntimeException unbound) {
      files = List.of();
    }
    for (int i = 0; i < files.size(); i++) {
      String file = files.get(i).trim();
      if (!file.isEmpty() && isIn(key, file)) {
        String entry = ISTIO_FILES + "[" + i + "]";
        String where = origin(entry);
        where = where != null ? where : origin(ISTIO_FILES); // a comma-separated value
        return "named by " + entry + (where == null ? "" : ", set in " + where);
      }
    }
    String origin = origin(key);
    return origin == null ? null : "set in " + origin;
  }

  /** Whether {@code key} names {@code file}, or a file under it (a directory of resources). */
  private static boolean isIn(String key, String file) {
    try {
      return Path.of(key).startsWith(Path.of(file));
    } catch (RuntimeException notAPath) {
      return false;
    }
  }

  /** Where {@code key} (or the block it names) was set, or null. */
  private String origin(String key) {
    ConfigurationPropertyName name;
    try { // a relaxed spelling (loadBalancer) is not a valid canonical name, but Spring adapts it
      name = ConfigurationPropertyName.isValid(key) ? ConfigurationPropertyName.of(key)
          : ConfigurationPropertyName.adapt(key, '.');
    } catch (RuntimeException notAName) {
      return null;
    }
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      ConfigurationProperty property = source.getConfigurationProperty(name);
      if (property != null && property.getOrigin() != null) {
        return property.getOrigin().toString();
      }
    }
    // a block (an unknown block, a refused service name, a split): where its first setting was set
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      if (source instanceof IterableConfigurationPropertySource iterable) {
        for (ConfigurationPropertyName child : iterable.filter(name::isAncestorOf)) {
          ConfigurationProperty property = iterable.getConfigurationProperty(child);
          if (property != null && property.getOrigin() != null) {
            return property.getOrigin().toString();
          }
        }
      }
    }
    return null;
  }
}
