package io.meshclient.spring.boot;

import io.meshclient.api.spi.SettingValues;
import io.meshclient.core.config.MeshConfig;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.env.Environment;

/**
 * The kill switch's per-service URL, {@code mesh.services.<service>.fallback-url}: the starter's key, not the
 * mesh's. {@link MeshConfigBinder} checks it with the mesh on (so that a bad one fails that start-up) and takes it
 * out of the mesh's configuration; {@link #of} reads it with the mesh off.
 */
final class FallbackUrls {
  /** {@code fallback-url} in its relaxed spellings. */
  static final Set<String> SPELLINGS = Set.of("fallback-url", "fallbackUrl", "fallback_url", "fallbackurl");

  private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(MeshConfig.PREFIX);

  private FallbackUrls() {}

  /**
   * {@code mesh.services.<service>.fallback-url}, the base URL the kill switch ({@code mesh.enabled=false})
   * calls the service at, or {@code http://<service>} when it is not set.
   *
   * @throws io.meshclient.api.ConfigurationException if it is not an http or https URL with a host and no
   *     user info, query or fragment (the user info is never shown), or if it is unset and the service's block
   *     holds a misspelling of it ({@code fallbak-url}), which nothing else reads while the mesh is off
   */
  static String of(Environment environment, String service) {
    // The service's name is one element, as the mesh reads mesh.services: "mesh.services." + service + ".fallback-url"
    // split reviews.prod in two, so mesh.services[reviews.prod].fallback-url, checked with the mesh on, was never
    // read with it off, and calls went to http://reviews.prod.
    ConfigurationPropertyName block = ROOT.append("services").append("[" + service + "]");
    Binder binder = Binder.get(environment);
    String url = binder.bind(block.append("fallback-url"), Bindable.of(String.class)).orElse(null);
    if (url == null) {
      String misspelt = misspeltFallbackUrl(binder.bind(block, Bindable.mapOf(String.class, Object.class))
          .orElse(Map.of()), "");
      if (misspelt != null) {
        // With the mesh on, the mesh's reader refuses this unknown key; with it off nothing else reads mesh.*.
        throw new io.meshclient.api.ConfigurationException(java.util.List.of(io.meshclient.api.ConfigurationException
            .problem(serviceKey(service) + "." + misspelt, "unknown key", "fallback-url, the base URL that calls to "
                + service + " go to while mesh.enabled is false")));
      }
      return "http://" + service;
    }
    String problem = problem(service, url);
    if (problem != null) {
      throw new io.meshclient.api.ConfigurationException(java.util.List.of(problem));
    }
    return url.trim();
  }

  /** Why {@code url} cannot be the service's fallback URL, naming the key; null if it can. */
  static String problem(String service, Object url) {
    String text = String.valueOf(url).trim();
    java.net.URI uri;
    try {
      uri = new java.net.URI(text);
    } catch (java.net.URISyntaxException e) {
      uri = null;
    }
    boolean userInfo = uri != null && uri.getRawUserInfo() != null;
    boolean valid = uri != null && !userInfo && SettingValues.isHttpBaseUrl(uri);
    if (valid) {
      return null;
    }
    int at = text.lastIndexOf('@');
    String shown = at > 0 ? "<redacted>" + text.substring(at) : text; // user info may hold a password
    return io.meshclient.api.ConfigurationException.problem(serviceKey(service) + ".fallback-url", shown,
        "an http or https base URL with a host, a port from 1 to 65535 if any, and without user info, query or "
            + "fragment, such as "
            + "http://reviews.internal:9080");
  }

  /** {@code mesh.services.reviews}, or {@code mesh.services[reviews.prod]} for a name that holds dots. */
  private static String serviceKey(String service) {
    return service.indexOf('.') < 0 ? "mesh.services." + service : "mesh.services[" + service + "]";
  }

  /**
   * The key of {@code block} (a service's settings, keys below {@code path}) that is {@code fallback-url} misspelt
   * ({@code fallbak-url}, {@code fallback.url}, within two edits), or null.
   */
  private static String misspeltFallbackUrl(Map<?, ?> block, String path) {
    for (Map.Entry<?, ?> e : block.entrySet()) {
      String key = path + e.getKey();
      String found = e.getValue() instanceof Map<?, ?> nested ? misspeltFallbackUrl(nested, key + ".")
          : SettingValues.didYouMean(key.replace('.', '-'), SPELLINGS).isEmpty() ? null : key;
      if (found != null) {
        return found;
      }
    }
    return null;
  }
}
