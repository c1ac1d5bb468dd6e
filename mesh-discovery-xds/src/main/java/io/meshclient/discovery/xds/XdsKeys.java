package io.meshclient.discovery.xds;

import static io.meshclient.api.spi.Setting.block;
import static io.meshclient.api.spi.Setting.decimal;
import static io.meshclient.api.spi.Setting.duration;
import static io.meshclient.api.spi.Setting.labels;
import static io.meshclient.api.spi.Setting.text;

import io.meshclient.api.spi.Setting;
import io.meshclient.api.spi.SettingValues;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** The keys under {@code mesh.discovery.xds}, declared once (see {@link Setting}). */
final class XdsKeys {
  static final Setting BOOTSTRAP = text("bootstrap", null, "gRPC's xDS bootstrap file; default: the file "
      + "`$GRPC_XDS_BOOTSTRAP` names, else the JSON in `$GRPC_XDS_BOOTSTRAP_CONFIG`");
  static final Setting SERVER_URI = text("server-uri", null,
      "instead of a bootstrap: the xDS server's gRPC target, plaintext (not with `bootstrap`)");
  static final Setting NODE_ID = text("node-id", null, "with `server-uri`: the node id sent to the server; required");
  static final Setting NODE_CLUSTER = text("node-cluster", null, "with `server-uri`: the node's cluster");
  static final Setting SERVICES = labels("services", "<service>", "listener subscribed for `http://<service>/...`: "
      + "a port (`<service>:<port>`) or `host:port`; listed services are mesh services from the start");
  static final Setting INITIAL_WAIT = duration("initial-wait", "10s", Duration.ZERO, Duration.ofMinutes(5),
      "how long building the mesh waits for the listed services' first configuration");
  static final Setting RESOURCE_TIMEOUT = duration("resource-timeout", "15s", Duration.ofMillis(100),
      Duration.ofMinutes(10), "a subscribed resource not sent within this time does not exist (gRPC's timer)");
  static final Setting RECONNECT_INITIAL = duration("initial", SettingValues.formatDuration(Backoff.DEFAULT.initial()),
      Duration.ofMillis(10), Duration.ofMinutes(10), "first delay before reconnecting the ADS stream (±20% jitter)");
  static final Setting RECONNECT_MULTIPLIER = decimal("multiplier",
      SettingValues.formatDecimal(Backoff.DEFAULT.multiplier()), 1, 10, "growth of each next reconnect delay");
  static final Setting RECONNECT_MAX = duration("max", SettingValues.formatDuration(Backoff.DEFAULT.max()),
      Duration.ofMillis(10), Duration.ofHours(1), "cap of the reconnect delay; at least `reconnect.initial`");
  static final Setting RECONNECT = block("reconnect", "ADS stream reconnects; each resends the last ACKed "
      + "versions and every subscription", RECONNECT_INITIAL, RECONNECT_MULTIPLIER, RECONNECT_MAX);
  static final Setting KEEPALIVE_TIME = duration("time", SettingValues.formatDuration(Duration.ofMinutes(5)), Duration.ofSeconds(10), Duration.ofHours(2),
      "quiet time on the connection to the xDS server after which a ping checks that it is alive (gRPC's "
      + "floor: 10s)");
  static final Setting KEEPALIVE_TIMEOUT = duration("timeout", "20s", Duration.ofMillis(100), Duration.ofMinutes(10),
      "how long a ping may go unanswered before the connection is taken as dead and the ADS stream reopened");
  static final Setting KEEPALIVE = block("keepalive", "HTTP/2 pings to the xDS server, so that a connection that "
      + "died without a reset (a vanished host, a NAT or firewall that dropped it) is noticed and replaced",
      KEEPALIVE_TIME, KEEPALIVE_TIMEOUT);
  static final Setting SETTINGS = block("xds", "routes, clusters and endpoints from an xDS control plane",
      BOOTSTRAP, SERVER_URI, NODE_ID, NODE_CLUSTER, SERVICES, INITIAL_WAIT, RESOURCE_TIMEOUT, RECONNECT, KEEPALIVE);

  /** Every setting holding a value, by its dotted name below {@code mesh.discovery.xds}: {@code reconnect.max}. */
  static final Map<String, Setting> FLAT = flatten("", SETTINGS, false);
  /** Every block of settings, by its dotted name below {@code mesh.discovery.xds}: {@code reconnect}. */
  static final Map<String, Setting> BLOCKS = flatten("", SETTINGS, true);

  private XdsKeys() {}

  private static Map<String, Setting> flatten(String path, Setting block, boolean blocks) {
    Map<String, Setting> out = new TreeMap<>();
    block.children().forEach((name, s) -> {
      if (s.type() == Setting.Type.BLOCK) {
        if (blocks) {
          out.put(path + name, s);
        }
        out.putAll(flatten(path + name + ".", s, blocks));
      } else if (!blocks) {
        out.put(path + name, s);
      }
    });
    return Collections.unmodifiableMap(out);
  }
}
