package io.meshclient.core.config;

import io.meshclient.core.internal.istio.IstioLabels;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How Istio resources (VirtualService, DestinationRule, ServiceEntry) are read: which namespace short
 * host names belong to, the cluster's DNS domain, whether a file with fields the mesh does not implement
 * is refused, and how often the files are checked for changes.
 *
 * <p>{@code reviews}, {@code reviews.default} and {@code reviews.default.svc.cluster.local} name the same
 * service when the namespace is {@code default} and the domain {@code cluster.local}; a host in another
 * namespace, {@code ratings.prod.svc.cluster.local}, is the service {@code ratings.prod}.
 *
 * @param namespace the namespace of the calling application: hosts in it are named by their short name
 *     (default {@code default}); a resource without {@code metadata.namespace} is in it
 * @param domain the cluster's DNS domain (default {@code cluster.local})
 * @param strict whether a file that uses a field the mesh does not implement is refused (default: such
 *     fields are listed in the load report, at INFO, and the rest applies)
 * @param checkEvery how often the files are checked for changes, from 100 ms to 1 day (default 1 s)
 * @param labels the calling application's own labels (its pod's), which a VirtualService route's {@code
 *     sourceLabels} are matched against, as Istio matches them against the caller's workload; null when not
 *     given (the default): such a match block is then left out, and reported
 */
public record IstioOptions(String namespace, String domain, boolean strict, Duration checkEvery,
    Map<String, String> labels) {

  /** Namespace {@code default}, domain {@code cluster.local}, not strict, checked every second, no labels. */
  public static final IstioOptions DEFAULT = new IstioOptions("default", "cluster.local", false, Duration.ofSeconds(1));

  /** The options without the caller's labels ({@code labels} null). */
  public IstioOptions(String namespace, String domain, boolean strict, Duration checkEvery) {
    this(namespace, domain, strict, checkEvery, null);
  }

  /**
   * Checks the values.
   *
   * @throws io.meshclient.api.ConfigurationException naming the bad setting
   */
  public IstioOptions {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(checkEvery, "checkEvery");
    if (!namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
      throw io.meshclient.api.ConfigurationException.of("mesh.istio.namespace", namespace,
          "a Kubernetes namespace name: lower-case letters, digits and '-', at most 63");
    }
    if (!domain.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")) {
      throw io.meshclient.api.ConfigurationException.of("mesh.istio.domain", domain,
          "a DNS domain such as cluster.local");
    }
    if (checkEvery.compareTo(Duration.ofMillis(100)) < 0 || checkEvery.compareTo(Duration.ofDays(1)) > 0) {
      throw io.meshclient.api.ConfigurationException.of("mesh.istio.check-every",
          io.meshclient.api.spi.SettingValues.formatDuration(checkEvery), "from 100ms to 1 day");
    }
    if (labels != null) {
      Map<String, String> copy = new LinkedHashMap<>();
      labels.forEach((key, value) -> {
        if (key == null || !IstioLabels.isKey(key)) {
          throw io.meshclient.api.ConfigurationException.of("mesh.istio.labels", key, IstioLabels.KEY_EXPECTED);
        }
        if (value == null || !IstioLabels.isValue(value)) {
          throw io.meshclient.api.ConfigurationException.of("mesh.istio.labels." + key, value,
              IstioLabels.VALUE_EXPECTED);
        }
        copy.put(key, value);
      });
      labels = java.util.Collections.unmodifiableMap(copy);
    }
  }

  /** A copy in which short hosts belong to {@code ns}. */
  public IstioOptions withNamespace(String ns) {
    return new IstioOptions(ns, domain, strict, checkEvery, labels);
  }

  /** A copy with the cluster domain {@code clusterDomain}. */
  public IstioOptions withDomain(String clusterDomain) {
    return new IstioOptions(namespace, clusterDomain, strict, checkEvery, labels);
  }

  /** A copy that refuses a file using any field the mesh does not implement. */
  public IstioOptions strictly() {
    return new IstioOptions(namespace, domain, true, checkEvery, labels);
  }

  /** A copy that checks the files for changes every {@code period}. */
  public IstioOptions withCheckEvery(Duration period) {
    return new IstioOptions(namespace, domain, strict, period, labels);
  }

  /**
   * A copy in which the calling application's own labels are {@code callerLabels} (its pod's, such as {@code app:
   * productpage, version: v1}): a VirtualService match block with {@code sourceLabels} holds when each of them is
   * among these, as Istio matches the caller's workload, and never otherwise.
   */
  public IstioOptions withLabels(Map<String, String> callerLabels) {
    return new IstioOptions(namespace, domain, strict, checkEvery, Objects.requireNonNull(callerLabels, "labels"));
  }
}
