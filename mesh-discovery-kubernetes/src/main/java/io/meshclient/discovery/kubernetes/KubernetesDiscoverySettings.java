package io.meshclient.discovery.kubernetes;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.spi.SettingValues;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a Kubernetes discovery reaches the API server and reads EndpointSlices: the settings under {@code
 * mesh.discovery.kubernetes}. Instances exist only validated; build them with {@link #builder()}, or let
 * {@link KubernetesDiscoveryProvider} read them from configuration.
 *
 * <p>Credentials are never settings here: they come from the pod's service account (in a cluster) or
 * from the kubeconfig file, as {@code kubectl} finds them.
 *
 * @param masterUrl the API server, or null to take it from the service account or kubeconfig (key {@code
 *     master-url}); {@code http://} only for tests and {@code kubectl proxy}
 * @param kubeconfig the kubeconfig file to read, or null for the usual search: in-cluster service account,
 *     then {@code $KUBECONFIG}, then {@code ~/.kube/config} (key {@code kubeconfig})
 * @param namespace the namespace of the watched services, or the empty string for the pod's own namespace
 *     (service account) or the kubeconfig context's, else {@code default} (key {@code namespace})
 * @param portName the name of the EndpointSlice port to call; the empty string takes a slice's only port or
 *     its unnamed one (key {@code port-name}, default empty)
 * @param podLabels the pod label keys copied into instance metadata, for subsets such as {@code version:
 *     v2}; an empty list watches no pods (key {@code pod-labels}, default {@code [version]})
 * @param firstSyncWait how long {@code watch()} waits for the first list, 0 to 1m (key {@code
 *     first-sync-wait}, default 2s)
 */
public record KubernetesDiscoverySettings(
    URI masterUrl,
    Path kubeconfig,
    String namespace,
    String portName,
    List<String> podLabels,
    Duration firstSyncWait) {

  /** The key these settings live under in configuration. */
  public static final String CONFIG_KEY = "mesh.discovery.kubernetes";
  /** The pod labels copied when none are configured. */
  public static final List<String> DEFAULT_POD_LABELS = KubernetesKeys.POD_LABELS.defaultList();
  /** How long {@code watch()} waits for the first list when nothing is configured. */
  public static final Duration DEFAULT_FIRST_SYNC_WAIT = KubernetesKeys.FIRST_SYNC_WAIT.defaultDuration();

  /**
   * Checks and freezes the components. Null strings mean the empty string, a null label list the default.
   *
   * @throws NullPointerException if {@code firstSyncWait} is null
   * @throws ConfigurationException naming, under {@value #CONFIG_KEY}, every invalid component
   */
  public KubernetesDiscoverySettings {
    Objects.requireNonNull(firstSyncWait, "firstSyncWait");
    namespace = Objects.requireNonNullElse(namespace, "");
    portName = Objects.requireNonNullElse(portName, "");
    podLabels = List.copyOf(Objects.requireNonNullElse(podLabels, DEFAULT_POD_LABELS));
    List<String> problems = KubernetesSettingsRules.check(CONFIG_KEY, masterUrl, kubeconfig, namespace,
        portName, podLabels, firstSyncWait);
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String toString() {
    return "KubernetesDiscoverySettings[masterUrl=" + masterUrl + ", kubeconfig=" + kubeconfig
        + ", namespace=" + namespace + ", portName=" + portName + ", podLabels=" + podLabels
        + ", firstSyncWait=" + SettingValues.formatDuration(firstSyncWait) + "]";
  }

  /** Collects settings, starting from the defaults; {@link #build()} validates them. Not thread-safe. */
  public static final class Builder {
    private URI masterUrl;
    private Path kubeconfig;
    private String namespace = "";
    private String portName = "";
    private List<String> podLabels = DEFAULT_POD_LABELS;
    private Duration firstSyncWait = DEFAULT_FIRST_SYNC_WAIT;

    private Builder() {}

    /** The API server, such as {@code https://10.0.0.1:443}. */
    public Builder masterUrl(URI url) {
      this.masterUrl = Objects.requireNonNull(url, "url");
      return this;
    }

    /** The kubeconfig file to read instead of the usual search. */
    public Builder kubeconfig(Path file) {
      this.kubeconfig = Objects.requireNonNull(file, "file");
      return this;
    }

    /** The namespace of the watched services. */
    public Builder namespace(String name) {
      this.namespace = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The name of the EndpointSlice port to call. */
    public Builder portName(String name) {
      this.portName = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The pod label keys copied into instance metadata; none watches no pods. */
    public Builder podLabels(List<String> keys) {
      this.podLabels = List.copyOf(keys);
      return this;
    }

    /** How long {@code watch()} waits for the first list. */
    public Builder firstSyncWait(Duration wait) {
      this.firstSyncWait = Objects.requireNonNull(wait, "wait");
      return this;
    }

    /**
     * Validates and returns the settings.
     *
     * @throws ConfigurationException naming every invalid setting under {@value #CONFIG_KEY}
     */
    public KubernetesDiscoverySettings build() {
      return new KubernetesDiscoverySettings(masterUrl, kubeconfig, namespace, portName, podLabels,
          firstSyncWait);
    }
  }
}
