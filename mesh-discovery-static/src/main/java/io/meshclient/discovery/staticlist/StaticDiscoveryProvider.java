package io.meshclient.discovery.staticlist;

import static io.meshclient.api.ConfigurationException.problem;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.api.spi.ServiceDiscoveryProvider;
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
  static final Set<String> ROOT_KEYS = Set.of("services");
  static final Set<String> INSTANCE_KEYS = Set.of("url", "weight", "metadata", "zone", "id");
  private static final String URL_EXPECTED = "an http or https URL with a host, such as http://127.0.0.1:9081";

  @Override
  public String name() {
    return "static";
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
    Object url = map.get("url");
    URI uri = null;
    if (url == null) {
      problems.add(problem(key + ".url", "missing", URL_EXPECTED));
    } else {
      try {
        uri = new URI(url.toString().trim());
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
            || uri.getHost() == null) {
          throw new URISyntaxException(url.toString(), "not an http(s) URL with a host");
        }
      } catch (URISyntaxException e) {
        problems.add(problem(key + ".url", url, URL_EXPECTED));
      }
    }
    int weight = ServiceInstance.DEFAULT_WEIGHT;
    Object w = map.get("weight");
    if (w != null) {
      try {
        weight = Integer.parseInt(w.toString().trim());
        if (weight < 0) {
          problems.add(problem(key + ".weight", w, "a weight >= 0"));
        }
      } catch (NumberFormatException e) {
        problems.add(problem(key + ".weight", w, "a whole number >= 0"));
      }
    }
    Map<String, String> metadata = new TreeMap<>();
    Object meta = map.get("metadata");
    if (meta instanceof Map<?, ?> m) {
      m.forEach((k, v) -> metadata.put(String.valueOf(k), String.valueOf(v)));
    } else if (meta != null) {
      problems.add(problem(key + ".metadata", meta, "a block of labels such as { version: v2 }"));
    }
    if (problems.size() > before) {
      return null;
    }
    boolean secure = uri.getScheme().equalsIgnoreCase("https");
    int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    Object id = map.get("id");
    Object zone = map.get("zone");
    return new ServiceInstance(id != null ? id.toString() : host + ":" + port, service, host, port, secure, weight,
        metadata, zone != null ? zone.toString() : "");
  }

  private static void unknownKeys(String key, Map<?, ?> map, Set<String> known, List<String> problems) {
    for (Object child : map.keySet()) {
      if (!known.contains(String.valueOf(child))) {
        problems.add(problem(key + "." + child, "unknown key", "one of " + new java.util.TreeSet<>(known)));
      }
    }
  }


}
