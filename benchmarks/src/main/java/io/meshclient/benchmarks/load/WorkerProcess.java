package io.meshclient.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** A {@link LoadWorker} JVM for one mode, and the orchestrator's side of its protocol. */
final class WorkerProcess implements AutoCloseable {
  private static final String EOF = "\u0000eof";

  final Mode mode;
  /** The mode's id, or another name when one mode runs against two pools ({@code mesh-outlier@healthy}). */
  final String label;
  private final Process process;
  private final Writer commands;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Path log;
  private final ObjectMapper json = new ObjectMapper();

  private WorkerProcess(Mode mode, String label, Process process, Path log) {
    this.mode = mode;
    this.label = label;
    this.process = process;
    this.log = log;
    this.commands = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::pump, "worker-" + label + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts the worker JVM and waits until its client is built.
   *
   * @param jfrFile a JFR recording to write (profile settings), or null
   */
  static WorkerProcess start(Mode mode, int threads, Backends backends, String path, Path workDir, Path jfrFile)
      throws IOException, InterruptedException {
    return start(mode, mode.id, threads, backends.ports, backends.sidecarPort, path, workDir, jfrFile);
  }

  /**
   * Starts the worker JVM of {@code mode} against the given backend ports and proxy port (-1: none), and
   * waits until its client is built.
   *
   * @param label the name of this worker in logs and reports
   * @param jfrFile a JFR recording to write (profile settings), or null
   */
  static WorkerProcess start(Mode mode, String label, int threads, List<Integer> ports, int proxyPort, String path,
      Path workDir, Path jfrFile) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Backends.javaBinary(),
        "-Xms512m", "-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true"));
    if (jfrFile != null) {
      cmd.add("-XX:StartFlightRecording=filename=" + jfrFile + ",settings=" + samplingSettings(workDir)
          + ",dumponexit=true");
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LoadWorker.class.getName(),
        "--mode", mode.id, "--threads", Integer.toString(threads),
        "--ports", String.join(",", ports.stream().map(String::valueOf).toList()),
        "--sidecar-port", Integer.toString(proxyPort), "--path", path));
    Path log = workDir.resolve("worker-" + label + ".log");
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    WorkerProcess worker = new WorkerProcess(mode, label, p, log);
    String first = worker.next(180);
    if (!"READY".equals(first)) {
      worker.close();
      throw new IOException("the " + label + " worker did not start: " + first + " (see " + log + ")");
    }
    return worker;
  }

  /**
   * JFR's "profile" settings with Java execution sampled every 1 ms instead of 10 ms: a 10 s run then
   * holds enough samples to split the mesh's few microseconds by concern.
   */
  private static Path samplingSettings(Path workDir) throws IOException {
    Path profile = Path.of(System.getProperty("java.home"), "lib", "jfr", "profile.jfc");
    Path out = workDir.resolve("sampling-1ms.jfc");
    String jfc = Files.readString(profile).replace(
        "<setting name=\"period\" control=\"method-sampling-java-interval\">10 ms</setting>",
        "<setting name=\"period\" control=\"method-sampling-java-interval\">1 ms</setting>");
    Files.writeString(out, jfc);
    return out;
  }

  /**
   * Runs warm-up then measurement, sampling the given CPU counters when the window opens and closes.
   *
   * @return the worker's result, with {@code proxyCpuNanos} and {@code backendCpuNanos} added
   */
  RunResult run(int rep, long warmupMillis, long measureMillis, LongSupplier proxyCpu, LongSupplier backendCpu)
      throws IOException, InterruptedException {
    commands.write("run " + warmupMillis + " " + measureMillis + "\n");
    commands.flush();
    long timeout = (warmupMillis + measureMillis) / 1000 + 120;
    expect("START", timeout);
    long proxy0 = proxyCpu.getAsLong();
    long backend0 = backendCpu.getAsLong();
    expect("END", timeout);
    long proxy1 = proxyCpu.getAsLong();
    long backend1 = backendCpu.getAsLong();
    String result = next(timeout);
    if (result == null || !result.startsWith("RESULT ")) {
      throw new IOException("the " + label + " worker failed: " + result + " (see " + log + ")");
    }
    JsonNode node = json.readTree(result.substring("RESULT ".length()));
    return RunResult.of(mode, rep, node, proxy1 - proxy0, backend1 - backend0);
  }

  private void expect(String what, long timeoutSeconds) throws IOException, InterruptedException {
    String line = next(timeoutSeconds);
    if (!what.equals(line)) {
      throw new IOException("the " + label + " worker said " + line + ", expected " + what + " (see " + log + ")");
    }
  }

  /** The next protocol line without its "@@ " prefix, or null on timeout or exit. */
  private String next(long timeoutSeconds) throws InterruptedException {
    String line = lines.poll(timeoutSeconds, TimeUnit.SECONDS);
    return line == null || line.equals(EOF) ? null : line;
  }

  private void pump() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("@@ ")) {
          lines.add(line.substring(3));
        } else {
          Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
      }
    } catch (IOException e) {
      // The worker is gone; next() sees EOF.
    } finally {
      lines.add(EOF);
    }
  }

  @Override
  public void close() {
    try {
      commands.write("quit\n");
      commands.flush();
    } catch (IOException e) {
      // Already gone.
    }
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
