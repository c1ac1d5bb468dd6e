package io.meshclient.core.internal.balancer;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.spi.BalancerContext;
import io.meshclient.api.spi.SettingValues;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/** Reads and checks built-in balancers' options, naming the full key on error. */
final class BalancerOptions {
  private BalancerOptions() {}

  static void allowOnly(BalancerContext context, Set<String> known) {
    for (String option : context.options().keySet()) {
      if (!known.contains(option)) {
        throw ConfigurationException.of(context.configKey() + "." + option, "unknown option",
            known.isEmpty() ? "no options for this balancer" : "one of " + new TreeSet<>(known));
      }
    }
  }

  static Duration duration(BalancerContext context, String option, String value) {
    Duration d = SettingValues.parseDuration(value);
    if (d == null || d.isNegative() || d.isZero()) {
      throw ConfigurationException.of(context.configKey() + "." + option, value, "a positive duration such as 10s");
    }
    return d;
  }

  static int positiveInt(BalancerContext context, String option, String value, int max) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1 && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ConfigurationException.of(context.configKey() + "." + option, value, "a whole number from 1 to " + max);
  }
}
