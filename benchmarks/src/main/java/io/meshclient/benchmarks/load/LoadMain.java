package io.meshclient.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code run.sh load}: starts the backends (and the sidecar proxy), one worker JVM per client mode, and
 * runs the modes interleaved, A B C A B C, {@code --repeats} times: each mode is warmed up for {@code
 * --warmup} before its first measurement and for {@code --rewarm} before the others. Then prints the
 * table, the ratios to okhttp, the targets and the final line, and writes the JSON and the chart.
 *
 * <p>Exit status: 0 when every requested mode ran and every honesty check held (targets are never
 * asserted), 1 on a failed run, 3 when some mode could not be run at all.
 */
public final class LoadMain {
  private LoadMain() {}

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Path work = o.workDir;
    Files.createDirectories(work);
    Files.createDirectories(o.resultsDir);
    String load0 = loadAverage();
    List<String> notRun = new ArrayList<>();
    List<ModeSummary> summaries = new ArrayList<>();
    String backendText;
    System.out.printf(Locale.ROOT, "load: %d threads, warm-up %ds (then %ds), %ds x %d per mode, modes %s%n",
        o.threads, o.warmup.toSeconds(), o.rewarm.toSeconds(), o.duration.toSeconds(), o.repeats, Mode.ids(o.modes));
    try (Backends backends = Backends.start(work, o.nginx, System.getProperty("java.class.path"))) {
      backendText = backends.description;
      System.out.println("backends: " + backendText + " on ports " + backends.ports
          + (backends.sidecarPort > 0 ? ", sidecar proxy on " + backends.sidecarPort : ""));
      Map<Mode, WorkerProcess> workers = new LinkedHashMap<>();
      Map<Mode, List<RunResult>> results = new LinkedHashMap<>();
      try {
        for (Mode mode : o.modes) {
          try {
            Path jfr = o.jfrModes.contains(mode) ? o.resultsDir.resolve("load-" + mode.id + ".jfr") : null;
            workers.put(mode, WorkerProcess.start(mode, o.threads, backends, o.path, work, jfr));
            results.put(mode, new ArrayList<>());
          } catch (Exception e) {
            System.out.println("NOT RUN: " + mode + ": " + e.getMessage());
            notRun.add(mode.id + ": " + e.getMessage());
          }
        }
        Map<WorkerProcess, List<RunResult>> runs = interleave(List.copyOf(workers.values()), o.repeats, o.warmup,
            o.rewarm, o.duration, w -> () -> ProcStat.cpuNanos(backends.sidecarPids()),
            () -> ProcStat.cpuNanos(backends.backendPids()));
        runs.forEach((w, r) -> results.get(w.mode).addAll(r));
      } finally {
        workers.values().forEach(WorkerProcess::close);
      }
      results.forEach((mode, runs) -> summaries.add(new ModeSummary(mode, runs)));
    }

    LoadReport report = new LoadReport(summaries);
    String machine = machine(load0, backendText);
    printSections(machine, report.table(), report.ratios(), report.cpuBreakdown(), report.targetsText());
    printErrors(summaries, notRun);
    if (!o.modes.contains(Mode.MESH) || !o.modes.contains(Mode.OKHTTP)) {
      System.out.println("(the final line needs okhttp, okhttp-aa, mesh and sidecar; NaN marks what was not run)");
    }

