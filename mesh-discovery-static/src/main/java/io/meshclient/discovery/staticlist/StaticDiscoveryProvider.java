package io.meshclient.discovery.staticlist;

import static io.meshclient.api.ConfigurationException.problem;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.api.spi.ServiceDiscoveryProvider;
import io.meshclient.api.spi.Setting;
import io.meshclient.api.spi.SettingValues;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Provides {@code static}: reads
 *
 * <pre>{@code
 * mesh.discovery.static.services:
 *   reviews:
 *     - { url: http://127.0.0.1:9081, metadata: { version: v1 } }
 *     - { url: http://127.0.0.1:9082, weight: 2, metadata: { version: v2 }, zone: a, id: reviews-2 }
 * }</pre>
 */
public final class StaticDiscoveryProvider implements ServiceDiscoveryProvider {
  static final Setting WEIGHT = Setting.integer("weight", "1", 0, 1_000_000,
      "relative weight (0 takes no weighted traffic)").expecting("a weight >= 0");
  static final Setting PORT = Setting.integer("port", null, 1, 65535, "").expecting("a port 1..65535");
  static final Setting INSTANCES = Setting.map("services", "<service>[i]", "instances per service, listed in configuration",
      Setting.text("url", null, "`http://host:port` or `https://host:port` of one instance (no port: 80, or 443 "
          + "for https); required"),
      WEIGHT, Setting.labels("metadata", "<label>", "labels such as `version: v2`, selected by subsets"),
      Setting.text("zone", null, "locality label"), Setting.text("id", "host:port", "instance id, unique in the service"));
  static final Setting SETTINGS = Setting.block("static", "instances listed in configuration", INSTANCES);
  static final Set<String> ROOT_KEYS = SETTINGS.names();
  static final Set<String> INSTANCE_KEYS = INSTANCES.names();
  private static final String URL_EXPECTED = "an http or https URL with a host, such as http://127.0.0.1:9081";

  @Override
  public String name() {
    return "static";
  }

  @Override
  public Setting settings() {
    return SETTINGS;
  }

  @Override
  public ServiceDiscovery create(DiscoveryContext context) {
    List<String> problems = new ArrayList<>();
    String key = context.configKey();
    unknownKeys(key, context.settings(), ROOT_KEYS, problems);
    StaticServiceDiscovery.Builder builder = StaticServiceDiscovery.builder();
    Object services = context.settings().get("services");
    if (services != null && !(services instanceof Map)) {
      problems.add(problem(key + ".services", services, "a block of service name to instance list"));
    } else if (services != null) {
      ((Map<?, ?>) services).forEach((name, list) -> {
        String serviceKey = key + ".services." + name;
        List<?> items = SettingValues.asList(list);
        if (items == null) {
          problems.add(problem(serviceKey, list, "a list of instances"));
          return;
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
          ServiceInstance instance = instance(serviceKey + "[" + i + "]", String.valueOf(name), items.get(i), problems);
          if (instance != null) {
            if (!ids.add(instance.id())) {
              problems.add(problem(serviceKey + "[" + i + "]", instance.id(), "an instance listed once (same id or URL)"));
            } else {
              builder.instance(instance);
            }
          }
        }
      });
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return builder.build();
  }

  private static ServiceInstance instance(String key, String service, Object raw, List<String> problems) {
    if (!(raw instanceof Map<?, ?> map)) {
      problems.add(problem(key, raw, "a block with url, and optionally weight, metadata, zone, id"));
      return null;
    }
    unknownKeys(key, map, INSTANCE_KEYS, problems);
    int before = problems.size();
    Address address = address(key + ".url", map.get("url"), problems);
    int weight = ServiceInstance.DEFAULT_WEIGHT;
    Object w = map.get("weight");
    if (w != null) {
      Integer read = (Integer) WEIGHT.read(key + ".weight", w, problems);
      weight = read != null ? read : weight;
    }
    Map<String, String> metadata = new TreeMap<>();
    Object meta = map.get("metadata");
    if (meta instanceof Map<?, ?> m) {
      m.forEach((k, v) -> {
        if (v instanceof Double || v instanceof Float || v instanceof java.math.BigDecimal) {
          // YAML reads version: 1.10 unquoted as the number 1.1: a subset selecting "1.10" would match nothing
          problems.add(problem(key + ".metadata." + k, v, "text, quoted in YAML: unquoted, 1.10 is read as the "
              + "number 1.1"));
        } else if (scalar(v)) {
          metadata.put(String.valueOf(k), String.valueOf(v));
        } else { // null (`version:` with no value), a list or a block would have become the label "null" or "[a, b]"
          problems.add(problem(key + ".metadata." + k, v == null ? "empty" : v, "a label value such as v2"));
        }
      });
    } else if (meta != null) {
      problems.add(problem(key + ".metadata", meta, "a block of labels such as { version: v2 }"));
    }
    Object id = map.get("id");
    Object zone = map.get("zone");
    if (id != null && (!scalar(id) || id.toString().isBlank())) {
      problems.add(problem(key + ".id", id, "a non-empty instance id (default: host:port)"));
    }
    if (zone != null && !scalar(zone)) {
      problems.add(problem(key + ".zone", zone, "a zone name such as us-east-1a"));
    }
    if (problems.size() > before) {
      return null;
    }
    return address.instance(id != null ? id.toString() : null, service, weight, metadata,
        zone != null ? zone.toString() : "");
  }

  /**
   * Where an instance URL points: its host (lower case, an IPv6 literal without brackets), its port (80, or 443
   * for https, when it has none) and whether it is https.
   */
  record Address(String host, int port, boolean secure) {
    /** An instance at this address; a null {@code id} is {@code host:port}. */
    ServiceInstance instance(String id, String service, int weight, Map<String, String> metadata, String zone) {
      return new ServiceInstance(id != null ? id : host + ":" + port, service, host, port, secure, weight, metadata,
          zone);
    }
  }

  /**
   * The address of the instance URL {@code url}, set at {@code key}, or null with its problems added to {@code
   * problems}: an http or https URL with a host, a port from 1 to 65535 if any, and no user info (never shown),
   * path, query or fragment.
   */
  static Address address(String key, Object url, List<String> problems) {
    if (url == null) {
      problems.add(problem(key, "missing", URL_EXPECTED));
      return null;
    }
    int before = problems.size();
    String text = url.toString().trim();
    String shown = withoutUserInfo(url.toString()); // user info may hold a password: never shown
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      problems.add(problem(key, shown, URL_EXPECTED));
      return null;
    }
    String scheme = uri.getScheme();
    // java.net.URI takes a host with '_' (reviews_v1, as Docker Compose names services) for no host at all; the
    // mesh calls it as OkHttp does, so it is read from the authority, as the discoveries read their hosts.
    // (Nor does it see user info then: the authority is read after its last '@'.)
    String authority = uri.getRawAuthority() == null ? null
        : uri.getRawAuthority().substring(uri.getRawAuthority().lastIndexOf('@') + 1);
    boolean underscored = uri.getHost() == null && authority != null && authority.indexOf('_') >= 0
        && SettingValues.isHostAndPort(authority);
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || uri.getHost() == null && !underscored) {
      boolean bareIpv6 = authority != null && !authority.startsWith("[")
          && authority.indexOf(':') != authority.lastIndexOf(':');
      problems.add(problem(key, shown, bareIpv6 ? "an IPv6 address in brackets, such as http://[::1]:9081"
          : URL_EXPECTED));
    }
    if (uri.getRawUserInfo() != null || uri.getRawAuthority() != null && uri.getRawAuthority().indexOf('@') >= 0) {
      problems.add(problem(key, shown, "a URL without user info"));
    }
    if (uri.getPort() != -1) {
      PORT.check(key, uri.getPort(), problems);
    }
    String path = uri.getRawPath();
    if ((uri.getHost() != null || underscored) && (path != null && !path.isEmpty() && !path.equals("/")
        || uri.getRawQuery() != null || uri.getRawFragment() != null)) {
      // The mesh sends each call's own path to the instance: a path here would be silently dropped.
      problems.add(problem(key, shown, "a URL without path, query or fragment: each call keeps its own path"));
    }
    if (problems.size() > before) {
      return null;
    }
    boolean secure = scheme.equalsIgnoreCase("https");
    String host = uri.getHost();
    int port = uri.getPort();
    if (underscored) { // a name, never an IPv6 literal: isHostAndPort took any ':' for the port's
      int colon = authority.indexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      port = colon < 0 ? -1 : Integer.parseInt(authority.substring(colon + 1));
    }
    host = host.toLowerCase(java.util.Locale.ROOT); // host names are case-insensitive
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new Address(host, port > 0 ? port : secure ? 443 : 80, secure);
  }

  /** A string, number or boolean: what a label, id or zone can be written as. */
  private static boolean scalar(Object value) {
    return value instanceof String || value instanceof Number || value instanceof Boolean;
  }

  /** {@code http://<redacted>@host:port} for {@code http://user:password@host:port}. */
  static String withoutUserInfo(String url) {
    int scheme = url.indexOf("://");
    int at = url.lastIndexOf('@');
    int slash = url.indexOf('/', scheme + 3);
    return scheme >= 0 && at > scheme && (slash < 0 || at < slash)
        ? url.substring(0, scheme + 3) + "<redacted>" + url.substring(at) : url;
  }

  private static void unknownKeys(String key, Map<?, ?> map, Set<String> known, List<String> problems) {
    for (Object child : map.keySet()) {
      if (!known.contains(String.valueOf(child))) {
        problems.add(problem(key + "." + child, "unknown key", "one of " + new java.util.TreeSet<>(known)
            + SettingValues.didYouMean(String.valueOf(child), known)));
      }
    }
  }


}
