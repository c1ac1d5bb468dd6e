package io.meshclient.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The backends of {@code run.sh tail} (issue 20): two pools of three loopback backends served by one
 * {@link EmbeddedBackend} JVM, the pool with one bad instance (the first) and an all-healthy pool for the
 * {@code @healthy} runs; in front of the bad pool, the load harness's nginx sidecar (round-robin) and an
 * HAProxy sidecar ({@code balance leastconn}). A missing nginx or HAProxy leaves its port at -1.
 */
final class TailBackends implements AutoCloseable {
  final List<Integer> badPool;
  final List<Integer> healthyPool;
  final int nginxPort;
  final int haproxyPort;
  final String description;
  private final Process backend;
  private final Process nginx;
  private final Process haproxy;

  private TailBackends(List<Integer> badPool, List<Integer> healthyPool, int nginxPort, int haproxyPort,
      String description, Process backend, Process nginx, Process haproxy) {
    this.badPool = badPool;
    this.healthyPool = healthyPool;
    this.nginxPort = nginxPort;
    this.haproxyPort = haproxyPort;
    this.description = description;
    this.backend = backend;
    this.nginx = nginx;
    this.haproxy = haproxy;
  }

  /** Starts the backends of {@code scenario}, and the sidecars whose binary is not null. */
  static TailBackends start(Path dir, TailScenario scenario, String nginxBinary, String haproxyBinary,
      String javaClassPath) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    List<Integer> bad = List.of(Backends.freePort(), Backends.freePort(), Backends.freePort());
    List<Integer> healthy = List.of(Backends.freePort(), Backends.freePort(), Backends.freePort());
    List<String> cmd = new ArrayList<>(List.of(Backends.javaBinary(), "-Xms256m", "-Xmx256m", "-XX:+UseG1GC", "-cp",
        javaClassPath, EmbeddedBackend.class.getName()));
    for (int i = 0; i < bad.size(); i++) {
      cmd.add(i == 0 ? scenario.badSpec(bad.get(i)) : scenario.healthySpec(bad.get(i)));
    }
    healthy.forEach(p -> cmd.add(scenario.healthySpec(p)));
    Path log = dir.resolve("tail-backends.log");
    Process backend = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Process nginx = null;
    Process haproxy = null;
    int nginxPort = -1;
    int haproxyPort = -1;
    try {
      List<Integer> all = new ArrayList<>(bad);
      all.addAll(healthy);
      Backends.awaitListening(all, backend, log);
      StringBuilder description = new StringBuilder("embedded Netty backends (own JVM): ").append(scenario.describe());
      if (nginxBinary != null) {
        nginxPort = Backends.freePort();
        nginx = Backends.startNginx(nginxBinary, dir, "sidecar", Backends.sidecarConfig(dir, bad, nginxPort));
        Backends.awaitListening(List.of(nginxPort), nginx, dir.resolve("sidecar-error.log"));
        description.append("; sidecar ").append(Backends.nginxVersion(nginxBinary)).append(" (1 worker, round-robin)");
      }
      if (haproxyBinary != null) {
        haproxyPort = Backends.freePort();
        Path conf = dir.resolve("haproxy.cfg");
        Files.writeString(conf, haproxyConfig(bad, haproxyPort));
        Path haproxyLog = dir.resolve("haproxy.log");
        haproxy = new ProcessBuilder(haproxyBinary, "-db", "-f", conf.toString()).redirectErrorStream(true)
            .redirectOutput(haproxyLog.toFile()).start();
        Backends.awaitListening(List.of(haproxyPort), haproxy, haproxyLog);
        description.append("; HAProxy ").append(haproxyVersion(haproxyBinary)).append(" (1 thread, leastconn)");
      }
      return new TailBackends(bad, healthy, nginxPort, haproxyPort, description.toString(), backend, nginx, haproxy);
    } catch (IOException | InterruptedException | RuntimeException e) {
      for (Process p : new Process[] {haproxy, nginx, backend}) {
        Backends.stop(p);
      }
      throw e;
    }
  }

  /**
   * HAProxy as a competent sidecar, the same in both runs: one thread (nginx has one worker), {@code
   * balance leastconn}, keep-alive on both sides with idle server connections shared between client
   * connections ({@code http-reuse always}), and up to 2 retries of a connection failure, an empty
   * response, a response timeout or a 503, each on another server ({@code option redispatch 1}).
   */
  static String haproxyConfig(List<Integer> ports, int port) {
    StringBuilder servers = new StringBuilder();
    for (int i = 0; i < ports.size(); i++) {
      servers.append("  server b").append(i + 1).append(" 127.0.0.1:").append(ports.get(i)).append('\n');
    }
    return "global\n"
        + "  nbthread 1\n"
        + "  maxconn 4096\n"
        + "defaults\n"
        + "  mode http\n"
        + "  option http-keep-alive\n"
        + "  http-reuse always\n"
        + "  timeout connect 1s\n"
        + "  timeout client 600s\n"
        + "  timeout server 600s\n"
        + "  timeout http-keep-alive 600s\n"
        + "  timeout http-request 600s\n"
        + "  retries 2\n"
        + "  retry-on conn-failure empty-response response-timeout 503\n"
        + "  option redispatch 1\n"
        + "frontend sidecar\n"
        + "  bind 127.0.0.1:" + port + "\n"
        + "  default_backend pool\n"
        + "backend pool\n"
        + "  balance leastconn\n"
        + servers;
  }

  private static String haproxyVersion(String binary) {
    try {
      Process p = new ProcessBuilder(binary, "-v").redirectErrorStream(true).start();
      String v = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("");
      p.waitFor(5, TimeUnit.SECONDS);
      return v.replace("HAProxy version ", "").replaceAll(" .*", "");
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  /** The processes of the proxy {@code mode} goes through (none for the client-side modes). */
  List<Long> proxyPids(Mode mode) {
    if (mode == Mode.SIDECAR && nginx != null) {
      return nginx.children().map(ProcessHandle::pid).toList();
    }
    if (mode == Mode.HAPROXY && haproxy != null) {
      return List.of(haproxy.pid());
    }
    return List.of();
  }

  /** How many requests each of {@code ports} has served so far, asked of the backend JVM itself. */
  static long[] requestCounts(List<Integer> ports) throws IOException {
    long[] out = new long[ports.size()];
    for (int i = 0; i < out.length; i++) {
      java.net.URL url = new java.net.URL("http://127.0.0.1:" + ports.get(i) + EmbeddedBackend.COUNT_PATH);
      try (java.io.InputStream in = url.openStream()) {
        out[i] = Long.parseLong(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim());
      }
    }
    return out;
  }

  List<Long> backendPids() {
    return List.of(backend.pid());
  }

  @Override
  public void close() {
    Backends.stop(haproxy);
    Backends.stop(nginx);
    Backends.stop(backend);
  }
}
