package io.meshclient.discovery.kubernetes;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.api.spi.ServiceDiscoveryProvider;
import io.meshclient.api.spi.Setting;
import java.util.Objects;

/**
 * The {@code kubernetes} discovery: the endpoints of each watched service from its {@code
 * discovery.k8s.io/v1} EndpointSlices (label {@code kubernetes.io/service-name}), with the labels of their
 * pods for subsets, kept current by fabric8 informers (list, then watch; relist after a dropped watch or
 * {@code 410 Gone}).
 *
 * <p>An endpoint takes traffic while {@code ready} (and, where set, {@code serving} and not {@code
 * terminating}). Every slice of a service is merged and an address in two slices is taken once; IPv4 and
 * IPv6 alike. The port is the one named by {@code port-name}, else a slice's only or unnamed port. Each
 * instance carries the endpoint's {@code zone}, metadata {@code node-name} and {@code pod-name}, and the
 * {@code targetRef} pod's labels listed in {@code pod-labels} (default {@code version}); pods are cached as
 * those label values only.
 *
 * <p>Topology Aware Routing, as kube-proxy applies it: when every ready endpoint of a service has {@code
 * hints.forZones} and one is hinted for the caller's zone ({@code callerZone()}: the
 * {@code topology.kubernetes.io/zone} label of the Node {@code NODE_NAME} names), only the endpoints hinted for
 * that zone are instances; otherwise the hints are ignored for the service. Instances keep their own zone.
 *
 * <p>{@code watch()} waits up to {@code first-sync-wait} (2s) for the first list and delivers it before
 * returning. A service without EndpointSlices is logged as a warning and has no instances (so the mesh's
 * health is DOWN), never a DNS fallback. While the API server is unreachable the last known instances stay
 * in force and the informers retry.
 *
 * <p>Found by {@link java.util.ServiceLoader} under the name {@value #NAME}; settings are read from {@code
 * mesh.discovery.kubernetes} (see {@link KubernetesDiscoverySettings}). Thread-safe.
 *
 * <p>This class names no fabric8 type: it loads, and {@link #settings()} answers, without fabric8 on the
 * class path, so the starter generates the reference of these keys without depending on fabric8 and its
 * Jackson 3. The client is built by {@link KubernetesDiscovery#connect}.
 */
public final class KubernetesDiscoveryProvider implements ServiceDiscoveryProvider {
  /** The provider's name, as in {@code discovery: kubernetes}. */
  public static final String NAME = "kubernetes";

  private final KubernetesWatchListener events;
  private final java.util.function.Function<String, String> env;

  /**
   * The provider ServiceLoader finds: a discovery it creates for a mesh that has a {@code MeterRegistry}
   * records {@link KubernetesDiscoveryMetrics} there (its gauges go when its watches stop); otherwise none.
   */
  public KubernetesDiscoveryProvider() {
    this(KubernetesWatchListener.NONE);
  }

  /** A provider whose discoveries report what their watches do to {@code events}. */
  public KubernetesDiscoveryProvider(KubernetesWatchListener events) {
    this(events, System::getenv);
  }

  /** A provider reading {@code NODE_NAME} from {@code env} instead of the process environment; for tests. */
  KubernetesDiscoveryProvider(KubernetesWatchListener events, java.util.function.Function<String, String> env) {
    this.events = Objects.requireNonNull(events, "events");
    this.env = Objects.requireNonNull(env, "env");
  }

  /** The keys under {@code mesh.discovery.kubernetes}: {@code create} reads these, the reference documents them. */
  @Override
  public Setting settings() {
    return KubernetesKeys.SETTINGS;
  }

  /** Returns {@value #NAME}. */
  @Override
  public String name() {
    return NAME;
  }

  /**
   * Reads the settings under {@code context.configKey()} and creates a discovery.
   *
   * @throws ConfigurationException naming the full key of every invalid or unknown setting
   */
  @Override
  public ServiceDiscovery create(DiscoveryContext context) {
    Objects.requireNonNull(context, "context");
    // A provider given a listener reports to it; the one ServiceLoader finds records into the mesh's registry.
    KubernetesWatchListener listener = events == KubernetesWatchListener.NONE && context.meterRegistry() != null
        ? KubernetesDiscoveryMetrics.ownedBy(context.meterRegistry()) : events;
    return KubernetesDiscovery.connect(KubernetesSettingsReader.read(context.configKey(), context.settings()),
        context.configKey(), listener, env);
  }

  /**
   * Creates a discovery with {@code settings}. The caller closes it.
   *
   * @throws ConfigurationException if the kubeconfig file cannot be read
   */
  public ServiceDiscovery create(KubernetesDiscoverySettings settings) {
    return KubernetesDiscovery.connect(Objects.requireNonNull(settings, "settings"),
        KubernetesDiscoverySettings.CONFIG_KEY, events, env);
  }
}
