package io.meshclient.discovery.kubernetes;

import static io.meshclient.api.ConfigurationException.problem;
import static io.meshclient.api.ConfigurationException.secretProblem;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.spi.SettingValues;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads {@link KubernetesDiscoverySettings} from the raw tree under {@code mesh.discovery.kubernetes}, in
 * Spring's relaxed spellings too ({@code portName}, {@code PORTNAME}). Every problem names its full key; an
 * unknown key is an error listing the known ones.
 */
final class KubernetesSettingsReader {
  static final Set<String> KNOWN_KEYS = KubernetesKeys.NAMES;

  private final String prefix;
  private final Map<String, Object> values = new TreeMap<>();
  private final List<String> problems = new ArrayList<>();

  private KubernetesSettingsReader(String prefix) {
    this.prefix = prefix;
  }

  /**
   * The settings {@code tree} describes.
   *
   * @throws ConfigurationException naming every invalid or unknown key under {@code prefix}
   */
  static KubernetesDiscoverySettings read(String prefix, Map<String, Object> tree) {
    KubernetesSettingsReader reader = new KubernetesSettingsReader(prefix);
    for (Map.Entry<String, Object> e : tree.entrySet()) {
      reader.take(e.getKey(), e.getValue());
    }
    return reader.settings();
  }

  private void take(String key, Object value) {
    String known = SettingValues.relaxedKey(key, KNOWN_KEYS);
    if (known == null) {
      problems.add(problem(prefix + "." + key, "unknown key", "one of " + String.join(", ", KNOWN_KEYS)
          + SettingValues.didYouMean(key, KNOWN_KEYS)));
    } else if (values.containsKey(known)) {
      problems.add(problem(prefix + "." + key, "set twice", "one spelling of " + prefix + "." + known));
    } else if (value != null) {
      values.put(known, value);
    }
  }

  private KubernetesDiscoverySettings settings() {
    URI masterUrl = uri("master-url");
    Path kubeconfig = path("kubeconfig");
    String namespace = string("namespace");
    String portName = string("port-name");
    List<String> podLabels = labels("pod-labels");
    Duration firstSyncWait = duration(KubernetesKeys.FIRST_SYNC_WAIT);
    problems.addAll(KubernetesSettingsRules.check(prefix, masterUrl, kubeconfig, namespace, portName, podLabels,
        firstSyncWait));
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return new KubernetesDiscoverySettings(masterUrl, kubeconfig, namespace, portName, podLabels, firstSyncWait);
  }

  /** A scalar as a trimmed string; the empty string when absent; null (and a problem) when not a scalar. */
  private String string(String key) {
    Object value = values.get(key);
    if (value == null) {
      return "";
    }
    if (value instanceof CharSequence || value instanceof Number || value instanceof Boolean) {
      return value.toString().trim();
    }
    problems.add(problem(prefix + "." + key, value, "a string"));
    return null;
  }

  private URI uri(String key) {
    String text = string(key);
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      problems.add(text.contains("@") ? secretProblem(prefix + "." + key, KubernetesSettingsRules.URL_EXPECTED)
          : problem(prefix + "." + key, SettingValues.withoutQuery(text),
              KubernetesSettingsRules.URL_EXPECTED));
      return null;
    }
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

  private List<String> labels(String key) {
    Object value = values.get(key);
    if (value == null) {
      return KubernetesDiscoverySettings.DEFAULT_POD_LABELS;
    }
    if (value instanceof CharSequence text) { // pod-labels: version,app (a comma-separated property)
      List<String> keys = new ArrayList<>();
      for (String part : text.toString().split(",", -1)) {
        if (!part.isBlank()) {
          keys.add(part.trim());
        }
      }
      return keys;
    }
    List<Object> items = SettingValues.asList(value);
    if (items == null) {
      problems.add(problem(prefix + "." + key, value, "a list of label keys such as [version]"));
      return null;
    }
    List<String> keys = new ArrayList<>();
    for (Object item : items) {
      keys.add(item == null ? null : item.toString().trim());
    }
    return keys;
  }

  /** A duration as its declaration reads it (range checked by the rules, which also see built settings). */
  private Duration duration(io.meshclient.api.spi.Setting setting) {
    Object value = values.get(setting.name());
    if (value == null) {
      return setting.defaultDuration();
    }
    if (!(value instanceof CharSequence || value instanceof Duration)) {
      problems.add(problem(prefix + "." + setting.name(), value, SettingValues.DURATION_EXPECTED));
      return null;
    }
    return (Duration) setting.parse(prefix + "." + setting.name(), value, problems);
  }
}
