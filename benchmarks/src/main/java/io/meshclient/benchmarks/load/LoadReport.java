package io.meshclient.benchmarks.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the mode summaries of one run into the Markdown table, the ratios to {@code okhttp}, the target
 * checks (reported, never asserted) and the final line.
 */
final class LoadReport {
  private final Map<Mode, ModeSummary> modes = new LinkedHashMap<>();
  final List<Target> targets = new ArrayList<>();

  /** One of issue 5's targets: what it asks, what was measured, whether it is met (null: not measured). */
  record Target(String name, String requirement, String measured, Boolean met) {}

  LoadReport(List<ModeSummary> summaries) {
    summaries.forEach(s -> modes.put(s.mode, s));
    evaluateTargets();
  }

  ModeSummary get(Mode mode) {
    return modes.get(mode);
  }

  String table() {
    StringBuilder out = new StringBuilder();
    out.append("| mode | req/s (min-max) | p50 µs | p90 µs | p99 µs | p99.9 µs | client CPU µs/req | proxy CPU µs/req"
        + " | backend CPU µs/req | total CPU µs/req | alloc B/req | failed |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (ModeSummary m : modes.values()) {
      out.append(String.format(Locale.ROOT,
          "| %s | %,.0f (%,.0f-%,.0f) | %.0f | %.0f | %.0f | %.0f | %.1f | %.1f | %.1f | %.1f | %,.0f | %d |%n",
          m.mode.id, m.throughput, m.throughputMin, m.throughputMax, m.p50(), m.p90(), m.p99(), m.p999(),
          m.clientCpuMicros, m.proxyCpuMicros, m.backendCpuMicros, m.totalCpuMicros, m.allocatedPerRequest,
          m.failed));
    }
    return out.toString();
  }

  String ratios() {
    ModeSummary base = modes.get(Mode.OKHTTP);
    if (base == null) {
      return "(no okhttp run: no ratios)\n";
    }
    StringBuilder out = new StringBuilder();
    out.append("Ratios to okhttp from this run (CPU as a difference, µs/req):\n\n");
    out.append("| mode | throughput | p50 | p99 | client CPU Δ | load-thread CPU Δ | total CPU Δ | alloc Δ B/req |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (ModeSummary m : modes.values()) {
      out.append(String.format(Locale.ROOT, "| %s/okhttp | %.3f | %.3f | %.3f | %+.1f | %+.1f | %+.1f | %+,.0f |%n",
          m.mode.id, m.throughput / base.throughput, m.p50() / base.p50(), m.p99() / base.p99(),
          m.clientCpuMicros - base.clientCpuMicros, m.loadThreadCpuMicros - base.loadThreadCpuMicros,
          m.totalCpuMicros - base.totalCpuMicros, m.allocatedPerRequest - base.allocatedPerRequest));
    }
    ModeSummary aa = modes.get(Mode.OKHTTP_AA);
    if (aa != null) {
      out.append(String.format(Locale.ROOT, "%nA/A noise floor (okhttp-aa vs okhttp): throughput %+.1f%%, p50 %+.1f µs,"
              + " p99 %+.1f µs (%+.1f%%), client CPU %+.2f µs/req, load-thread CPU %+.2f µs/req%n",
          100 * (aa.throughput / base.throughput - 1), aa.p50() - base.p50(), aa.p99() - base.p99(),
          100 * (aa.p99() / base.p99() - 1), aa.clientCpuMicros - base.clientCpuMicros,
          aa.loadThreadCpuMicros - base.loadThreadCpuMicros));
    }
    ModeSummary armeria = modes.get(Mode.ARMERIA);
    ModeSummary armeriaRaw = modes.get(Mode.ARMERIA_RAW);
    ModeSummary mesh = modes.get(Mode.MESH);
    if (armeria != null && armeriaRaw != null && mesh != null) {
      out.append(String.format(Locale.ROOT, "Balancing overhead over each library's own floor: mesh/okhttp throughput %.3f,"
              + " client CPU %+.1f µs/req; armeria(EndpointGroup)/armeria-raw throughput %.3f, client CPU %+.1f µs/req%n",
          mesh.throughput / base.throughput, mesh.clientCpuMicros - base.clientCpuMicros,
          armeria.throughput / armeriaRaw.throughput, armeria.clientCpuMicros - armeriaRaw.clientCpuMicros));
    }
    return out.toString();
  }

