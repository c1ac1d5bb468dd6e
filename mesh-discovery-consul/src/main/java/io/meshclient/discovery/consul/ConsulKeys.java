package io.meshclient.discovery.consul;

import static io.meshclient.api.spi.Setting.block;
import static io.meshclient.api.spi.Setting.bool;
import static io.meshclient.api.spi.Setting.duration;
import static io.meshclient.api.spi.Setting.text;

import io.meshclient.api.spi.Setting;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** The keys under {@code mesh.discovery.consul}, declared once (see {@link Setting}). */
final class ConsulKeys {
  static final Setting URL = text("url", "http://127.0.0.1:8500", "agent URL, http or https; a bare `host:port` "
      + "(as `CONSUL_HTTP_ADDR` often is) is http; with `CONSUL_HTTP_SSL` true it and an http URL are https, as "
      + "Consul's clients read them");
  static final Setting WAIT = duration("wait", "55s", Duration.ofMillis(1), Duration.ofMinutes(10),
      "blocking-query wait (read timeout is wait + wait/16 + 1s)");
  static final Setting MIN_INTERVAL = duration("min-interval", "250ms", Duration.ofMillis(1), Duration.ofMinutes(1),
      "least time between two queries of one service (a churning index cannot spin)");
  static final Setting BACKOFF_INITIAL = duration("initial", "1s", Duration.ofMillis(1), Duration.ofMinutes(10),
      "first retry delay after a failure (exponential, with jitter)");
  static final Setting BACKOFF_MAX = duration("max", "30s", Duration.ofMillis(1), Duration.ofHours(1),
      "cap of the retry delay");
  static final Setting SETTINGS = block("consul", "services watched through Consul's health API", URL,
      text("datacenter", null, "datacenter to ask (default: the agent's)"),
      text("acl-token", null, "sent only as the `X-Consul-Token` header; never in a URL, log, message or "
          + "`toString()`").secret(),
      WAIT, bool("stale", false, "allow stale reads from any server"),
      text("tag", null, "only instances with this one tag (a single tag: a comma is refused)"), MIN_INTERVAL,
      block("backoff", "retry delays after failures", BACKOFF_INITIAL, BACKOFF_MAX),
      block("tls", "TLS to an https agent",
          text("ca-file", null, "PEM CA bundle of the agent's certificate (default: JDK trust)"),
          text("trust-store", null, "PKCS12 or JKS trust store"),
          text("trust-store-password", null, "its password").secret(),
          text("key-store", null, "client certificate for agents with `verify_incoming`"),
          text("key-store-password", null, "its password").secret()));

  /** Every scalar setting by its dotted name below {@code mesh.discovery.consul}, such as {@code tls.ca-file}. */
  static final Map<String, Setting> FLAT = flatten("", SETTINGS, new TreeMap<>());

  private ConsulKeys() {}

  private static Map<String, Setting> flatten(String path, Setting block, Map<String, Setting> out) {
    block.children().forEach((name, s) -> {
      if (s.type() == Setting.Type.BLOCK) {
        flatten(path + name + ".", s, out);
      } else {
        out.put(path + name, s);
      }
    });
    return out;
  }
}
