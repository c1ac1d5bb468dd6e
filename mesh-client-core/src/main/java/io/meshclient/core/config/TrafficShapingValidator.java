package io.meshclient.core.config;

import static io.meshclient.core.config.SecretKeys.problem;

import io.meshclient.api.spi.SettingValues;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The rules of {@code slow-start} and {@code locality}, each problem naming its full key, with the texts of
 * {@link TrafficShapingReader}. mesh.yaml's reader refuses most bad values as it reads them; these checks are what
 * a configuration built in Java ({@link ServiceConfig.Builder}, {@link SubsetPolicyConfig.Builder}) or translated
 * from Istio passes through, so that a value no reader would accept never reaches a balancer (a window beyond
 * {@code Duration.toNanos}'s range threw {@link ArithmeticException} out of every call).
 */
final class TrafficShapingValidator {
  private static final Duration MAX_WINDOW = Duration.ofHours(1);

  private final List<String> problems;

  TrafficShapingValidator(List<String> problems) {
    this.problems = problems;
  }

  void slowStart(String key, SlowStartConfig s) {
    if (s.window().compareTo(Duration.ofMillis(1)) < 0 || s.window().compareTo(MAX_WINDOW) > 0) {
      problems.add(problem(key + ".window", SettingValues.formatDuration(s.window()), "between 1ms and 1h"));
    }
    if (!(s.aggression() > 0 && s.aggression() <= 10)) { // NaN too
      problems.add(problem(key + ".aggression", s.aggression(), "above 0 up to 10"));
    }
    if (!(s.minWeightPercent() >= 0 && s.minWeightPercent() <= 100)) {
      problems.add(problem(key + ".min-weight-percent", s.minWeightPercent(), "from 0 up to 100"));
    }
  }

  /** What a zone or region name must be: an instance's, from its discovery, never holds a control character. */
  static final String PLACE_EXPECTED = "a zone or region name without control characters (CR, LF, tab...): no "
      + "instance's zone or region has one, so it would never match";

  /** Whether {@code name} holds a control character (C0, DEL or C1). */
  static boolean hasControl(String name) {
    return name.chars().anyMatch(Character::isISOControl);
  }

  private void place(String key, String name) {
    if (hasControl(name)) {
      problems.add(problem(key, name, PLACE_EXPECTED));
    }
  }

  void locality(String key, LocalityConfig l) {
    place(key + ".zone", l.zone());
    place(key + ".region", l.region());
    for (int i = 0; i < l.failover().size(); i++) {
      place(key + ".failover[" + i + "]", l.failover().get(i));
    }
    l.distribute().keySet().forEach(zone -> place(key + ".distribute", zone));
    l.failoverRegions().forEach((from, to) -> {
      place(key + ".failover-regions", from);
      place(key + ".failover-regions." + from, to);
    });
    boolean distribute = l.mode() == LocalityConfig.Mode.DISTRIBUTE;
    long sum = 0;
    boolean percents = true;
    for (Map.Entry<String, Integer> e : l.distribute().entrySet()) {
      Integer percent = e.getValue();
      if (percent == null || percent < 0 || percent > 100) {
        problems.add(problem(key + ".distribute." + e.getKey(), percent, "a whole percent from 0 to 100"));
        percents = false;
      } else {
        sum += percent;
      }
    }
    if (distribute && percents && (l.distribute().isEmpty() || sum != 100)) {
      problems.add(problem(key + ".distribute", l.distribute(), "zones with percents that sum to 100"));
    }
    if (distribute && !l.failover().isEmpty()) {
      problems.add(problem(key + ".failover", l.failover(), "only with mode: failover"));
    }
    if (!distribute && !l.distribute().isEmpty()) {
      problems.add(problem(key + ".distribute", l.distribute(), "only with mode: distribute"));
    }
    if (!l.failoverRegions().isEmpty() && l.region().isBlank()) {
      problems.add(problem(key + ".region", "missing", "the caller's region, which failover-regions needs"));
    }
    if (!l.failoverRegions().isEmpty() && distribute) {
      problems.add(problem(key + ".failover-regions", l.failoverRegions(), "only with mode: failover"));
    }
  }
}
