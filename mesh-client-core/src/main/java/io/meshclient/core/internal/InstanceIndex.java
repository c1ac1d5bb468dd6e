package io.meshclient.core.internal;

import io.meshclient.api.ServiceInstance;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.function.Function;

/**
 * A value per instance of one list (a balancer's statistics, a URL rewriter), by position and by the
 * instance object. The index of the next list reuses the values of the instances it shares with this
 * one (the same objects: the mesh canonicalizes every discovery snapshot) and costs O(changed) when the
 * two lists line up position by position, as a discovery update of a few instances does: one pass of
 * identity comparisons, a copy of the map's table, and the changed entries. The map then keeps entries
 * of removed instances (harmless: looked up by an object no longer listed, such as a call's that started
 * before the update) until they could be a quarter of it, when it is rebuilt. Immutable.
 *
 * @param <V> the value per instance
 */
public final class InstanceIndex<V> {
  private static final InstanceIndex<?> EMPTY = new InstanceIndex<>(List.of(), new Object[0], new IdentityHashMap<>(), 0);

  private final List<ServiceInstance> instances;
  private final Object[] values;
  private final IdentityHashMap<ServiceInstance, V> byInstance;
  private final int stale; // entries of instances no longer listed, at most

  private InstanceIndex(List<ServiceInstance> instances, Object[] values, IdentityHashMap<ServiceInstance, V> byInstance,
      int stale) {
    this.instances = instances;
    this.values = values;
    this.byInstance = byInstance;
    this.stale = stale;
  }

  /** The index of no instance. */
  @SuppressWarnings("unchecked")
  public static <V> InstanceIndex<V> empty() {
    return (InstanceIndex<V>) EMPTY;
  }

  /** The list indexed. */
  public List<ServiceInstance> instances() {
    return instances;
  }

  /** The value of the instance at {@code position} of {@link #instances()}. */
  @SuppressWarnings("unchecked")
  public V at(int position) {
    return (V) values[position];
  }

  /** The value of {@code instance} (this object), or null if it is not indexed. */
  public V get(ServiceInstance instance) {
    return byInstance.get(instance);
  }

  /**
   * The index of {@code list}: the value of each instance this one has, else {@code create}'s.
   */
  @SuppressWarnings("unchecked")
  public InstanceIndex<V> next(List<ServiceInstance> list, Function<? super ServiceInstance, ? extends V> create) {
    if (list == instances) {
      return this;
    }
    int n = list.size();
    Object[] next = new Object[n];
    boolean aligned = n == instances.size();
    int changed = 0;
    if (aligned) {
      for (int i = 0; i < n; i++) {
        if (list.get(i) == instances.get(i)) {
          next[i] = values[i];
        } else {
          changed++;
        }
      }
    }
    IdentityHashMap<ServiceInstance, V> map;
    int nextStale;
    if (aligned && stale + changed <= n / 4) {
      map = (IdentityHashMap<ServiceInstance, V>) byInstance.clone();
      nextStale = stale + changed;
    } else {
      map = new IdentityHashMap<>(n * 2);
      nextStale = 0;
    }
    for (int i = 0; i < n; i++) {
      ServiceInstance instance = list.get(i);
      V value = (V) next[i];
      if (value == null) {
        value = byInstance.get(instance);
        if (value == null) {
          value = create.apply(instance);
        }
        next[i] = value;
        map.put(instance, value);
      } else if (nextStale == 0) {
        map.put(instance, value);
      }
    }
    return new InstanceIndex<>(list, next, map, nextStale);
  }
}
