package io.meshclient.benchmarks.load;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 20's figures from one {@code run.sh tail} scenario: the table, each mesh mode's p99 against the
 * better sidecar and against the same mode on the all-healthy pool, the targets (reported, never
 * asserted) and the final line.
 *
 * <p>The mesh's best mode is the mesh mode with the fewest failed calls, then the lowest p99; the better
 * sidecar is the one of nginx and HAProxy with the lower p99.
 */
final class TailReport {
  static final String HEALTHY = "@healthy";
  static final double SIDECAR_TARGET = 0.5;
  static final double HEALTHY_TARGET = 1.3;

  private final TailScenario scenario;
  private final Map<String, ModeSummary> byLabel = new LinkedHashMap<>();
  private final Map<String, List<long[]>> served;
  final ModeSummary best;
  final ModeSummary sidecar;
  final List<LoadReport.Target> targets = new ArrayList<>();

  /**
   * @param served per mode label, the requests each instance of its pool served in each run (the bad
   *     instance first)
   */
  TailReport(TailScenario scenario, List<ModeSummary> summaries, Map<String, List<long[]>> served) {
    this.scenario = scenario;
    this.served = served;
    summaries.forEach(s -> byLabel.put(s.label, s));
    this.best = summaries.stream().filter(s -> isMesh(s.label) && !s.runs.isEmpty())
        .min(Comparator.<ModeSummary>comparingLong(s -> s.failed).thenComparingDouble(ModeSummary::p99)).orElse(null);
    this.sidecar = summaries.stream().filter(s -> (s.mode == Mode.SIDECAR || s.mode == Mode.HAPROXY) && !s.runs.isEmpty())
        .min(Comparator.comparingDouble(ModeSummary::p99)).orElse(null);
    if (best != null) {
      double toSidecar = ratio(best, sidecar);
      double toHealthy = ratio(best, healthy(best));
      targets.add(new LoadReport.Target("best mesh p99 / better sidecar p99", "<= " + SIDECAR_TARGET,
          fmt("%.3f (%s %.0f µs / %s %.0f µs)", toSidecar, best.label, best.p99(), label(sidecar), p99(sidecar)),
          Double.isNaN(toSidecar) ? null : toSidecar <= SIDECAR_TARGET));
      targets.add(new LoadReport.Target("best mesh p99 / same mode on an all-healthy pool", "<= " + HEALTHY_TARGET,
          fmt("%.3f (%.0f µs / %.0f µs)", toHealthy, best.p99(), p99(healthy(best))),
          Double.isNaN(toHealthy) ? null : toHealthy <= HEALTHY_TARGET));
      targets.add(new LoadReport.Target("failed calls of the best mesh mode", "0", Long.toString(best.failed),
          best.failed == 0));
    }
  }

  static boolean isMesh(String label) {
    return label.startsWith("mesh-") && !label.endsWith(HEALTHY);
  }

  private ModeSummary healthy(ModeSummary mode) {
    return mode == null ? null : byLabel.get(mode.label + HEALTHY);
  }

  String table() {
    StringBuilder out = new StringBuilder();
    out.append("| mode | req/s | p50 µs | p90 µs | p99 µs | p99.9 µs | failed | first instance's share | retries"
        + " | budget exhausted | ejections | client CPU µs/req | proxy CPU µs/req |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (ModeSummary m : byLabel.values()) {
      out.append(String.format(Locale.ROOT, "| %s | %,.0f | %.0f | %.0f | %.0f | %.0f | %d | %.2f%% | %s | %s | %s | %.1f"
              + " | %.1f |%n",
          m.label, m.throughput, m.p50(), m.p90(), m.p99(), m.p999(), m.failed, 100 * badShare(m.label),
          check(m, "retries"), check(m, "retryBudgetExhausted"), check(m, "ejections"), m.clientCpuMicros,
          m.proxyCpuMicros));
    }
    out.append("(failed: non-200 answers and errors in the measurement windows; first instance's share: of the"
        + " requests the pool's backends served, warm-up included, those the first served: the bad one, or a"
        + " healthy one for @healthy; retries, budget exhausted and ejections: the mesh's counters, warm-up"
        + " included)\n");
    return out.toString();
  }

  /** Per run of {@code label}, the requests each instance of its pool served. */
  List<long[]> served(String label) {
    return served.getOrDefault(label, List.of());
  }

  /** Of the requests the backends of {@code label}'s pool served, the share of the first (the bad one). */
  double badShare(String label) {
    long first = 0;
    long all = 0;
    for (long[] run : served.getOrDefault(label, List.of())) {
      first += run[0];
      for (long n : run) {
        all += n;
      }
    }
    return all == 0 ? Double.NaN : (double) first / all;
  }

  /** The sum over the runs of a mesh counter the worker reported, or "-" for other modes. */
  private static String check(ModeSummary m, String key) {
    if (!m.label.startsWith("mesh-")) {
      return "-";
    }
    long sum = 0;
    for (RunResult r : m.runs) {
      Object v = r.checks().get(key);
      sum += v instanceof Number n ? n.longValue() : 0;
    }
    return Long.toString(sum);
  }

  String ratios() {
    StringBuilder out = new StringBuilder("Each mesh mode from this run (p99 ratios):\n\n");
    out.append("| mode | / nginx sidecar | / haproxy | / better sidecar | / same mode, all healthy | failed |\n");
    out.append("|---|---:|---:|---:|---:|---:|\n");
    for (ModeSummary m : byLabel.values()) {
      if (isMesh(m.label)) {
        out.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %d |%n", m.label,
            ratio(m, byLabel.get(Mode.SIDECAR.id)), ratio(m, byLabel.get(Mode.HAPROXY.id)), ratio(m, sidecar),
            ratio(m, healthy(m)), m.failed));
      }
    }
    return out.toString();
  }

  String targetsText() {
    return LoadReport.targetsTable("Issue 20 targets, " + scenario.name() + " run (reported, not asserted)", targets);
  }

  /**
   * {@code tail mesh_p99/sidecar_p99=X mesh_p99/healthy_p99=Y failed=N scenario=S best=MODE sidecar=MODE}:
   * the best mesh mode's p99 over the better sidecar's and over its own on the all-healthy pool, and its
   * failed calls; NaN where a mode was not run.
   */
  String finalLine() {
    return String.format(Locale.ROOT, "tail mesh_p99/sidecar_p99=%.3f mesh_p99/healthy_p99=%.3f failed=%s scenario=%s"
            + " best=%s sidecar=%s",
        ratio(best, sidecar), ratio(best, healthy(best)), best == null ? "NaN" : Long.toString(best.failed),
        scenario.name(), label(best), label(sidecar));
  }

  private static double ratio(ModeSummary a, ModeSummary b) {
    return a == null || b == null ? Double.NaN : a.p99() / b.p99();
  }

  private static double p99(ModeSummary m) {
    return m == null ? Double.NaN : m.p99();
  }

  private static String label(ModeSummary m) {
    return m == null ? "none" : m.label;
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
