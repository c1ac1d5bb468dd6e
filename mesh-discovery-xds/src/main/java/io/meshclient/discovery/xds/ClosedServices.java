package io.meshclient.discovery.xds;

import io.meshclient.core.config.ServiceConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * The services failed closed: those whose configuration the mesh refused when no response explains it (what is
 * left once a resource's TTL passes, what the resources accepted before the mesh was attached describe), so that
 * nothing of a response can be NACKed for it. Such a service is laid unroutable, every call failing with the
 * reason kept here, and the rest of xDS's configuration is laid; it stays closed while its mapping gives the
 * configuration refused, and is tried again once a response changes that. Confined to the xDS thread.
 */
final class ClosedServices {
  /** The client's logger: what the xDS client logs is read in one place. */
  private static final Logger LOG = Logger.getLogger(XdsClient.class.getName());

  /**
   * A service failed closed.
   *
   * @param refused the configuration the mesh refused for it
   * @param reason why its calls fail: what happened, and the mesh's refusal
   */
  record Closed(ServiceConfig refused, String reason) {}

  private Map<String, Closed> closed = Map.of();

  /** The services closed now. */
  Map<String, Closed> now() {
    return closed;
  }

  /**
   * From now on, {@code next} are the services closed: each newly closed is warned of, with its reason, and each
   * laid again logged at INFO.
   */
  void set(Map<String, Closed> next) {
    next.forEach((s, c) -> {
      if (!closed.containsKey(s)) {
        LOG.warning(() -> "xDS: calls to " + s + " fail: " + c.reason());
      }
    });
    closed.keySet().stream().filter(s -> !next.containsKey(s))
        .forEach(s -> LOG.info(() -> "xDS: the mesh took the configuration xDS describes for " + s + " again"));
    closed = Map.copyOf(next);
  }

  /** {@code service} is forgotten. */
  void forget(String service) {
    Map<String, Closed> next = new HashMap<>(closed);
    next.remove(service);
    closed = Map.copyOf(next);
  }

  /** The services closed that {@code next}, freshly mapped, still maps to the configuration refused. */
  Map<String, Closed> kept(Map<String, ServiceMapping> next) {
    Map<String, Closed> out = new HashMap<>();
    closed.forEach((s, c) -> {
      ServiceMapping m = next.get(s);
      if (m != null && m.config().equals(c.refused())) {
        out.put(s, c);
      }
    });
    return out;
  }

  /**
   * Every service closed that {@code next} maps, its new configuration taken as the one refused: when reopening
   * those {@link #kept} leaves out is refused, they stay closed, for the same reason.
   */
  Map<String, Closed> all(Map<String, ServiceMapping> next) {
    Map<String, Closed> out = new HashMap<>();
    closed.forEach((s, c) -> {
      ServiceMapping m = next.get(s);
      if (m != null) {
        out.put(s, new Closed(m.config(), c.reason()));
      }
    });
    return out;
  }

  /** Those of the services closed now that are {@code held} at their mapping in force (closed) stay closed. */
  void keepHeld(java.util.Set<String> held, Map<String, Closed> closing) {
    held.forEach(s -> {
      if (closed.containsKey(s)) {
        closing.putIfAbsent(s, closed.get(s));
      }
    });
  }

  /**
   * {@code m}, the mapping of {@code service}, failed closed: every call is unroutable (the reason is the caller's to
   * give), no instance; its subscriptions stay, so that it serves as soon as it reopens.
   */
  static ServiceMapping closedMapping(ServiceMapping m, String service, String discovery, ServiceConfig base) {
    return new ServiceMapping(ServiceMapping.unroutable(service, discovery, base), List.of(), m.described(),
        m.rdsName(), m.edsNames(), m.notes());
  }

  /**
   * The first of {@code closing} with one of the services of {@code next} it lacks that are {@code suspect} (by
   * name) closed too, at most {@value RefusalBlame#MAX_TRIED} one at a time, then all of them, that {@code lays};
   * null if none does. Each is closed with the configuration {@code next} gives it, and with {@code reason}.
   */
  static Map<String, Closed> failClosed(Map<String, Closed> closing, Map<String, ServiceMapping> next,
      Predicate<String> suspect, UnaryOperator<String> reason, Predicate<Map<String, Closed>> lays) {
    List<String> suspects = next.keySet().stream().filter(s -> !closing.containsKey(s) && suspect.test(s)).sorted()
        .toList();
    Map<String, Closed> all = new HashMap<>(closing);
    for (int i = 0; i < suspects.size(); i++) {
      String s = suspects.get(i);
      Closed c = new Closed(next.get(s).config(), reason.apply(s));
      all.put(s, c);
      if (i < RefusalBlame.MAX_TRIED) {
        Map<String, Closed> one = new HashMap<>(closing);
        one.put(s, c);
        if (lays.test(one)) {
          return one;
        }
      }
    }
    return suspects.size() > 1 && lays.test(all) ? all : null;
  }
}