  /**
   * Where each mode's client CPU went, from {@code /proc/self/task} (median run by client CPU): the
   * load threads, GC, the JIT compilers and every other thread group over 0.5 µs/req.
   */
  String cpuBreakdown() {
    StringBuilder out = new StringBuilder("Client CPU by thread group, µs/req (median run; all JVM threads, from /proc):\n\n");
    out.append("| mode | client CPU | load threads | GC | JIT | other threads |\n|---|---:|---:|---:|---:|---|\n");
    for (ModeSummary m : modes.values()) {
      if (m.runs.isEmpty()) {
        continue;
      }
      RunResult median = m.runs.stream().sorted(java.util.Comparator.comparingDouble(RunResult::clientCpuMicros))
          .toList().get(m.runs.size() / 2);
      double load = 0;
      double gc = 0;
      double jit = 0;
      Map<String, Double> other = new LinkedHashMap<>();
      for (Map.Entry<String, Double> e : median.threadCpuMicrosByGroup().entrySet()) {
        String g = e.getKey();
        if (g.startsWith("load-")) {
          load += e.getValue();
        } else if (g.startsWith("GC ") || g.startsWith("G1 ")) {
          gc += e.getValue();
        } else if (g.contains("CompilerThre")) {
          jit += e.getValue();
        } else {
          other.merge(g, e.getValue(), Double::sum);
        }
      }
      StringBuilder others = new StringBuilder();
      other.entrySet().stream().filter(e -> e.getValue() >= 0.5)
          .forEach(e -> others.append(others.length() == 0 ? "" : ", ")
              .append(String.format(Locale.ROOT, "%s %.1f", e.getKey().trim(), e.getValue())));
      out.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %s |%n", m.mode.id,
          median.clientCpuMicros(), load, gc, jit, others));
    }
    return out.toString();
  }

  String targetsText() {
    return targetsTable("Issue 5 targets (reported, not asserted)", targets);
  }

  /** {@code title:} and a Markdown table of the targets: requirement, measured value, met (yes, NO, n/a). */
  static String targetsTable(String title, List<Target> targets) {
    StringBuilder out = new StringBuilder(title + ":\n\n");
    out.append("| target | requirement | measured | met |\n|---|---|---|---|\n");
    for (Target t : targets) {
      out.append("| ").append(t.name).append(" | ").append(t.requirement).append(" | ").append(t.measured)
          .append(" | ").append(t.met == null ? "n/a" : t.met ? "yes" : "NO").append(" |\n");
    }
    return out.toString();
  }

  private void evaluateTargets() {
    ModeSummary ok = modes.get(Mode.OKHTTP);
    ModeSummary aa = modes.get(Mode.OKHTTP_AA);
    ModeSummary mesh = modes.get(Mode.MESH);
    ModeSummary sidecar = modes.get(Mode.SIDECAR);
    ModeSummary mirror = modes.get(Mode.MESH_MIRROR);
    if (mirror != null && mesh != null && ok != null && aa != null) {
      double spread = Math.abs(aa.p99() - ok.p99());
      double delta = mirror.p99() - mesh.p99();
      add("mirror to a hanging target: caller p99", "mesh-mirror - mesh <= A/A spread",
          fmt("%+.0f µs (A/A spread %.0f µs)", delta, spread), delta <= spread);
    }
    if (ok != null && mesh != null) {
      double cpu = mesh.clientCpuMicros - ok.clientCpuMicros;
      add("mesh client CPU", "<= okhttp + 3 µs/req",
          fmt("%+.2f µs/req (load threads only: %+.2f)", cpu, mesh.loadThreadCpuMicros - ok.loadThreadCpuMicros), cpu <= 3);
      double thr = mesh.throughput / ok.throughput;
      add("mesh/okhttp throughput", ">= 0.95", fmt("%.3f", thr), thr >= 0.95);
      double p50 = mesh.p50() - ok.p50();
      add("mesh p50", "<= okhttp + 15 µs", fmt("%+.1f µs", p50), p50 <= 15);
      if (aa != null) {
        double spread = Math.abs(aa.p99() - ok.p99());
        double p99 = mesh.p99() - ok.p99();
        add("mesh p99", "<= okhttp + A/A spread + 50 µs",
            fmt("%+.1f µs (A/A spread %.1f µs)", p99, spread), p99 <= spread + 50);
      } else {
        add("mesh p99", "<= okhttp + A/A spread + 50 µs", "no okhttp-aa run", null);
      }
    }
    if (sidecar != null && mesh != null) {
      double thr = mesh.throughput / sidecar.throughput;
      add("mesh/sidecar throughput", ">= 1.35", fmt("%.3f", thr), thr >= 1.35);
      double cpu = sidecar.totalCpuMicros - mesh.totalCpuMicros;
      add("sidecar - mesh total CPU", ">= 20 µs/req", fmt("%.1f µs/req", cpu), cpu >= 20);
      double p50 = mesh.p50() / sidecar.p50();
      add("mesh p50 / sidecar p50", "<= 0.75", fmt("%.3f", p50), p50 <= 0.75);
    }
    for (Mode peer : new Mode[] {Mode.SPRING_LB, Mode.STORK}) {
      ModeSummary p = modes.get(peer);
      if (p != null && mesh != null) {
        add("mesh vs " + peer + " throughput", ">= " + peer, fmt("%.3f", mesh.throughput / p.throughput),
            mesh.throughput >= p.throughput);
        add("mesh vs " + peer + " client CPU", "<= " + peer,
            fmt("%.1f vs %.1f µs/req", mesh.clientCpuMicros, p.clientCpuMicros), mesh.clientCpuMicros <= p.clientCpuMicros);
        add("mesh vs " + peer + " p99", "<= " + peer, fmt("%.0f vs %.0f µs", mesh.p99(), p.p99()), mesh.p99() <= p.p99());
      }
    }
    ModeSummary armeria = modes.get(Mode.ARMERIA);
    ModeSummary armeriaRaw = modes.get(Mode.ARMERIA_RAW);
    if (armeria != null && armeriaRaw != null && mesh != null && ok != null) {
      double meshCpu = mesh.clientCpuMicros - ok.clientCpuMicros;
      double armCpu = armeria.clientCpuMicros - armeriaRaw.clientCpuMicros;
      add("balancing CPU overhead vs Armeria", "mesh - okhttp <= armeria - armeria-raw",
          fmt("%+.2f vs %+.2f µs/req", meshCpu, armCpu), meshCpu <= armCpu);
      double meshThr = mesh.throughput / ok.throughput;
      double armThr = armeria.throughput / armeriaRaw.throughput;
      add("balancing throughput cost vs Armeria", "mesh/okhttp >= armeria/armeria-raw",
          fmt("%.3f vs %.3f", meshThr, armThr), meshThr >= armThr);
    }
  }

  private void add(String name, String requirement, String measured, Boolean met) {
    targets.add(new Target(name, requirement, measured, met));
  }

  /** The one-line summary issue 5 asks for; NaN where a mode was not run. */
  String finalLine() {
    ModeSummary ok = modes.get(Mode.OKHTTP);
    ModeSummary aa = modes.get(Mode.OKHTTP_AA);
    ModeSummary mesh = modes.get(Mode.MESH);
    ModeSummary sidecar = modes.get(Mode.SIDECAR);
    double nan = Double.NaN;
    boolean base = ok != null && mesh != null;
    boolean side = sidecar != null && mesh != null;
    return String.format(Locale.ROOT, "load mesh/okhttp_throughput=%.3f mesh_cpu_overhead_us=%.2f mesh/okhttp_p50=%.3f"
            + " mesh/okhttp_p99=%.3f aa_p99_spread=%.3f mesh/sidecar_throughput=%.3f mesh/sidecar_p50=%.3f"
            + " sidecar_minus_mesh_total_cpu_us=%.2f",
        base ? mesh.throughput / ok.throughput : nan,
        base ? mesh.clientCpuMicros - ok.clientCpuMicros : nan,
        base ? mesh.p50() / ok.p50() : nan,
        base ? mesh.p99() / ok.p99() : nan,
        ok != null && aa != null ? Math.abs(aa.p99() / ok.p99() - 1) : nan,
        side ? mesh.throughput / sidecar.throughput : nan,
        side ? mesh.p50() / sidecar.p50() : nan,
        side ? sidecar.totalCpuMicros - mesh.totalCpuMicros : nan);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
