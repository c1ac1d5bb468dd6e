package io.meshclient.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code run.sh tail}, issue 20: the tail under one bad instance. Two runs of the load harness's method
 * (worker JVMs, interleaved rounds, HdrHistogram, the mesh's honesty checks), each against three embedded
 * backends: in the {@code slow} run one is 10 times slower than the others, in the {@code 503} run one
 * fails 20% of its calls with 503. The modes: raw OkHttp round-robin (the naive floor), the nginx sidecar
 * (round-robin), HAProxy ({@code leastconn}, retries on 503), and three mesh modes, each of which also runs
 * against an all-healthy pool of three normal backends ({@code <mode>@healthy}) in the same rounds, right
 * after it.
 *
 * <p>Each run prints its table, ratios and targets and ends with its final line (see {@link
 * TailReport#finalLine()}); writes {@code tail-<run>.json} and {@code tail-<run>.png}. Exit status: 0 when
 * every mode that could start ran and every honesty check held (targets are not asserted; a sidecar whose
 * binary is missing is skipped with a message), 1 on a failed run, 3 when a mode could not be started.
 */
public final class TailMain {
  private static final List<Mode> DEFAULT_MODES = List.of(Mode.OKHTTP, Mode.SIDECAR, Mode.HAPROXY,
      Mode.MESH_LEAST_REQUEST, Mode.MESH_PEAK_EWMA, Mode.MESH_OUTLIER);

  private TailMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> extra = new LinkedHashMap<>(Map.of("--base-ms", "1", "--slow-factor", "10",
        "--fail-percent", "20", "--seed", "20", "--scenarios", "slow,503", "--haproxy", "none"));
    List<String> loadArgs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (extra.containsKey(args[i]) && i + 1 < args.length) {
        extra.put(args[i], args[++i]);
      } else {
        loadArgs.add(args[i]);
      }
    }
    LoadMain.Options o = LoadMain.Options.parse(loadArgs.toArray(String[]::new));
    if (!loadArgs.contains("--modes")) {
      o.modes = DEFAULT_MODES;
    }
    if (!loadArgs.contains("--work-dir")) {
      o.workDir = Path.of("target", "tail-work");
    }
    long baseMicros = Math.round(Double.parseDouble(extra.get("--base-ms")) * 1000);
    long seed = Long.parseLong(extra.get("--seed"));
    String haproxy = extra.get("--haproxy").isEmpty() || extra.get("--haproxy").equals("none") ? null
        : extra.get("--haproxy");
    int status = 0;
    List<String> finalLines = new ArrayList<>();
    for (String name : extra.get("--scenarios").split(",")) {
      TailScenario scenario = switch (name.trim()) {
        case "slow" -> TailScenario.slow(baseMicros, Integer.parseInt(extra.get("--slow-factor")), seed);
        case "503" -> TailScenario.failing(baseMicros, Integer.parseInt(extra.get("--fail-percent")), seed);
        default -> throw new IllegalArgumentException("--scenarios: " + name + " (expected: slow, 503)");
      };
      Outcome outcome = runScenario(o, scenario, haproxy, args);
      status = Math.max(status, outcome.status == 1 ? 10 : outcome.status);
      finalLines.add(outcome.finalLine);
    }
    System.out.println();
    finalLines.forEach(System.out::println);
    System.exit(status == 10 ? 1 : status);
  }

  /** How one run ended: its exit status (0, 1 or 3) and its final line. */
  private record Outcome(int status, String finalLine) {}

  private static Outcome runScenario(LoadMain.Options o, TailScenario scenario, String haproxy, String[] args)
      throws Exception {
    Path work = o.workDir.resolve(scenario.name());
    Files.createDirectories(work);
    Files.createDirectories(o.resultsDir);
    String load0 = LoadMain.loadAverage();
    System.out.printf(Locale.ROOT, "%ntail, %s run: %d threads, warm-up %ds (then %ds), %ds x %d per mode, modes %s%n",
        scenario.name(), o.threads, o.warmup.toSeconds(), o.rewarm.toSeconds(), o.duration.toSeconds(), o.repeats,
        Mode.ids(o.modes));
    List<String> notRun = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<ModeSummary> summaries = new ArrayList<>();
    Map<String, List<long[]>> served = new LinkedHashMap<>();
    String description;
    int status = 0;
    try (TailBackends backends = TailBackends.start(work, scenario, o.nginx, haproxy,
        System.getProperty("java.class.path"))) {
      description = backends.description;
      System.out.println("backends: " + description + "; bad pool " + backends.badPool + ", healthy pool "
          + backends.healthyPool);
      List<WorkerProcess> workers = new ArrayList<>();
      try {
        for (Mode mode : o.modes) {
          int proxy = mode == Mode.SIDECAR ? backends.nginxPort : mode == Mode.HAPROXY ? backends.haproxyPort : -1;
          if ((mode == Mode.SIDECAR || mode == Mode.HAPROXY) && proxy < 0) {
            String why = mode.id + ": skipped, " + (mode == Mode.SIDECAR ? "nginx" : "HAProxy") + " is not available";
            System.out.println("SKIPPED: " + why);
            skipped.add(why);
            continue;
          }
          start(workers, notRun, mode, mode.id, o, backends.badPool, proxy, work);
          if (mode.id.startsWith("mesh-")) {
            start(workers, notRun, mode, mode.id + TailReport.HEALTHY, o, backends.healthyPool, -1, work);
          }
        }
        Map<WorkerProcess, List<RunResult>> runs = LoadMain.interleave(workers, o.repeats, o.warmup, o.rewarm,
            o.duration, w -> () -> ProcStat.cpuNanos(backends.proxyPids(w.mode)),
            () -> ProcStat.cpuNanos(backends.backendPids()), new ServedCounter(backends, served));
        runs.forEach((w, r) -> summaries.add(new ModeSummary(w.mode, w.label, r)));
      } catch (java.io.IOException e) {
        System.out.println("FAILED: " + e.getMessage());
        status = 1;
      } finally {
        workers.forEach(WorkerProcess::close);
      }
    }
    TailReport report = new TailReport(scenario, summaries, served);
    String machine = LoadMain.machine(load0, description);
    LoadMain.printSections(machine, report.table(), report.ratios(), report.targetsText());
    LoadMain.printErrors(summaries, notRun);
    skipped.forEach(n -> System.out.println("SKIPPED: " + n));
    if (!summaries.isEmpty()) {
      Path png = o.resultsDir.resolve("tail-" + scenario.name() + ".png");
      LatencyChart.write(png, summaries, "Tail under one bad instance (" + scenario.name() + " run), by percentile",
          String.format(Locale.ROOT, "%s; %d threads, %ds x %d per mode; %d CPUs, load %s", scenario.describe(),
              o.threads, o.duration.toSeconds(), o.repeats, Runtime.getRuntime().availableProcessors(), load0));
      Path json = o.resultsDir.resolve("tail-" + scenario.name() + ".json");
      writeJson(json, o, scenario, args, machine, summaries, report, notRun, skipped);
      System.out.println("wrote " + json + " and " + png);
    }
    System.out.println(report.finalLine());
    return new Outcome(status != 0 ? status : notRun.isEmpty() ? 0 : 3, report.finalLine());
  }

  /**
   * Counts, at the backends, the requests each instance of a worker's pool served during each of its runs
   * (warm-up included; retries and HAProxy's retries count as requests).
   */
  private static final class ServedCounter implements LoadMain.RunObserver {
    private final TailBackends backends;
    private final Map<String, List<long[]>> served;
    private long[] before;

    ServedCounter(TailBackends backends, Map<String, List<long[]>> served) {
      this.backends = backends;
      this.served = served;
    }

    private List<Integer> pool(WorkerProcess w) {
      return w.label.endsWith(TailReport.HEALTHY) ? backends.healthyPool : backends.badPool;
    }

    @Override
    public void before(WorkerProcess w) throws java.io.IOException {
      before = TailBackends.requestCounts(pool(w));
    }

    @Override
    public void after(WorkerProcess w, RunResult result) throws java.io.IOException {
      long[] after = TailBackends.requestCounts(pool(w));
      for (int i = 0; i < after.length; i++) {
        after[i] -= before[i];
      }
      served.computeIfAbsent(w.label, k -> new ArrayList<>()).add(after);
    }
  }

  private static void start(List<WorkerProcess> workers, List<String> notRun, Mode mode, String label,
      LoadMain.Options o, List<Integer> ports, int proxyPort, Path work) throws InterruptedException {
    try {
      workers.add(WorkerProcess.start(mode, label, o.threads, ports, proxyPort, o.path, work, null));
    } catch (java.io.IOException e) {
      System.out.println("NOT RUN: " + label + ": " + e.getMessage());
      notRun.add(label + ": " + e.getMessage());
    }
  }

  private static void writeJson(Path file, LoadMain.Options o, TailScenario scenario, String[] args, String machine,
      List<ModeSummary> summaries, TailReport report, List<String> notRun, List<String> skipped)
      throws java.io.IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("generated", Instant.now().toString());
    root.put("arguments", Arrays.asList(args));
    root.put("machine", machine);
    root.put("scenario", Map.of("name", scenario.name(), "description", scenario.describe(),
        "baseMicros", scenario.baseMicros(), "badMicros", scenario.badMicros(),
        "badFailPercent", scenario.badFailPercent(), "seed", scenario.seed()));
    root.put("settings", o.settings());
    Map<String, Object> modes = new LinkedHashMap<>();
    for (ModeSummary s : summaries) {
      Map<String, Object> m = LoadMain.modeJson(s);
      m.put("backendRequestsPerRun", report.served(s.label));
      m.put("badInstanceShare", report.badShare(s.label));
      modes.put(s.label, m);
    }
    root.put("modes", modes);
    root.put("best", report.best == null ? null : report.best.label);
    root.put("betterSidecar", report.sidecar == null ? null : report.sidecar.label);
    root.put("targets", report.targets);
    root.put("notRun", notRun);
    root.put("skipped", skipped);
    root.put("finalLine", report.finalLine());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
  }

}
