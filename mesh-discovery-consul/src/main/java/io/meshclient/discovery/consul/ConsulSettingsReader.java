package io.meshclient.discovery.consul;

import static io.meshclient.api.ConfigurationException.problem;
import static io.meshclient.api.ConfigurationException.secretProblem;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.spi.SettingValues;
import io.meshclient.discovery.consul.ConsulDiscoverySettings.Tls;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Reads {@link ConsulDiscoverySettings} from the raw tree under {@code mesh.discovery.consul}: nested
 * maps and dotted keys alike ({@code backoff: {initial: 1s}} or {@code backoff.initial: 1s}), strings,
 * numbers and booleans. Every problem names its full key; secret values and values of unknown keys
 * (which may be misspelt secrets) are never echoed.
 */
final class ConsulSettingsReader {
  static final Set<String> KNOWN_KEYS = ConsulKeys.FLAT.keySet();

  /** Consul's variable that makes its clients take a schemeless agent address as https. */
  static final String HTTP_SSL_ENV = "CONSUL_HTTP_SSL";
  static final String SCHEMELESS_EXPECTED = "a host and port such as 127.0.0.1:8500 (as CONSUL_HTTP_ADDR), or "
      + SettingsRules.URL_EXPECTED;

  private final String prefix;
  private final UnaryOperator<String> env;
  private final Map<String, Object> values = new TreeMap<>();
  private final List<String> problems = new ArrayList<>();

  private ConsulSettingsReader(String prefix, UnaryOperator<String> env) {
    this.prefix = prefix;
    this.env = env;
  }

  /**
   * The settings in {@code tree}, whose keys are relative to {@code prefix}, with {@value #HTTP_SSL_ENV}
   * read from the process environment.
   *
   * @throws ConfigurationException listing every problem
   */
  static ConsulDiscoverySettings read(String prefix, Map<String, ?> tree) {
    return read(prefix, tree, System::getenv);
  }

  static ConsulDiscoverySettings read(String prefix, Map<String, ?> tree, UnaryOperator<String> env) {
    ConsulSettingsReader reader = new ConsulSettingsReader(prefix, env);
    reader.flatten("", tree);
    return reader.settings();
  }

  private void flatten(String path, Map<?, ?> tree) {
    for (Map.Entry<?, ?> e : tree.entrySet()) {
      String key = path + e.getKey();
      String known = SettingValues.relaxedKey(key, KNOWN_KEYS); // aclToken, ACLTOKEN from the environment...
      if (e.getValue() instanceof Map<?, ?> nested) {
        flatten(key + ".", nested);
      } else if (known == null) {
        problems.add(problem(prefix + "." + key, "unknown key", "one of " + String.join(", ", KNOWN_KEYS)
          + SettingValues.didYouMean(key, KNOWN_KEYS)));
      } else if (values.containsKey(known)) {
        problems.add(problem(prefix + "." + key, "set twice", "one spelling of " + prefix + "." + known));
      } else if (e.getValue() != null) {
        values.put(known, e.getValue());
      }
    }
  }

  private ConsulDiscoverySettings settings() {
    URI url = uri("url");
    String datacenter = string("datacenter");
    String aclToken = string("acl-token");
    Duration wait = duration("wait", ConsulDiscoverySettings.DEFAULT_WAIT);
    boolean stale = bool("stale");
    String tag = string("tag");
    Duration minInterval = duration("min-interval", ConsulDiscoverySettings.DEFAULT_MIN_INTERVAL);
    Duration backoffInitial = duration("backoff.initial", ConsulDiscoverySettings.DEFAULT_BACKOFF_INITIAL);
    Duration backoffMax = duration("backoff.max", ConsulDiscoverySettings.DEFAULT_BACKOFF_MAX);
    Tls tls = new Tls(path("tls.ca-file"), path("tls.trust-store"), secret("tls.trust-store-password"),
        path("tls.key-store"), secret("tls.key-store-password"));
    problems.addAll(SettingsRules.check(prefix, url, datacenter, aclToken, tls, wait, tag, minInterval,
        backoffInitial, backoffMax));
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return new ConsulDiscoverySettings(url, datacenter, aclToken, tls, wait, stale, tag, minInterval,
        backoffInitial, backoffMax);
  }

