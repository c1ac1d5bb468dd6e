package io.meshclient.samples.quickstart;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/** What the quickstart observed: counts from the backends, refusals and latencies from the caller. */
public final class Summary {
  static final int SPLIT = 0;
  static final int JASON = 1;

  private final List<VersionBackend> backends;
  private final Latencies[] latencies = {new Latencies(), new Latencies()};
  final AtomicInteger rateLimited = new AtomicInteger();
  final AtomicInteger failed = new AtomicInteger();
  private final java.util.Map<String, AtomicInteger> failures = new java.util.concurrent.ConcurrentHashMap<>();

  Summary(List<VersionBackend> backends) {
    this.backends = backends;
  }

  Latencies latency(int route) {
    return latencies[route];
  }

  /** Requests the given version ("v1", "v2", "v3") received, as it counted them. */
  public int received(String version) {
    return backend(version).received();
  }

  /** Requests carrying {@code end-user: jason} that the given version received. */
  public int receivedFromJason(String version) {
    return backend(version).receivedFromJason();
  }

  public int rateLimited() {
    return rateLimited.get();
  }

  public int failed() {
    return failed.get();
  }

  void failed(Exception e) {
    failed.incrementAndGet();
    failures.computeIfAbsent(e.getClass().getSimpleName() + ": " + e.getMessage(), k -> new AtomicInteger())
        .incrementAndGet();
  }

  /** Why calls failed: exception and message, with how many times each. */
  public java.util.Map<String, AtomicInteger> failures() {
    return failures;
  }

  /** The share, in percent, of the split traffic (not jason's) that reached {@code version}. */
  public double splitShare(String version) {
    int splitTotal = 0;
    for (VersionBackend b : backends) {
      splitTotal += b.received() - b.receivedFromJason();
    }
    VersionBackend b = backend(version);
    return splitTotal == 0 ? 0 : 100.0 * (b.received() - b.receivedFromJason()) / splitTotal;
  }

  private VersionBackend backend(String version) {
    return backends.stream().filter(b -> b.version().equals(version)).findFirst().orElseThrow();
  }

  String render() {
    StringBuilder out = new StringBuilder("\nmesh-client quickstart: counted by the backends\n");
    out.append(String.format(Locale.ROOT, "%-8s %10s %14s %16s%n", "version", "received", "from jason", "share of split"));
    for (VersionBackend b : backends) {
      out.append(String.format(Locale.ROOT, "%-8s %10d %14d %15.1f%%%n", b.version(), b.received(),
          b.receivedFromJason(), splitShare(b.version())));
    }
    out.append(String.format(Locale.ROOT, "rate-limited (jason-to-v2: 50/s, burst 10): %d, failed: %d%n",
        rateLimited.get(), failed.get()));
    failures.forEach((why, count) -> out.append("  failed ").append(count).append("x: ").append(why).append('\n'));
    out.append(String.format(Locale.ROOT, "%-14s %8s %10s %10s%n", "route", "calls", "p50 (us)", "p99 (us)"));
    String[] names = {"split-v1-v3", "jason-to-v2"};
    for (int i = 0; i < 2; i++) {
      out.append(String.format(Locale.ROOT, "%-14s %8d %10d %10d%n", names[i], latencies[i].count(),
          latencies[i].percentileMicros(50), latencies[i].percentileMicros(99)));
    }
    return out.toString();
  }

  /** Latencies of one route, recorded from many threads. */
  static final class Latencies {
    private long[] nanos = new long[1024];
    private int count;

    synchronized void record(long value) {
      if (count == nanos.length) {
        nanos = Arrays.copyOf(nanos, count * 2);
      }
      nanos[count++] = value;
    }

    synchronized int count() {
      return count;
    }

    synchronized long percentileMicros(double p) {
      if (count == 0) {
        return 0;
      }
      long[] sorted = Arrays.copyOf(nanos, count);
      Arrays.sort(sorted);
      return sorted[(int) Math.min(count - 1, Math.ceil(p / 100.0 * count) - 1)] / 1000;
    }
  }
}
