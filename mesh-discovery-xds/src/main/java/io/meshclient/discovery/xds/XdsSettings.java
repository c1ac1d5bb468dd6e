package io.meshclient.discovery.xds;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.spi.SettingValues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The settings of the {@code xds} discovery, under {@code mesh.discovery.xds}:
 *
 * <pre>{@code
 * mesh:
 *   discovery:
 *     xds:
 *       bootstrap: /etc/istio/proxy/grpc-bootstrap.json   # else $GRPC_XDS_BOOTSTRAP, $GRPC_XDS_BOOTSTRAP_CONFIG
 *       # or, without a bootstrap: server-uri: 127.0.0.1:15010, node-id: ..., node-cluster: ...
 *       services: { reviews: 9080, ratings: ratings.default.svc.cluster.local:9080 }
 *       initial-wait: 10s          # how long building the mesh waits for the services' first configuration
 *       resource-timeout: 15s      # a subscribed resource not sent within this time does not exist
 *       reconnect: { initial: 1s, multiplier: 1.6, max: 120s }
 * }</pre>
 *
 * <p>Each service is subscribed to as the listener {@code <host>:<port>} (gRPC's naming, which istiod's
 * gRPC generator serves): a bare port means {@code <service>:<port>}. Immutable and thread-safe.
 */
public final class XdsSettings {
  /** gRPC's environment variable naming the bootstrap file. */
  public static final String BOOTSTRAP_ENV = "GRPC_XDS_BOOTSTRAP";
  /** gRPC's environment variable holding the bootstrap JSON itself. */
  public static final String BOOTSTRAP_CONFIG_ENV = "GRPC_XDS_BOOTSTRAP_CONFIG";

  private static final Set<String> KEYS = Set.of("bootstrap", "server-uri", "node-id", "node-cluster",
      "services", "initial-wait", "resource-timeout", "reconnect");

  private final Bootstrap bootstrap;
  private final Map<String, String> listeners;
  private final Duration initialWait;
  private final Duration resourceTimeout;
  private final Backoff reconnect;

  private XdsSettings(Bootstrap bootstrap, Map<String, String> listeners, Duration initialWait,
      Duration resourceTimeout, Backoff reconnect) {
    this.bootstrap = bootstrap;
    this.listeners = Map.copyOf(listeners);
    this.initialWait = initialWait;
    this.resourceTimeout = resourceTimeout;
    this.reconnect = reconnect;
  }

  /**
   * Reads the settings, and the bootstrap they point to, from the process environment.
   *
   * @param configKey the settings' full key, such as {@code mesh.discovery.xds}
   * @throws ConfigurationException naming every bad key
   */
  public static XdsSettings read(String configKey, Map<String, Object> settings) {
    return read(configKey, settings, System::getenv);
  }

