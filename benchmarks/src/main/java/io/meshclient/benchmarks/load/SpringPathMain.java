package io.meshclient.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code run.sh spring}, issue 20: the Spring user's path. The load harness's method (the same nginx
 * backends, one worker JVM per mode, interleaved rounds, warm-up, HdrHistogram, client CPU per request)
 * over the Spring modes only: issue 15's {@code restclient-okhttp}, {@code mesh-restclient}, {@code
 * mesh-webclient} and {@code webclient-okhttp}, and Spring Cloud LoadBalancer behind a {@code @LoadBalanced
 * RestClient.Builder} on each of its transports ({@code spring-lb}: the JDK client; {@code spring-lb-hc5}:
 * Apache HttpClient 5, pooled; {@code spring-lb-netty}: Reactor Netty).
 *
 * <p>Prints the table, the ratios, client CPU by thread group and the targets, writes {@code spring.json}
 * and {@code spring.png} in the results directory, and ends with the final line (see {@link
 * SpringPathReport#finalLine()}). Exit status: 0 when every mode ran (targets are never asserted), 1 on a
 * failed run, 3 when a mode could not be started.
 */
public final class SpringPathMain {
  static final List<Mode> DEFAULT_MODES = List.of(Mode.RESTCLIENT_OKHTTP, Mode.MESH_RESTCLIENT, Mode.MESH_WEBCLIENT,
      Mode.WEBCLIENT_OKHTTP, Mode.SPRING_LB, Mode.SPRING_LB_HC5, Mode.SPRING_LB_NETTY);

  private SpringPathMain() {}

  public static void main(String[] args) throws Exception {
    List<String> argList = Arrays.asList(args);
    LoadMain.Options o = LoadMain.Options.parse(args);
    if (!argList.contains("--modes")) {
      o.modes = DEFAULT_MODES;
    }
    if (!argList.contains("--work-dir")) {
      o.workDir = Path.of("target", "spring-work");
    }
    Files.createDirectories(o.workDir);
    Files.createDirectories(o.resultsDir);
    String load0 = LoadMain.loadAverage();
    System.out.printf(Locale.ROOT, "spring: %d threads, warm-up %ds (then %ds), %ds x %d per mode, modes %s%n",
        o.threads, o.warmup.toSeconds(), o.rewarm.toSeconds(), o.duration.toSeconds(), o.repeats, Mode.ids(o.modes));
    List<String> notRun = new ArrayList<>();
    List<ModeSummary> summaries = new ArrayList<>();
    String description;
    int status = 0;
    try (Backends backends = Backends.start(o.workDir, o.nginx, System.getProperty("java.class.path"))) {
      description = backends.description;
      System.out.println("backends: " + description + " on ports " + backends.ports);
      List<WorkerProcess> workers = new ArrayList<>();
      try {
        // Seven Spring Boot workers take about 5 s each to start here: start them side by side, before
        // any measurement (the smoke pass's share of CI is mostly start-up).
        ExecutorService starter = Executors.newFixedThreadPool(o.modes.size());
        Map<Mode, Future<WorkerProcess>> starting = new LinkedHashMap<>();
        for (Mode mode : o.modes) {
          Path jfr = o.jfrModes.contains(mode) ? o.resultsDir.resolve("spring-" + mode.id + ".jfr") : null;
          starting.put(mode, starter.submit(
              () -> WorkerProcess.start(mode, mode.id, o.threads, backends.ports, -1, o.path, o.workDir, jfr)));
        }
        starter.shutdown();
        for (Map.Entry<Mode, Future<WorkerProcess>> e : starting.entrySet()) {
          try {
            workers.add(e.getValue().get());
          } catch (ExecutionException failed) {
            System.out.println("NOT RUN: " + e.getKey() + ": " + failed.getCause().getMessage());
            notRun.add(e.getKey().id + ": " + failed.getCause().getMessage());
          }
        }
        Map<WorkerProcess, List<RunResult>> runs = LoadMain.interleave(workers, o.repeats, o.warmup, o.rewarm,
            o.duration, w -> () -> 0L, () -> ProcStat.cpuNanos(backends.backendPids()));
        runs.forEach((w, r) -> summaries.add(new ModeSummary(w.mode, r)));
      } catch (java.io.IOException e) {
        System.out.println("FAILED: " + e.getMessage());
        status = 1;
      } finally {
        workers.forEach(WorkerProcess::close);
      }
    }
    LoadReport load = new LoadReport(summaries);
    SpringPathReport report = new SpringPathReport(summaries);
    String machine = LoadMain.machine(load0, description);
    LoadMain.printSections(machine, load.table(), report.ratios(), load.cpuBreakdown(), report.targetsText());
    LoadMain.printErrors(summaries, notRun);
    if (!summaries.isEmpty()) {
      Path png = o.resultsDir.resolve("spring.png");
      LatencyChart.write(png, summaries, "The Spring user's path: latency by percentile",
          String.format(Locale.ROOT, "%d threads, %ds x %d per mode, %s; %d CPUs, load %s", o.threads,
              o.duration.toSeconds(), o.repeats, description.replaceAll(",.*", ""),
              Runtime.getRuntime().availableProcessors(), load0));
      Path json = o.resultsDir.resolve("spring.json");
      writeJson(json, o, args, machine, summaries, report, notRun);
      System.out.println("wrote " + json + " and " + png);
    }
    System.out.println(report.finalLine());
    System.exit(status != 0 ? status : notRun.isEmpty() ? 0 : 3);
  }

  private static void writeJson(Path file, LoadMain.Options o, String[] args, String machine,
      List<ModeSummary> summaries, SpringPathReport report, List<String> notRun) throws java.io.IOException {
    Map<String, Object> root = LoadMain.jsonRoot(args, machine, o, summaries);
    root.put("bestSclb", report.bestSclb == null ? null : report.bestSclb.label);
    root.put("targets", report.targets);
    root.put("notRun", notRun);
    root.put("finalLine", report.finalLine());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
  }
}
