package io.meshclient.discovery.consul;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The open watches of one discovery, by service. Thread-safe; reads take no lock. */
final class WatchSet {
  private final Map<String, Set<ServiceWatch>> byService = new ConcurrentHashMap<>();

  synchronized void add(ServiceWatch watch) {
    byService.computeIfAbsent(watch.service(), s -> ConcurrentHashMap.newKeySet()).add(watch);
  }

  /** Removes {@code watch}; returns whether no watch is left. */
  synchronized boolean remove(ServiceWatch watch) {
    Set<ServiceWatch> of = byService.get(watch.service());
    if (of != null) {
      of.remove(watch);
      if (of.isEmpty()) {
        byService.remove(watch.service());
      }
    }
    return byService.isEmpty();
  }

  /** The watches of {@code service}, possibly none. */
  Collection<ServiceWatch> of(String service) {
    Set<ServiceWatch> of = byService.get(service);
    return of == null ? List.of() : of;
  }

  /** How many services are watched. */
  int services() {
    return byService.size();
  }

  /** Every open watch, copied. */
  List<ServiceWatch> all() {
    return byService.values().stream().flatMap(Set::stream).toList();
  }
}