  static XdsSettings read(String key, Map<String, Object> settings, UnaryOperator<String> env) {
    Objects.requireNonNull(key, "key");
    Map<String, Object> s = settings == null ? Map.of() : settings;
    List<String> problems = new ArrayList<>();
    for (String k : s.keySet()) {
      if (SettingValues.relaxedKey(k, KEYS) == null) {
        problems.add(ConfigurationException.problem(key + "." + k, "unknown key", "one of " + new java.util.TreeSet<>(KEYS)));
      }
    }
    Map<String, String> listeners = listeners(key, value(s, "services"), problems);
    Duration initialWait = duration(key + ".initial-wait", value(s, "initial-wait"), Duration.ofSeconds(10),
        Duration.ZERO, Duration.ofMinutes(5), problems);
    Duration resourceTimeout = duration(key + ".resource-timeout", value(s, "resource-timeout"),
        Duration.ofSeconds(15), Duration.ofMillis(100), Duration.ofMinutes(10), problems);
    Backoff reconnect = backoff(key + ".reconnect", value(s, "reconnect"), problems);
    Bootstrap bootstrap = null;
    try {
      bootstrap = bootstrap(key, s, env);
    } catch (ConfigurationException e) {
      problems.addAll(e.problems());
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return new XdsSettings(bootstrap, listeners, initialWait, resourceTimeout, reconnect);
  }

  /** Service name to the listener name subscribed for it ({@code <host>:<port>}). */
  public Map<String, String> listeners() {
    return listeners;
  }

  /** How long building the mesh waits for the listed services' first configuration; default 10 s. */
  public Duration initialWait() {
    return initialWait;
  }

  /** How long a subscribed resource may go unsent before it is taken not to exist; default 15 s. */
  public Duration resourceTimeout() {
    return resourceTimeout;
  }

  /** The xDS server's gRPC target. */
  public String serverUri() {
    return bootstrap.serverUri();
  }

  /** The node id sent to the server. */
  public String nodeId() {
    return bootstrap.node().getId();
  }

  Bootstrap bootstrap() {
    return bootstrap;
  }

  Backoff reconnect() {
    return reconnect;
  }

  /** Shows the server, node and services; never token or key contents. */
  @Override
  public String toString() {
    return "XdsSettings{server=" + bootstrap.serverUri() + ", channel=" + bootstrap.channel()
        + ", node=" + bootstrap.node().getId() + ", listeners=" + listeners + "}";
  }

  private static Bootstrap bootstrap(String key, Map<String, Object> s, UnaryOperator<String> env) {
    Object file = value(s, "bootstrap");
    Object serverUri = value(s, "server-uri");
    if (file != null && serverUri != null) {
      throw ConfigurationException.of(key + ".server-uri", serverUri, "not set together with " + key + ".bootstrap");
    }
    if (file != null) {
      return BootstrapReader.readFile(key + ".bootstrap", Path.of(String.valueOf(file)));
    }
    if (serverUri != null) {
      Object nodeId = value(s, "node-id");
      if (nodeId == null || String.valueOf(nodeId).isBlank()) {
        throw ConfigurationException.of(key + ".node-id", "missing", "the node id sent to the xDS server");
      }
      Object cluster = value(s, "node-cluster");
      return new Bootstrap(String.valueOf(serverUri), Bootstrap.Channel.PLAINTEXT, null,
          io.envoyproxy.envoy.config.core.v3.Node.newBuilder().setId(String.valueOf(nodeId))
              .setCluster(cluster == null ? "" : String.valueOf(cluster)).setUserAgentName("mesh-client").build(),
          false, Map.of());
    }
    String path = env.apply(BOOTSTRAP_ENV);
    if (path != null && !path.isBlank()) {
      return BootstrapReader.readFile(BOOTSTRAP_ENV, Path.of(path));
    }
    String json = env.apply(BOOTSTRAP_CONFIG_ENV);
    if (json != null && !json.isBlank()) {
      return BootstrapReader.read(BOOTSTRAP_CONFIG_ENV, json);
    }
    throw ConfigurationException.of(key + ".bootstrap", "not set", "a gRPC xDS bootstrap file, "
        + key + ".server-uri, or the environment variable " + BOOTSTRAP_ENV + " or " + BOOTSTRAP_CONFIG_ENV);
  }

  private static Map<String, String> listeners(String key, Object services, List<String> problems) {
    Map<String, String> out = new LinkedHashMap<>();
    if (services == null) {
      return out;
    }
    if (!(services instanceof Map<?, ?> map)) {
      problems.add(ConfigurationException.problem(key + ".services", services, "a map of service name to port or host:port"));
      return out;
    }
    map.forEach((name, target) -> {
      String t = String.valueOf(target).trim();
      String k = key + ".services." + name;
      int colon = t.lastIndexOf(':');
      String port = colon < 0 ? t : t.substring(colon + 1);
      String host = colon < 0 ? String.valueOf(name) : t.substring(0, colon);
      if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535 || host.isEmpty()) {
        problems.add(ConfigurationException.problem(k, target, "a port 1..65535 or host:port"));
      } else {
        out.put(String.valueOf(name), host + ":" + port);
      }
    });
    return out;
  }

  private static Backoff backoff(String key, Object value, List<String> problems) {
    if (value == null) {
      return Backoff.DEFAULT;
    }
    if (!(value instanceof Map<?, ?> map)) {
      problems.add(ConfigurationException.problem(key, value, "a map with initial, multiplier, max"));
      return Backoff.DEFAULT;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) map;
    for (String k : m.keySet()) {
      if (SettingValues.relaxedKey(k, Set.of("initial", "multiplier", "max")) == null) {
        problems.add(ConfigurationException.problem(key + "." + k, "unknown key", "one of [initial, max, multiplier]"));
      }
    }
    Duration initial = duration(key + ".initial", m.get("initial"), Backoff.DEFAULT.initial(),
        Duration.ofMillis(10), Duration.ofMinutes(10), problems);
    Duration max = duration(key + ".max", m.get("max"), Backoff.DEFAULT.max(),
        Duration.ofMillis(10), Duration.ofHours(1), problems);
    double multiplier = Backoff.DEFAULT.multiplier();
    Object mult = m.get("multiplier");
    if (mult != null) {
      try {
        multiplier = Double.parseDouble(String.valueOf(mult));
      } catch (NumberFormatException e) {
        multiplier = Double.NaN;
      }
      if (!(multiplier >= 1 && multiplier <= 10)) {
        problems.add(ConfigurationException.problem(key + ".multiplier", mult, "a number from 1 to 10"));
        multiplier = Backoff.DEFAULT.multiplier();
      }
    }
    if (max.compareTo(initial) < 0) {
      problems.add(ConfigurationException.problem(key + ".max", SettingValues.formatDuration(max),
          ">= " + key + ".initial (" + SettingValues.formatDuration(initial) + ")"));
    }
    return new Backoff(initial, multiplier, max);
  }

  private static Duration duration(String key, Object value, Duration dflt, Duration min, Duration max,
      List<String> problems) {
    if (value == null) {
      return dflt;
    }
    Duration d = value instanceof Duration given ? given : SettingValues.parseDuration(String.valueOf(value));
    if (d == null) {
      problems.add(ConfigurationException.problem(key, value, SettingValues.DURATION_EXPECTED));
      return dflt;
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      problems.add(ConfigurationException.problem(key, value, SettingValues.formatDuration(min) + " to "
          + SettingValues.formatDuration(max)));
      return dflt;
    }
    return d;
  }

  private static Object value(Map<String, Object> s, String key) {
    String actual = SettingValues.relaxedKey(key, s.keySet());
    return actual == null ? null : s.get(actual);
  }
}
