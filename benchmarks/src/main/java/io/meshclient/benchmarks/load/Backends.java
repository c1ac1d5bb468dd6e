package io.meshclient.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The three loopback backends and the sidecar proxy. With nginx: one nginx (one worker) serving three
 * server blocks, and a second nginx (one worker) as the reverse proxy in front of them, with upstream
 * keep-alive. Without nginx: three ports served by {@link EmbeddedBackend} in its own JVM, and no
 * sidecar. CPU is read from {@code /proc} for the worker processes (or the embedded JVM).
 */
final class Backends implements AutoCloseable {
  static final String BODY = "{\"id\":1,\"name\":\"item-1\",\"price\":9.99,\"tags\":[\"a\",\"b\"],\"backend\":%d}";

  final List<Integer> ports;
  final int sidecarPort;
  final String description;
  private final Process backendProcess;
  private final Process sidecarProcess;
  private final boolean nginx;

  private Backends(List<Integer> ports, int sidecarPort, String description, Process backendProcess,
      Process sidecarProcess, boolean nginx) {
    this.ports = ports;
    this.sidecarPort = sidecarPort;
    this.description = description;
    this.backendProcess = backendProcess;
    this.sidecarProcess = sidecarProcess;
    this.nginx = nginx;
  }

  /** Starts nginx backends and sidecar if {@code nginxBinary} is not null, else the embedded backends. */
  static Backends start(Path workDir, String nginxBinary, String javaClassPath) throws IOException, InterruptedException {
    Files.createDirectories(workDir);
    List<Integer> ports = List.of(freePort(), freePort(), freePort());
    if (nginxBinary != null) {
      Process backends = startNginx(nginxBinary, workDir, "backends", backendConfig(workDir, ports));
      awaitListening(ports, backends, workDir.resolve("backends-error.log"));
      int sidecarPort = freePort();
      Process sidecar = startNginx(nginxBinary, workDir, "sidecar", sidecarConfig(workDir, ports, sidecarPort));
      awaitListening(List.of(sidecarPort), sidecar, workDir.resolve("sidecar-error.log"));
      return new Backends(ports, sidecarPort, nginxVersion(nginxBinary) + ", 1 worker for the 3 backends, 1 for the proxy",
          backends, sidecar, true);
    }
    List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-Xms256m", "-Xmx256m", "-cp", javaClassPath,
        EmbeddedBackend.class.getName()));
    ports.forEach(p -> cmd.add(Integer.toString(p)));
    Process embedded = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(workDir.resolve("embedded-backend.log").toFile()).start();
    awaitListening(ports, embedded, workDir.resolve("embedded-backend.log"));
    return new Backends(ports, -1, "embedded Netty server in its own JVM (nginx not available); no sidecar",
        embedded, null, false);
  }

  /** The processes that serve the backends: nginx workers, or the embedded JVM. */
  List<Long> backendPids() {
    return nginx ? children(backendProcess) : List.of(backendProcess.pid());
  }

  /** The nginx worker processes of the sidecar proxy, or none. */
  List<Long> sidecarPids() {
    return sidecarProcess == null ? List.of() : children(sidecarProcess);
  }

  private static List<Long> children(Process p) {
    return p.children().map(ProcessHandle::pid).toList();
  }

  private static String backendConfig(Path dir, List<Integer> ports) {
    StringBuilder servers = new StringBuilder();
    for (int i = 0; i < ports.size(); i++) {
      servers.append("    server {\n")
          .append("      listen 127.0.0.1:").append(ports.get(i)).append(";\n")
          .append("      location / {\n")
          .append("        default_type application/json;\n")
          .append("        return 200 '").append(String.format(BODY, i + 1)).append("';\n")
          .append("      }\n")
          .append("    }\n");
    }
    return common(dir, "backends") + servers + "}\n";
  }

  static String sidecarConfig(Path dir, List<Integer> ports, int port) {
    StringBuilder upstream = new StringBuilder("    upstream backends {\n");
    ports.forEach(p -> upstream.append("      server 127.0.0.1:").append(p).append(";\n"));
    upstream.append("      keepalive 64;\n")
        .append("      keepalive_requests 100000000;\n")
        .append("      keepalive_timeout 600s;\n")
        .append("    }\n");
    return common(dir, "sidecar") + upstream
        + "    server {\n"
        + "      listen 127.0.0.1:" + port + ";\n"
        + "      location / {\n"
        + "        proxy_pass http://backends;\n"
        + "        proxy_http_version 1.1;\n"
        + "        proxy_set_header Connection \"\";\n"
        + "      }\n"
        + "    }\n"
        + "}\n";
  }

  static String common(Path dir, String name) {
    Path tmp = dir.resolve(name + "-tmp");
    return "worker_processes 1;\n"
        + "daemon off;\n"
        + "master_process on;\n"
        + "pid " + dir.resolve(name + ".pid") + ";\n"
        + "error_log " + dir.resolve(name + "-error.log") + " warn;\n"
        + "events { worker_connections 4096; }\n"
        + "http {\n"
        + "    access_log off;\n"
        + "    keepalive_timeout 600s;\n"
        + "    keepalive_requests 100000000;\n"
        + "    client_body_temp_path " + tmp.resolve("body") + ";\n"
        + "    proxy_temp_path " + tmp.resolve("proxy") + ";\n"
        + "    fastcgi_temp_path " + tmp.resolve("fastcgi") + ";\n"
        + "    uwsgi_temp_path " + tmp.resolve("uwsgi") + ";\n"
        + "    scgi_temp_path " + tmp.resolve("scgi") + ";\n";
  }

  static Process startNginx(String binary, Path dir, String name, String config) throws IOException {
    Path conf = dir.resolve(name + ".conf");
    Files.writeString(conf, config);
    Files.createDirectories(dir.resolve(name + "-tmp"));
    return new ProcessBuilder(binary, "-p", dir.toString(), "-e", dir.resolve(name + "-error.log").toString(),
        "-c", conf.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + "-stdout.log").toFile())
        .start();
  }

  static String nginxVersion(String binary) {
    try {
      Process p = new ProcessBuilder(binary, "-v").redirectErrorStream(true).start();
      String v = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor(5, TimeUnit.SECONDS);
      return v.replace("nginx version: ", "");
    } catch (IOException e) {
      return "nginx";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "nginx";
    }
  }

  static void awaitListening(List<Integer> ports, Process process, Path log)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (int port : ports) {
      while (true) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 200);
          break;
        } catch (IOException e) {
          if (!process.isAlive() || System.nanoTime() > deadline) {
            String detail = Files.exists(log) ? Files.readString(log) : "";
            process.destroyForcibly();
            throw new IOException("backend on port " + port + " did not start: " + detail.trim());
          }
          Thread.sleep(50);
        }
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @Override
  public void close() {
    stop(sidecarProcess);
    stop(backendProcess);
  }

  /** Stops {@code p} if it runs: SIGTERM, then after 5 s SIGKILL to it and its children. */
  static void stop(Process p) {
    if (p != null && p.isAlive()) {
      // SIGTERM: nginx's master stops its workers ("fast shutdown"); a JVM or HAProxy just exits.
      p.destroy();
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.children().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
