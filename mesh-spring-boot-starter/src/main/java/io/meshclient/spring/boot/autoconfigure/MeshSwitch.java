package io.meshclient.spring.boot.autoconfigure;

import io.meshclient.api.ConfigurationException;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.convert.ConversionException;
import org.springframework.core.env.PropertyResolver;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The starter's on/off properties ({@code mesh.enabled}, {@code mesh.problem-details.enabled}) read
 * strictly. Boot's {@code @ConditionalOnBooleanProperty} takes any value but {@code true} for {@code
 * false}, so {@code mesh.enabled=flase} turned the mesh off in silence and calls to {@code http://reviews}
 * left the mesh for DNS; here a value that is not a boolean fails start-up naming the key.
 */
final class MeshSwitch {
  private MeshSwitch() {}

  /**
   * The value of {@code key}, or {@code whenMissing} if it is not set.
   *
   * @throws ConfigurationException if it is set to a value that is not a boolean ({@code true}, {@code
   *     false}, or Spring's {@code on/off}, {@code yes/no}, {@code 1/0})
   */
  static boolean enabled(PropertyResolver environment, String key, boolean whenMissing) {
    String raw = environment.getProperty(key);
    if (raw == null) {
      return whenMissing;
    }
    try {
      Boolean value = raw.isBlank() ? null : environment.getProperty(key, Boolean.class);
      if (value != null) {
        return value;
      }
    } catch (ConversionException | IllegalArgumentException e) {
      // reported below, without the converter's message, which does not name the key
    }
    throw ConfigurationException.of(key, raw, "true or false");
  }

  /** Matches unless {@code mesh.enabled} is false. */
  static final class MeshOn extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return outcome(enabled(context.getEnvironment(), "mesh.enabled", true), "mesh.enabled");
    }
  }

  /** Matches when {@code mesh.enabled} is false. */
  static final class MeshOff extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return outcome(!enabled(context.getEnvironment(), "mesh.enabled", true), "mesh.enabled=false");
    }
  }

  /** Matches unless {@code mesh.problem-details.enabled} is false. */
  static final class ProblemDetailsOn extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return outcome(enabled(context.getEnvironment(), "mesh.problem-details.enabled", true),
          "mesh.problem-details.enabled");
    }
  }

  private static ConditionOutcome outcome(boolean match, String what) {
    return match ? ConditionOutcome.match(what) : ConditionOutcome.noMatch("not " + what);
  }
}
