package io.meshclient.samples.bookinfo;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one Bookinfo service counted about the calls it received (and, for reviews, the calls to
 * ratings it made), served at {@code GET /stats}. The traffic summary is built from these counts only.
 * Thread-safe.
 */
public final class ServiceCounters {
  private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

  /** Adds one to {@code name}. */
  public void increment(String name) {
    counts.computeIfAbsent(name, n -> new LongAdder()).increment();
  }

  /** Every count so far, by name. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((name, adder) -> out.put(name, adder.sum()));
    return out;
  }
}
