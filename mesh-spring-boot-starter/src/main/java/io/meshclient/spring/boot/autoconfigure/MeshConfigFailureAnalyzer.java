package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.api.ConfigurationException;
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
  private final Environment environment;

  MeshConfigFailureAnalyzer(Environment environment) {
    this.environment = environment;
  }

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ConfigurationException cause) {
    StringBuilder description = new StringBuilder("The mesh configuration is invalid:\n");
    for (String problem : cause.problems()) {
      description.append("\n    ").append(problem);
      String origin = origin(problem);
      if (origin != null) {
        description.append("\n        set in ").append(origin);
      }
    }
    return new FailureAnalysis(description.toString(),
        "Correct the mesh.* properties listed above (see the starter's configuration reference).", cause);
  }

  /** Where the key a problem starts with was set, or null. */
  private String origin(String problem) {
    int colon = problem.indexOf(": ");
    if (environment == null || colon < 0) {
      return null;
    }
    String key = problem.substring(0, colon);
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
