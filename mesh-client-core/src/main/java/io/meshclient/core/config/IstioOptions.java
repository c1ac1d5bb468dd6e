package io.meshclient.core.config;

import io.meshclient.core.internal.istio.IstioLabels;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How Istio resources (VirtualService, DestinationRule, ServiceEntry) are read: which namespace short
 * host names belong to, the cluster's DNS domain, whether a file with fields the mesh does not implement
 * is refused, how often the files are checked for changes, and Istio's root namespace.
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
 * @param rootNamespace Istio's {@code meshConfig.rootNamespace} (default {@code istio-system}): the namespace whose
 *     DestinationRules apply to the services of every namespace when neither the caller's nor the service's
 *     namespace has one for the host
 */
public record IstioOptions(String namespace, String domain, boolean strict, Duration checkEvery,
    Map<String, String> labels, String rootNamespace) {

  /** Istio's default {@code meshConfig.rootNamespace}. */
  public static final String DEFAULT_ROOT_NAMESPACE = "istio-system";

  /**
   * Namespace {@code default}, domain {@code cluster.local}, not strict, checked every second, no labels, root
   * namespace {@code istio-system}.
   */
  public static final IstioOptions DEFAULT = new IstioOptions("default", "cluster.local", false, Duration.ofSeconds(1));

  /** The options without the caller's labels ({@code labels} null), with root namespace {@code istio-system}. */
  public IstioOptions(String namespace, String domain, boolean strict, Duration checkEvery) {
    this(namespace, domain, strict, checkEvery, null);
  }

  /** The options with root namespace {@code istio-system}. */
  public IstioOptions(String namespace, String domain, boolean strict, Duration checkEvery,
      Map<String, String> labels) {
    this(namespace, domain, strict, checkEvery, labels, DEFAULT_ROOT_NAMESPACE);
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
    Objects.requireNonNull(rootNamespace, "rootNamespace");
    checkNamespace("mesh.istio.namespace", namespace);
    checkNamespace("mesh.istio.root-namespace", rootNamespace);
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

  /** Refuses {@code value} of setting {@code key} unless it is a Kubernetes namespace name (a DNS-1123 label). */
  private static void checkNamespace(String key, String value) {
    if (!value.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
      throw io.meshclient.api.ConfigurationException.of(key, value.isEmpty() ? "''" : value,
          "a Kubernetes namespace name: lower-case letters, digits and '-', at most 63");
    }
  }

  /** A copy in which short hosts belong to {@code ns}. */
  public IstioOptions withNamespace(String ns) {
    return new IstioOptions(ns, domain, strict, checkEvery, labels, rootNamespace);
  }

  /** A copy with the cluster domain {@code clusterDomain}. */
  public IstioOptions withDomain(String clusterDomain) {
    return new IstioOptions(namespace, clusterDomain, strict, checkEvery, labels, rootNamespace);
  }

  /** A copy that refuses a file using any field the mesh does not implement. */
  public IstioOptions strictly() {
    return new IstioOptions(namespace, domain, true, checkEvery, labels, rootNamespace);
  }

  /** A copy that checks the files for changes every {@code period}. */
  public IstioOptions withCheckEvery(Duration period) {
    return new IstioOptions(namespace, domain, strict, period, labels, rootNamespace);
  }

  /**
   * A copy whose root namespace is {@code ns}, as Istio's {@code meshConfig.rootNamespace}: the DestinationRules of
   * {@code ns} apply to a service when neither the mesh's namespace nor the service's has one for it.
   *
   * @throws io.meshclient.api.ConfigurationException naming {@code mesh.istio.root-namespace} unless {@code ns} is a
   *     Kubernetes namespace name
   */
  public IstioOptions withRootNamespace(String ns) {
    return new IstioOptions(namespace, domain, strict, checkEvery, labels, Objects.requireNonNull(ns, "ns"));
  }

  /**
   * A copy in which the calling application's own labels are {@code callerLabels} (its pod's, such as {@code app:
   * productpage, version: v1}): a VirtualService match block with {@code sourceLabels} holds when each of them is
   * among these, as Istio matches the caller's workload, and never otherwise.
   */
  public IstioOptions withLabels(Map<String, String> callerLabels) {
    return new IstioOptions(namespace, domain, strict, checkEvery, Objects.requireNonNull(callerLabels, "labels"),
        rootNamespace);
  }
}
