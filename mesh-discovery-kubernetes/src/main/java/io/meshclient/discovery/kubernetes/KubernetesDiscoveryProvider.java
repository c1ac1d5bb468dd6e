package io.meshclient.discovery.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import io.meshclient.api.spi.ServiceDiscoveryProvider;
import java.io.IOException;
import java.nio.file.Files;
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
 * <p>{@code watch()} waits up to {@code first-sync-wait} (2s) for the first list and delivers it before
 * returning. A service without EndpointSlices is logged as a warning and has no instances (so the mesh's
 * health is DOWN), never a DNS fallback. While the API server is unreachable the last known instances stay
 * in force and the informers retry.
 *
 * <p>Found by {@link java.util.ServiceLoader} under the name {@value #NAME}; settings are read from {@code
 * mesh.discovery.kubernetes} (see {@link KubernetesDiscoverySettings}). Thread-safe.
 */
public final class KubernetesDiscoveryProvider implements ServiceDiscoveryProvider {
  /** The provider's name, as in {@code discovery: kubernetes}. */
  public static final String NAME = "kubernetes";

  private final KubernetesWatchListener events;
  private final java.util.function.Function<String, String> env;

  /** A provider whose discoveries report to no {@link KubernetesWatchListener}; used by ServiceLoader. */
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
    return create(KubernetesSettingsReader.read(context.configKey(), context.settings()), context.configKey());
  }

  /**
   * Creates a discovery with {@code settings}. The caller closes it.
   *
   * @throws ConfigurationException if the kubeconfig file cannot be read
   */
  public ServiceDiscovery create(KubernetesDiscoverySettings settings) {
    return create(Objects.requireNonNull(settings, "settings"), KubernetesDiscoverySettings.CONFIG_KEY);
  }

  private ServiceDiscovery create(KubernetesDiscoverySettings settings, String configKey) {
    Config config = config(settings, configKey);
    String namespace = !settings.namespace().isEmpty() ? settings.namespace()
        : config.getNamespace() != null && !config.getNamespace().isEmpty() ? config.getNamespace() : "default";
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config)
        .withHttpClientFactory(new ClosingHttpClientFactory()).build();
    return new KubernetesDiscovery(settings, client, namespace, events, env);
  }

  private static Config config(KubernetesDiscoverySettings settings, String configKey) {
    Config base;
    if (settings.kubeconfig() != null) {
      try {
        base = Config.fromKubeconfig(Files.readString(settings.kubeconfig()));
      } catch (IOException | RuntimeException e) {
        // The message may quote the file's content, credentials included: name the file only.
        throw new ConfigurationException(ConfigurationException.problem(configKey + ".kubeconfig",
            settings.kubeconfig(), "a readable kubeconfig file (" + e.getClass().getSimpleName() + ")"), null);
      }
    } else {
      base = Config.autoConfigure(null);
    }
    ConfigBuilder builder = new ConfigBuilder(base);
    if (settings.masterUrl() != null) {
      builder.withMasterUrl(settings.masterUrl().toString());
    }
    return builder.build();
  }
}
