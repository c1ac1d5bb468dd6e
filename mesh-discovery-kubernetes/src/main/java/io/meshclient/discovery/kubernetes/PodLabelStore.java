package io.meshclient.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The pod informer's store, holding per pod only its name, resource version and the label values in use
 * (the configured keys), never whole pods. Thread-safe.
 */
final class PodLabelStore implements ItemStore<Pod> {
  private final List<String> keys;
  private final ConcurrentHashMap<String, Pod> pods = new ConcurrentHashMap<>();

  PodLabelStore(List<String> keys) {
    this.keys = keys;
  }

  /** The configured labels of pod {@code name} in {@code namespace}; none if unknown. */
  Map<String, String> labels(String namespace, String name) {
    Pod pod = pods.get(Cache.namespaceKeyFunc(namespace, name));
    return pod == null ? Map.of() : pod.getMetadata().getLabels();
  }

  /** The configured labels of {@code pod}, as this store keeps them. */
  Map<String, String> labelsInUse(Pod pod) {
    Map<String, String> all = pod.getMetadata().getLabels();
    if (all == null || all.isEmpty()) {
      return Map.of();
    }
    Map<String, String> kept = new HashMap<>();
    for (String key : keys) {
      String value = all.get(key);
      if (value != null) {
        kept.put(key, value);
      }
    }
    return Map.copyOf(kept);
  }

  @Override
  public String getKey(Pod pod) {
    return Cache.metaNamespaceKeyFunc(pod);
  }

  @Override
  public Pod put(String key, Pod pod) {
    Pod reduced = new Pod();
    reduced.setMetadata(new ObjectMetaBuilder().withName(pod.getMetadata().getName())
        .withNamespace(pod.getMetadata().getNamespace())
        .withResourceVersion(pod.getMetadata().getResourceVersion())
        .withLabels(labelsInUse(pod)).build());
    return pods.put(key, reduced);
  }

  @Override
  public Pod remove(String key) {
    return pods.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return pods.keySet().stream();
  }

  @Override
  public Stream<Pod> values() {
    return pods.values().stream();
  }

  @Override
  public int size() {
    return pods.size();
  }

  @Override
  public Pod get(String key) {
    return pods.get(key);
  }

  /** Stored pods are reduced: an update's old object carries only the labels in use. */
  @Override
  public boolean isFullState() {
    return false;
  }
}
