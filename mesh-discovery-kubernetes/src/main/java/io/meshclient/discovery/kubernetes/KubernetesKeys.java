package io.meshclient.discovery.kubernetes;

import static io.meshclient.api.spi.Setting.block;
import static io.meshclient.api.spi.Setting.duration;
import static io.meshclient.api.spi.Setting.text;
import static io.meshclient.api.spi.Setting.textList;

import io.meshclient.api.spi.Setting;
import java.time.Duration;
import java.util.Set;

/** The keys under {@code mesh.discovery.kubernetes}, declared once (see {@link Setting}). */
final class KubernetesKeys {
  static final Setting MASTER_URL = text("master-url", null,
      "API server URL; default: the service account's, else the kubeconfig's; `http://` only for tests and "
          + "`kubectl proxy`");
  static final Setting KUBECONFIG = text("kubeconfig", null,
      "kubeconfig file; default: in-cluster service account, `$KUBECONFIG`, `~/.kube/config`");
  static final Setting NAMESPACE = text("namespace", null,
      "namespace of the watched services; default: the pod's, else the kubeconfig context's, else `default`");
  static final Setting PORT_NAME = text("port-name", null,
      "EndpointSlice port to call; default: a slice's only or unnamed port");
  static final Setting POD_LABELS = textList("pod-labels", "[version]",
      "pod label keys copied into instance metadata, for subsets such as `version: v2`; at most 16; "
          + "`[]` watches no pods");
  static final Setting FIRST_SYNC_WAIT = duration("first-sync-wait", "2s", Duration.ZERO, Duration.ofMinutes(1),
      "how long `watch()` waits for the first list");
  static final Setting SETTINGS = block("kubernetes", "services watched through Kubernetes EndpointSlices",
      MASTER_URL, KUBECONFIG, NAMESPACE, PORT_NAME, POD_LABELS, FIRST_SYNC_WAIT);

  /** Every key below {@code mesh.discovery.kubernetes}. */
  static final Set<String> NAMES = new java.util.TreeSet<>(SETTINGS.names());

  private KubernetesKeys() {}
}