    Path png = o.resultsDir.resolve("load-latest.png");
    LatencyChart.write(png, summaries, String.format(Locale.ROOT, "%d threads, %ds x %d per mode, %s; %d CPUs, load %s",
        o.threads, o.duration.toSeconds(), o.repeats, backendText.replaceAll(",.*", ""),
        Runtime.getRuntime().availableProcessors(), load0));
    Path jsonFile = o.resultsDir.resolve("load-latest.json");
    writeJson(jsonFile, o, args, machine, summaries, report, notRun);
    System.out.println("wrote " + jsonFile + " and " + png);
    System.out.println(report.finalLine());
    System.exit(notRun.isEmpty() ? 0 : 3);
  }

  /**
   * Runs the workers interleaved, A B C A B C, {@code repeats} times: each warmed up for {@code warmup}
   * before its first measurement and for {@code rewarm} before the others, and prints one line per run.
   *
   * @param proxyCpu the CPU counter of the proxy a worker's calls go through (0 when none)
   * @return each worker's runs, in order
   */
  static Map<WorkerProcess, List<RunResult>> interleave(List<WorkerProcess> workers, int repeats, Duration warmup,
      Duration rewarm, Duration duration, java.util.function.Function<WorkerProcess, java.util.function.LongSupplier> proxyCpu,
      java.util.function.LongSupplier backendCpu) throws java.io.IOException, InterruptedException {
    return interleave(workers, repeats, warmup, rewarm, duration, proxyCpu, backendCpu, new RunObserver() {});
  }

  /** Told when each run (warm-up and measurement) starts and ends, with no call in flight. */
  interface RunObserver {
    default void before(WorkerProcess worker) throws java.io.IOException {}

    default void after(WorkerProcess worker, RunResult result) throws java.io.IOException {}
  }

  static Map<WorkerProcess, List<RunResult>> interleave(List<WorkerProcess> workers, int repeats, Duration warmup,
      Duration rewarm, Duration duration, java.util.function.Function<WorkerProcess, java.util.function.LongSupplier> proxyCpu,
      java.util.function.LongSupplier backendCpu, RunObserver observer) throws java.io.IOException, InterruptedException {
    Map<WorkerProcess, List<RunResult>> results = new LinkedHashMap<>();
    workers.forEach(w -> results.put(w, new ArrayList<>()));
    for (int rep = 1; rep <= repeats; rep++) {
      for (WorkerProcess w : workers) {
        long warm = (rep == 1 ? warmup : rewarm).toMillis();
        observer.before(w);
        RunResult r = w.run(rep, warm, duration.toMillis(), proxyCpu.apply(w), backendCpu);
        observer.after(w, r);
        results.get(w).add(r);
        System.out.printf(Locale.ROOT, "  run %d %-11s %,9.0f req/s  p50 %5.0f µs  p99 %6.0f µs  client CPU %5.1f µs/req"
                + "  failed %d%s%n", rep, w.label, r.throughput(), r.histogram().getValueAtPercentile(50) / 1e3,
            r.histogram().getValueAtPercentile(99) / 1e3, r.clientCpuMicros(), r.failed(),
            r.checks().isEmpty() ? "" : "  " + r.checks());
      }
    }
    return results;
  }

  private static void writeJson(Path file, Options o, String[] args, String machine, List<ModeSummary> summaries,
      LoadReport report, List<String> notRun) throws java.io.IOException {
    Map<String, Object> root = jsonRoot(args, machine, o, summaries);
    root.put("targets", report.targets);
    root.put("notRun", notRun);
    root.put("finalLine", report.finalLine());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
  }

  /** The machine line and each section of the report, a blank line before each. */
  static void printSections(String machine, String... sections) {
    System.out.println();
    System.out.println(machine);
    for (String section : sections) {
      System.out.println();
      System.out.print(section);
    }
  }

  /** The start of a result file: when, the arguments, the machine, the settings and every mode's figures. */
  static Map<String, Object> jsonRoot(String[] args, String machine, Options o, List<ModeSummary> summaries) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("generated", Instant.now().toString());
    root.put("arguments", Arrays.asList(args));
    root.put("machine", machine);
    root.put("settings", o.settings());
    Map<String, Object> modes = new LinkedHashMap<>();
    for (ModeSummary s : summaries) {
      modes.put(s.label, modeJson(s));
    }
    root.put("modes", modes);
    return root;
  }

  /** Each mode's first error, and the modes that could not be run. */
  static void printErrors(List<ModeSummary> summaries, List<String> notRun) {
    for (ModeSummary s : summaries) {
      s.runs.stream().filter(r -> r.firstError() != null).findFirst()
          .ifPresent(r -> System.out.println("first error in " + s.label + ": " + r.firstError()));
    }
    notRun.forEach(n -> System.out.println("NOT RUN: " + n));
  }

  /** What the machine and the backends were, for the report and the JSON. */
  static String machine(String load0, String backends) {
    return Runtime.getRuntime().availableProcessors() + " CPUs, load average " + load0 + " before, "
        + loadAverage() + " after; Java " + System.getProperty("java.version") + "; backends: " + backends;
  }

  /** One mode's summary and runs, as written in the JSON files. */
  static Map<String, Object> modeJson(ModeSummary s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("description", s.mode.description);
    m.put("throughput", s.throughput);
    m.put("throughputMin", s.throughputMin);
    m.put("throughputMax", s.throughputMax);
    m.put("p50Micros", s.p50());
    m.put("p90Micros", s.p90());
    m.put("p99Micros", s.p99());
    m.put("p999Micros", s.p999());
    m.put("clientCpuMicrosPerRequest", s.clientCpuMicros);
    m.put("loadThreadCpuMicrosPerRequest", s.loadThreadCpuMicros);
    m.put("proxyCpuMicrosPerRequest", s.proxyCpuMicros);
    m.put("backendCpuMicrosPerRequest", s.backendCpuMicros);
    m.put("totalCpuMicrosPerRequest", s.totalCpuMicros);
    m.put("allocatedBytesPerRequest", s.allocatedPerRequest);
    m.put("requests", s.requests);
    m.put("failed", s.failed);
    List<Map<String, Object>> runs = new ArrayList<>();
    for (RunResult r : s.runs) {
      Map<String, Object> run = new LinkedHashMap<>();
      run.put("rep", r.rep());
      run.put("requests", r.requests());
      run.put("failed", r.failed());
      run.put("throughput", r.throughput());
      run.put("p50Micros", r.histogram().getValueAtPercentile(50) / 1e3);
      run.put("p99Micros", r.histogram().getValueAtPercentile(99) / 1e3);
      run.put("clientCpuMicrosPerRequest", r.clientCpuMicros());
      run.put("proxyCpuMicrosPerRequest", r.proxyCpuMicros());
      run.put("backendCpuMicrosPerRequest", r.backendCpuMicros());
      run.put("allocatedBytesPerRequest", r.allocatedPerRequest());
      run.put("gcCount", r.gcCount());
      run.put("gcMillis", r.gcMillis());
      run.put("jitMillis", r.jitMillis());
      run.put("clientCpuMicrosPerRequestByThreadGroup", r.threadCpuMicrosByGroup());
      run.put("checks", r.checks());
      runs.add(run);
    }
    m.put("runs", runs);
    return m;
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  /** The command line. */
  static final class Options {
    Duration duration = Duration.ofSeconds(10);
    Duration warmup = Duration.ofSeconds(10);
    Duration rewarm = Duration.ofSeconds(2);
    int threads = 8;
    int repeats = 3;
    List<Mode> modes = Mode.loadModes();
    List<Mode> jfrModes = List.of();
    String path = "/api/v1/items/1";
    String nginx;
    Path workDir = Path.of("target", "load-work");
    Path resultsDir = Path.of("results");

    /** The run's settings, as written in the JSON files. */
    Map<String, Object> settings() {
      return Map.of("threads", threads, "durationSeconds", duration.toSeconds(), "warmupSeconds", warmup.toSeconds(),
          "rewarmSeconds", rewarm.toSeconds(), "repeats", repeats, "path", path, "modes", Mode.ids(modes));
    }

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String key = args[i];
        String value = i + 1 < args.length ? args[++i] : null;
        if (value == null) {
          throw new IllegalArgumentException(key + ": missing value");
        }
        switch (key) {
          case "--duration": o.duration = duration(key, value); break;
          case "--warmup": o.warmup = duration(key, value); break;
          case "--rewarm": o.rewarm = duration(key, value); break;
          case "--threads": o.threads = Integer.parseInt(value); break;
          case "--repeats": o.repeats = Integer.parseInt(value); break;
          case "--modes": o.modes = Arrays.stream(value.split(",")).map(String::trim).map(Mode::of).toList(); break;
          case "--jfr": o.jfrModes = Arrays.stream(value.split(",")).map(String::trim).map(Mode::of).toList(); break;
          case "--path": o.path = value; break;
          case "--nginx": o.nginx = value.isEmpty() || value.equals("none") ? null : value; break;
          case "--work-dir": o.workDir = Path.of(value); break;
          case "--results-dir": o.resultsDir = Path.of(value); break;
          default:
            throw new IllegalArgumentException(key + " (expected: --duration, --warmup, --rewarm, --threads, --repeats,"
                + " --modes, --jfr, --path, --nginx, --work-dir, --results-dir)");
        }
      }
      if (o.threads < 1 || o.repeats < 1) {
        throw new IllegalArgumentException("--threads and --repeats: (expected: >= 1)");
      }
      return o;
    }

    /** {@code 10s}, {@code 500ms}, {@code 2m}, or a number of seconds. */
    static Duration duration(String key, String text) {
      String t = text.trim().toLowerCase(Locale.ROOT);
      try {
        if (t.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s")) {
          return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
        }
        if (t.endsWith("m")) {
          return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(t));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + ": " + text + " (expected: a duration such as 10s, 500ms or 2m)", e);
      }
    }
  }
}