  /**
   * A string setting; the empty string when absent; null (and a problem) when not a scalar. A secret (the ACL
   * token, a store's password) is a string only: YAML reads an unquoted {@code 0123} as 83, {@code 1e3} as 1000.0
   * and {@code yes} as true, and a secret is never shown, so the one used would differ from the one written with
   * no message to tell.
   */
  private String string(String key) {
    Object value = values.get(key);
    if (value == null) {
      return "";
    }
    boolean secret = ConsulKeys.FLAT.get(key).isSecret();
    if (value instanceof CharSequence || (!secret && (value instanceof Number || value instanceof Boolean))) {
      return value.toString().trim();
    }
    problems.add(secret ? secretProblem(prefix + "." + key, "a string, quoted in YAML")
        : problem(prefix + "." + key, value, "a string"));
    return null;
  }

  /** A secret string setting; null when absent or empty. */
  private String secret(String key) {
    String value = string(key);
    return value == null || value.isEmpty() ? null : value;
  }

  private URI uri(String key) {
    String text = string(key);
    if (text == null) {
      return null;
    }
    if (text.isEmpty()) {
      return URI.create(ConsulDiscoverySettings.DEFAULT_URL);
    }
    String url = text;
    boolean schemeless = !text.contains("://"); // host:port, as CONSUL_HTTP_ADDR is often given
    if (schemeless && text.indexOf('@') < 0 && !SettingValues.isHostAndPort(text)) {
      // User info is refused below, unshown. Anything else but a host and port is no address but a typo
      // ("http:/127.0.0.1:8500" would read as the host "http"), refused as written.
      problems.add(problem(prefix + "." + key, SettingValues.withoutQuery(text), SCHEMELESS_EXPECTED));
      return null;
    }
    if (schemeless || text.regionMatches(true, 0, "http://", 0, 7)) {
      // As Consul's clients read it: http, or https when CONSUL_HTTP_SSL is true, which they apply to an http://
      // address too ("never revert to http if TLS was explicitly requested"): the token never goes in clear then
      String scheme = agentScheme(schemeless ? "the schemeless " : "the http:// ");
      if (scheme == null) {
        return null;
      }
      url = scheme + "://" + (schemeless ? text : text.substring(7));
    }
    try {
      return new URI(url);
    } catch (URISyntaxException e) {
      problems.add(text.contains("@") ? secretProblem(prefix + "." + key, SettingsRules.URL_EXPECTED)
          : problem(prefix + "." + key, SettingValues.withoutQuery(text), SettingsRules.URL_EXPECTED));
      return null;
    }
  }

  /**
   * The scheme Consul's own clients give an address without one, or with http: http, or https when {@value
   * #HTTP_SSL_ENV} is true as Go's {@code strconv.ParseBool} reads it; null (and a problem naming {@code which}
   * url) when it is no boolean, which Consul would only log before falling back to http.
   */
  private String agentScheme(String which) {
    String ssl = env.apply(HTTP_SSL_ENV);
    if (ssl == null || ssl.isEmpty()) {
      return "http";
    }
    return switch (ssl) {
      case "1", "t", "T", "TRUE", "true", "True" -> "https";
      case "0", "f", "F", "FALSE", "false", "False" -> "http";
      default -> {
        problems.add(problem(HTTP_SSL_ENV, ssl, "true or false, as Consul reads it, for " + which + prefix + ".url"));
        yield null;
      }
    };
  }

  private Duration duration(String key, Duration absent) {
    Object value = values.get(key);
    if (value == null) {
      return absent;
    }
    if (!(value instanceof CharSequence || value instanceof Duration)) {
      problems.add(problem(prefix + "." + key, value, SettingValues.DURATION_EXPECTED));
      return null;
    }
    return (Duration) ConsulKeys.FLAT.get(key).parse(prefix + "." + key, value, problems);
  }

  private boolean bool(String key) {
    Object value = values.get(key);
    if (value == null || Boolean.FALSE.equals(value) || "false".equals(value)) {
      return false;
    }
    if (Boolean.TRUE.equals(value) || "true".equals(value)) {
      return true;
    }
    problems.add(problem(prefix + "." + key, value, "true or false"));
    return false;
  }

  private Path path(String key) {
    String text = string(key);
    if (text == null || text.isEmpty()) {
      return null;
    }
    Path path = SettingValues.filePath(text);
    if (path == null) {
      problems.add(problem(prefix + "." + key, text, "a file path"));
    }
    return path;
  }
}
