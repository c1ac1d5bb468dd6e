package io.meshclient.discovery.xds;

import static io.meshclient.api.ConfigurationException.problem;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshclient.api.ConfigurationException;
import io.meshclient.api.spi.Setting;
import io.meshclient.api.spi.SettingValues;
import io.meshclient.core.config.ServiceConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
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
 *       keepalive: { time: 5m, timeout: 20s }     # pings that notice a connection dead without a reset
 * }</pre>
 *
 * <p>Each service is subscribed to as the listener {@code <host>:<port>} (gRPC's naming, which istiod's
 * gRPC generator serves): a bare port means {@code <service>:<port>}. Each key is declared once, with its
 * default, range and doc, in {@code XdsKeys} ({@link XdsDiscoveryProvider#settings()}); Spring's relaxed
 * spellings are accepted, a key given twice in two spellings or an unknown key is an error, and every
 * problem is reported at once naming its full key. Immutable and thread-safe.
 */
public final class XdsSettings {
  /** gRPC's environment variable naming the bootstrap file. */
  public static final String BOOTSTRAP_ENV = "GRPC_XDS_BOOTSTRAP";
  /** gRPC's environment variable holding the bootstrap JSON itself. */
  public static final String BOOTSTRAP_CONFIG_ENV = "GRPC_XDS_BOOTSTRAP_CONFIG";

  private final Bootstrap bootstrap;
  private final Map<String, String> listeners;
  private final Duration initialWait;
  private final Duration resourceTimeout;
  private final Backoff reconnect;
  private final Keepalive keepalive;

  /** HTTP/2 keepalive of the channel to the xDS server: a ping after {@code time} quiet, answered within {@code timeout}. */
  record Keepalive(Duration time, Duration timeout) {}

  private XdsSettings(Bootstrap bootstrap, Map<String, String> listeners, Duration initialWait,
      Duration resourceTimeout, Backoff reconnect, Keepalive keepalive) {
    this.bootstrap = bootstrap;
    this.listeners = Map.copyOf(listeners);
    this.initialWait = initialWait;
    this.resourceTimeout = resourceTimeout;
    this.reconnect = reconnect;
    this.keepalive = keepalive;
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
    Reader r = new Reader(key, new TreeMap<>(), new ArrayList<>());
    r.collect("", settings == null ? Map.of() : settings);
    Map<String, String> listeners = listeners(key, r.values().get("services"), r.problems());
    Duration initialWait = (Duration) r.value("initial-wait");
    Duration resourceTimeout = (Duration) r.value("resource-timeout");
    Duration initial = (Duration) r.value("reconnect.initial");
    Double multiplier = (Double) r.value("reconnect.multiplier");
    Duration max = (Duration) r.value("reconnect.max");
    if (initial != null && max != null && max.compareTo(initial) < 0) {
      r.problems().add(problem(key + ".reconnect.max", SettingValues.formatDuration(max),
          ">= " + key + ".reconnect.initial (" + SettingValues.formatDuration(initial) + ")"));
    }
    Keepalive keepalive = new Keepalive((Duration) r.value("keepalive.time"), (Duration) r.value("keepalive.timeout"));
    Bootstrap bootstrap = bootstrap(r, env);
    if (!r.problems().isEmpty()) {
      throw new ConfigurationException(r.problems());
    }
    return new XdsSettings(bootstrap, listeners, initialWait, resourceTimeout, new Backoff(initial, multiplier, max),
        keepalive);
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

  Keepalive keepalive() {
    return keepalive;
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

  /** The bootstrap the settings name or stand in for, else the environment's; null after adding problems. */
  private static Bootstrap bootstrap(Reader r, UnaryOperator<String> env) {
    String key = r.key();
    int before = r.problems().size();
    String file = (String) r.value("bootstrap");
    String serverUri = (String) r.value("server-uri");
    String nodeId = (String) r.value("node-id");
    String cluster = (String) r.value("node-cluster");
    if (r.problems().size() > before) {
      return null;
    }
    try {
      if (file != null && serverUri != null) {
        List<String> problems = new ArrayList<>(); // a target with user info or a query is not echoed
        ServerTargets.check(key + ".server-uri", serverUri, problems);
        throw problems.isEmpty()
            ? ConfigurationException.of(key + ".server-uri", serverUri, "not set together with " + key + ".bootstrap")
            : new ConfigurationException(problems);
      }
      if (file != null) { // a path or a file: location, as Consul's and Kubernetes' file settings take
        Path path = SettingValues.filePath(file);
        if (path == null) {
          throw ConfigurationException.of(key + ".bootstrap", file, "a file path");
        }
        return BootstrapReader.readFile(key + ".bootstrap", path);
      }
      if (serverUri != null) {
        List<String> problems = new ArrayList<>();
        ServerTargets.check(key + ".server-uri", serverUri, problems);
        if (nodeId == null || nodeId.isBlank()) {
          problems.add(problem(key + ".node-id", "missing", "the node id sent to the xDS server"));
        }
        if (!problems.isEmpty()) {
          throw new ConfigurationException(problems);
        }
        return new Bootstrap(serverUri, Bootstrap.Channel.PLAINTEXT, null, Node.newBuilder().setId(nodeId)
            .setCluster(cluster == null ? "" : cluster).setUserAgentName("mesh-client").build(), false, Map.of());
      }
      String path = env.apply(BOOTSTRAP_ENV);
      if (path != null && !path.isBlank()) {
        return BootstrapReader.readFile(BOOTSTRAP_ENV, path(BOOTSTRAP_ENV, path));
      }
      String json = env.apply(BOOTSTRAP_CONFIG_ENV);
      if (json != null && !json.isBlank()) {
        return BootstrapReader.read(BOOTSTRAP_CONFIG_ENV, json);
      }
      throw ConfigurationException.of(key + ".bootstrap", "not set", "a gRPC xDS bootstrap file, "
          + key + ".server-uri, or the environment variable " + BOOTSTRAP_ENV + " or " + BOOTSTRAP_CONFIG_ENV);
    } catch (ConfigurationException e) {
      r.problems().addAll(e.problems());
      return null;
    }
  }

  private static Path path(String key, String file) {
    try {
      return Path.of(file);
    } catch (InvalidPathException e) {
      throw ConfigurationException.of(key, file, "a file path");
    }
  }

  private static final String TARGET_EXPECTED = "a port 1..65535 or host:port";

  private static Map<String, String> listeners(String key, Object services, List<String> problems) {
    Map<String, String> out = new LinkedHashMap<>();
    if (services == null) {
      return out;
    }
    if (!(services instanceof Map<?, ?> map)) {
      problems.add(problem(key + ".services", services, "a map of service name to port or host:port"));
      return out;
    }
    map.forEach((name, target) -> {
      String t = String.valueOf(target).trim();
      String k = key + ".services." + name;
      // the rule of every mesh service name (mesh.services.<name>), which the mesh applies to listed names too
      String nameProblem = ServiceConfig.nameProblem(String.valueOf(name));
      if (nameProblem != null) {
        problems.add(problem(k, name, nameProblem));
        return;
      }
      if (ServerTargets.refusedUnshown(k, t, TARGET_EXPECTED, problems)) {
        return;
      }
      int colon = t.lastIndexOf(':');
      String port = colon < 0 ? t : t.substring(colon + 1);
      String host = colon < 0 ? String.valueOf(name) : t.substring(0, colon);
      if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535
          || !SettingValues.isHost(host)) {
        problems.add(problem(k, target, TARGET_EXPECTED));
      } else {
        out.put(String.valueOf(name), host + ":" + port);
      }
    });
    return out;
  }

  /**
   * The values under {@code key} by their declared names ({@link XdsKeys#FLAT}) and the problems found.
   * Spring's relaxed spellings are read as the declared name ({@code initialWait}, {@code INITIALWAIT}),
   * in blocks too ({@code reconnect: {Initial: 5s}}, or dotted {@code reconnect.initial: 5s}): Spring's
   * Binder does that for beans, but these settings reach a provider as a raw map.
   */
  private record Reader(String key, Map<String, Object> values, List<String> problems) {
    void collect(String path, Map<?, ?> tree) {
      for (Map.Entry<?, ?> e : tree.entrySet()) {
        String given = path + e.getKey();
        String known = SettingValues.relaxedKey(given, XdsKeys.FLAT.keySet());
        String block = SettingValues.relaxedKey(given, XdsKeys.BLOCKS.keySet());
        if (block != null) {
          if (e.getValue() instanceof Map<?, ?> nested) {
            collect(given + ".", nested);
          } else if (e.getValue() != null) {
            problems.add(problem(key + "." + given, e.getValue(),
                "a map with " + String.join(", ", XdsKeys.BLOCKS.get(block).names())));
          }
        } else if (known == null) { // the value is not shown: it may be a misspelt key's secret
          problems.add(problem(key + "." + given, "unknown key", "one of " + String.join(", ", XdsKeys.FLAT.keySet())
              + SettingValues.didYouMean(given, XdsKeys.FLAT.keySet())));
        } else if (values.containsKey(known)) {
          problems.add(problem(key + "." + given, "set twice", "one spelling of " + key + "." + known));
        } else {
          values.put(known, e.getValue());
        }
      }
    }

    /** The value of {@code name} read and range-checked by its declaration, its default if absent, or null if bad. */
    Object value(String name) {
      Setting setting = Objects.requireNonNull(XdsKeys.FLAT.get(name), name);
      Object raw = values.get(name);
      if (raw != null) {
        return setting.read(key + "." + name, raw, problems);
      }
      return switch (setting.type()) {
        case DURATION -> setting.defaultDuration();
        case DECIMAL -> setting.defaultDecimal();
        default -> setting.defaultValue();
      };
    }
  }
}
