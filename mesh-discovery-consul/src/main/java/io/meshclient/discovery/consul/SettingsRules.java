package io.meshclient.discovery.consul;

import io.meshclient.api.spi.SettingValues;
import static io.meshclient.api.ConfigurationException.problem;
import static io.meshclient.api.ConfigurationException.secretProblem;

import io.meshclient.discovery.consul.ConsulDiscoverySettings.Tls;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The value rules of {@link ConsulDiscoverySettings}, shared by its constructor and by the
 * configuration reader (which names keys under its own prefix). A null value is skipped: the reader
 * passes null for values it already reported as unreadable.
 */
final class SettingsRules {
  static final String URL_EXPECTED =
      "an http or https URL with a host, a port from 1 to 65535 if any, and no query or fragment, "
          + "such as http://127.0.0.1:8500";
  private static final Pattern DATACENTER = Pattern.compile("[A-Za-z0-9._-]+");

  private SettingsRules() {}

  static List<String> check(String key, URI url, String datacenter, String aclToken, Tls tls,
      Duration wait, String tag, Duration minInterval, Duration backoffInitial, Duration backoffMax) {
    List<String> problems = new ArrayList<>();
    if (url != null) {
      checkUrl(key + ".url", url, problems);
    }
    if (datacenter != null && !datacenter.isEmpty() && !DATACENTER.matcher(datacenter).matches()) {
      problems.add(problem(key + ".datacenter", datacenter, "letters, digits, '.', '_' or '-'"));
    }
    if (aclToken != null && !isHeaderSafe(aclToken)) {
      problems.add(secretProblem(key + ".acl-token", "a token without whitespace or control characters"));
    }
    if (tag != null && !tag.isEmpty() && tag.isBlank()) {
      problems.add(problem(key + ".tag", "'" + tag + "'", "a tag that is not blank"));
    } else if (tag != null && tag.indexOf(',') >= 0) {
      // Where the mesh takes a list as one comma-separated value, this is no list: Consul would look for one tag
      // spelt with the comma, which no instance has, and the service would have no instance, with no message.
      problems.add(problem(key + ".tag", tag, "one tag, without a comma: Consul filters on a single tag"));
    }
    checkRange(key + ".wait", ConsulKeys.WAIT, wait, problems);
    checkRange(key + ".min-interval", ConsulKeys.MIN_INTERVAL, minInterval, problems);
    checkRange(key + ".backoff.initial", ConsulKeys.BACKOFF_INITIAL, backoffInitial, problems);
    if (backoffMax != null) {
      if (backoffInitial != null && backoffMax.compareTo(backoffInitial) < 0) {
        problems.add(problem(key + ".backoff.max", SettingValues.formatDuration(backoffMax),
            "at least backoff.initial, " + SettingValues.formatDuration(backoffInitial)));
      } else {
        checkRange(key + ".backoff.max", ConsulKeys.BACKOFF_MAX, backoffMax, problems);
      }
    }
    if (tls != null) {
      checkTls(key + ".tls", tls, url, problems);
    }
    return problems;
  }

  private static void checkUrl(String key, URI url, List<String> problems) {
    if (url.getRawUserInfo() != null) {
      // User info may hold a password: never echo it.
      problems.add(secretProblem(key, "a URL without user info; put the token in acl-token"));
      return;
    }
    if (!SettingValues.isHttpBaseUrl(url)) {
      problems.add(problem(key, SettingValues.withoutQuery(url.toString()), URL_EXPECTED));
    }
  }

  private static void checkTls(String key, Tls tls, URI url, List<String> problems) {
    if (!tls.isConfigured()) {
      return;
    }
    if (url != null && !"https".equalsIgnoreCase(url.getScheme())) {
      problems.add(problem(key, "set for " + url, "TLS settings only with an https url"));
    }
    if (tls.caFile() != null && tls.trustStore() != null) {
      problems.add(problem(key + ".ca-file", tls.caFile(), "either ca-file or trust-store, not both"));
    }
    checkReadable(key + ".ca-file", tls.caFile(), problems);
    checkReadable(key + ".trust-store", tls.trustStore(), problems);
    checkReadable(key + ".key-store", tls.keyStore(), problems);
    if (tls.trustStorePassword() != null && tls.trustStore() == null) {
      problems.add(secretProblem(key + ".trust-store-password", "only together with tls.trust-store"));
    }
    if (tls.keyStorePassword() != null && tls.keyStore() == null) {
      problems.add(secretProblem(key + ".key-store-password", "only together with tls.key-store"));
    }
  }

  private static void checkReadable(String key, Path file, List<String> problems) {
    if (file != null && !(Files.isRegularFile(file) && Files.isReadable(file))) {
      problems.add(problem(key, file, "a readable file"));
    }
  }

  private static void checkRange(String key, io.meshclient.api.spi.Setting setting, Duration value,
      List<String> problems) {
    if (value != null) {
      setting.check(key, value, problems);
    }
  }

  /** Whether {@code value} can travel as an HTTP header value unchanged. */
  private static boolean isHeaderSafe(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }
}
