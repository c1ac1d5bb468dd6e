package io.meshclient.discovery.kubernetes;

import static io.meshclient.api.ConfigurationException.problem;
import static io.meshclient.api.ConfigurationException.secretProblem;

import io.meshclient.api.spi.SettingValues;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The value rules of {@link KubernetesDiscoverySettings}, shared by its constructor and the configuration
 * reader. A null value is skipped: the reader passes null for values it already reported.
 */
final class KubernetesSettingsRules {
  static final String URL_EXPECTED =
      "an http or https URL with a host, a port from 1 to 65535 if any, and no user info, query or fragment";
  /** RFC 1123 label, as Kubernetes names namespaces. */
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  /** An IANA_SVC_NAME, as Kubernetes names ports. */
  private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?");
  /** A label key: optional DNS prefix, '/', and a name of up to 63 characters. */
  private static final Pattern LABEL_KEY = Pattern.compile(
      "([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
  private static final int MAX_POD_LABELS = 16;
  /** What {@link #NAMESPACE} allows: an RFC 1123 label. */
  private static final int MAX_NAMESPACE_LENGTH = 63;

  private KubernetesSettingsRules() {}

  static List<String> check(String key, URI masterUrl, Path kubeconfig, String namespace, String portName,
      List<String> podLabels, Duration firstSyncWait) {
    List<String> problems = new ArrayList<>();
    if (masterUrl != null) {
      checkUrl(key + ".master-url", masterUrl, problems);
    }
    if (kubeconfig != null && !(Files.isRegularFile(kubeconfig) && Files.isReadable(kubeconfig))) {
      problems.add(problem(key + ".kubeconfig", kubeconfig, "a readable file"));
    }
    if (namespace != null && !namespace.isEmpty() && !NAMESPACE.matcher(namespace).matches()) {
      problems.add(problem(key + ".namespace", namespace, namespace.length() > MAX_NAMESPACE_LENGTH
          ? "a namespace name of at most " + MAX_NAMESPACE_LENGTH + " characters"
          : "a namespace name (lower-case letters, digits, '-')"));
    }
    if (portName != null && !portName.isEmpty()
        && !(PORT_NAME.matcher(portName).matches() && portName.chars().anyMatch(Character::isLetter))) {
      // a number is no port name (Kubernetes names need a letter): it would match no slice, and every call fail
      problems.add(problem(key + ".port-name", portName,
          "a port name (up to 15 lower-case letters, digits, '-', at least one letter)"
              + (portName.chars().allMatch(Character::isDigit) ? ", not a port number" : "")));
    }
    if (podLabels != null) {
      if (podLabels.size() > MAX_POD_LABELS) {
        problems.add(problem(key + ".pod-labels", podLabels, "at most " + MAX_POD_LABELS + " label keys"));
      }
      HashSet<String> seen = new HashSet<>();
      for (int i = 0; i < podLabels.size(); i++) {
        String label = podLabels.get(i);
        if (label == null || !LABEL_KEY.matcher(label).matches()) {
          problems.add(problem(key + ".pod-labels[" + i + "]", label, "a label key such as version or app.kubernetes.io/version"));
        } else if (!seen.add(label)) {
          problems.add(problem(key + ".pod-labels[" + i + "]", label, "each label key once"));
        }
      }
    }
    if (firstSyncWait != null) { // the range is the declaration's, as the reference table shows it
      KubernetesKeys.FIRST_SYNC_WAIT.check(key + "." + KubernetesKeys.FIRST_SYNC_WAIT.name(), firstSyncWait, problems);
    }
    return problems;
  }

  private static void checkUrl(String key, URI url, List<String> problems) {
    if (url.getRawUserInfo() != null) {
      problems.add(secretProblem(key, "a URL without user info; credentials come from the service account or kubeconfig"));
      return;
    }
    if (!SettingValues.isHttpBaseUrl(url)) {
      problems.add(problem(key, SettingValues.withoutQuery(url.toString()), URL_EXPECTED));
    }
  }
}
