package io.meshclient.benchmarks.load;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 20's figures for the Spring user's path, from one {@code run.sh spring}: each mesh mode against
 * its plain twin on the same Spring client ({@code mesh-restclient} over {@code restclient-okhttp}, {@code
 * mesh-webclient} over {@code webclient-okhttp}), {@code mesh-restclient} against the best Spring Cloud
 * LoadBalancer mode, the targets (reported, never asserted) and the final line.
 *
 * <p>The best Spring Cloud LoadBalancer mode is the one of {@code spring-lb} (JDK client), {@code
 * spring-lb-hc5} and {@code spring-lb-netty} with the highest median throughput.
 */
final class SpringPathReport {
  static final double CPU_TARGET_MICROS = 3;
  static final double THROUGHPUT_TARGET = 1.5;
  static final List<Mode> SCLB_MODES = List.of(Mode.SPRING_LB, Mode.SPRING_LB_HC5, Mode.SPRING_LB_NETTY);

  private final Map<Mode, ModeSummary> modes = new LinkedHashMap<>();
  final ModeSummary bestSclb;
  final List<LoadReport.Target> targets = new ArrayList<>();

  SpringPathReport(List<ModeSummary> summaries) {
    summaries.forEach(s -> modes.put(s.mode, s));
    this.bestSclb = SCLB_MODES.stream().map(modes::get).filter(s -> s != null && !s.runs.isEmpty())
        .max(Comparator.comparingDouble(s -> s.throughput)).orElse(null);
    ModeSummary mesh = modes.get(Mode.MESH_RESTCLIENT);
    ModeSummary plain = modes.get(Mode.RESTCLIENT_OKHTTP);
    double cpu = cpuOver(Mode.MESH_RESTCLIENT, Mode.RESTCLIENT_OKHTTP);
    targets.add(new LoadReport.Target("mesh-restclient client CPU", "<= restclient-okhttp + " + fmt("%.0f", CPU_TARGET_MICROS)
        + " µs/req", mesh == null || plain == null ? "not run" : fmt("%+.2f µs/req (%.1f vs %.1f; load threads only: %+.2f)",
        cpu, mesh.clientCpuMicros, plain.clientCpuMicros, mesh.loadThreadCpuMicros - plain.loadThreadCpuMicros),
        Double.isNaN(cpu) ? null : cpu <= CPU_TARGET_MICROS));
    double thr = throughputOverBestSclb();
    targets.add(new LoadReport.Target("mesh-restclient / best Spring Cloud LoadBalancer throughput",
        ">= " + THROUGHPUT_TARGET, Double.isNaN(thr) ? "not run" : fmt("%.3f (%,.0f / %s %,.0f req/s)", thr,
        mesh.throughput, bestSclb.label, bestSclb.throughput), Double.isNaN(thr) ? null : thr >= THROUGHPUT_TARGET));
  }

  /** Client CPU per request of {@code mode} minus that of {@code base}, in µs; NaN if either was not run. */
  double cpuOver(Mode mode, Mode base) {
    ModeSummary m = modes.get(mode);
    ModeSummary b = modes.get(base);
    return m == null || b == null ? Double.NaN : m.clientCpuMicros - b.clientCpuMicros;
  }

  double throughputOverBestSclb() {
    ModeSummary mesh = modes.get(Mode.MESH_RESTCLIENT);
    return mesh == null || bestSclb == null ? Double.NaN : mesh.throughput / bestSclb.throughput;
  }

  /** Each mode against its reference: the plain twin for the mesh modes, mesh-restclient for the others. */
  String ratios() {
    StringBuilder out = new StringBuilder("Ratios from this run (CPU as a difference, µs/req):\n\n");
    out.append("| mode | against | throughput | p50 | p99 | client CPU Δ | load-thread CPU Δ | alloc Δ B/req |\n");
    out.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (ModeSummary m : modes.values()) {
      ModeSummary base = modes.get(reference(m.mode));
      if (base == null || base == m) {
        continue;
      }
      out.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %+.1f | %+.1f | %+,.0f |%n",
          m.label, base.label, m.throughput / base.throughput, m.p50() / base.p50(), m.p99() / base.p99(),
          m.clientCpuMicros - base.clientCpuMicros, m.loadThreadCpuMicros - base.loadThreadCpuMicros,
          m.allocatedPerRequest - base.allocatedPerRequest));
    }
    out.append("(mesh modes against their plain twin; every other mode against restclient-okhttp)\n");
    return out.toString();
  }

  private static Mode reference(Mode mode) {
    return mode == Mode.MESH_WEBCLIENT ? Mode.WEBCLIENT_OKHTTP : Mode.RESTCLIENT_OKHTTP;
  }

  String targetsText() {
    return LoadReport.targetsTable("Issue 20 targets, the Spring user's path (reported, not asserted)", targets);
  }

  /**
   * {@code spring mesh-restclient_cpu_us_over_restclient-okhttp=X mesh-restclient/best_sclb_throughput=Y
   * best_sclb=MODE mesh-webclient_cpu_us_over_webclient-okhttp=Z mesh-restclient/restclient-okhttp_throughput=W}:
   * NaN (or {@code none}) where a mode was not run.
   */
  String finalLine() {
    ModeSummary mesh = modes.get(Mode.MESH_RESTCLIENT);
    ModeSummary plain = modes.get(Mode.RESTCLIENT_OKHTTP);
    return String.format(Locale.ROOT, "spring mesh-restclient_cpu_us_over_restclient-okhttp=%.2f"
            + " mesh-restclient/best_sclb_throughput=%.3f best_sclb=%s mesh-webclient_cpu_us_over_webclient-okhttp=%.2f"
            + " mesh-restclient/restclient-okhttp_throughput=%.3f",
        cpuOver(Mode.MESH_RESTCLIENT, Mode.RESTCLIENT_OKHTTP), throughputOverBestSclb(),
        bestSclb == null ? "none" : bestSclb.label, cpuOver(Mode.MESH_WEBCLIENT, Mode.WEBCLIENT_OKHTTP),
        mesh == null || plain == null ? Double.NaN : mesh.throughput / plain.throughput);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
