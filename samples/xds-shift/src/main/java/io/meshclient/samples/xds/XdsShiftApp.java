package io.meshclient.samples.xds;

import com.sun.net.httpserver.HttpServer;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A control plane shifts Bookinfo's reviews traffic 100/0 -> 80/20 -> 0/100 between v1 and v3 while one
 * mesh, configured only with the xDS server's address, calls {@code http://reviews/}; each version's
 * traffic is counted by the two reviews servers and printed.
 */
public final class XdsShiftApp {
  private XdsShiftApp() {}

  /** What the two reviews servers received while one version of the split was in force. */
  record Step(String version, int v1Percent, int reviewsV1, int reviewsV3, int failed) {
    @Override
    public String toString() {
      return String.format("version %s (v1 %3d%% / v3 %3d%%): reviews-v1 received %4d, reviews-v3 received %4d, "
          + "failed %d", version, v1Percent, 100 - v1Percent, reviewsV1, reviewsV3, failed);
    }
  }

  public static void main(String[] args) throws Exception {
    run(args.length > 0 ? Integer.parseInt(args[0]) : 1_000, step -> System.out.println(step));
  }

  /**
   * Shifts 100/0 -> 80/20 -> 0/100, sending {@code calls} calls once the mesh has taken each version (its
   * discovery status shows the version of the route configuration accepted), and reports each step.
   */
  static List<Step> run(int calls, Consumer<Step> report) throws Exception {
    AtomicInteger v1 = new AtomicInteger();
    AtomicInteger v3 = new AtomicInteger();
    HttpServer reviewsV1 = server("reviews-v1", v1);
    HttpServer reviewsV3 = server("reviews-v3", v3);
    List<Step> steps = new ArrayList<>();
    try (ReviewsControlPlane controlPlane = new ReviewsControlPlane(reviewsV1.getAddress().getPort(),
        reviewsV3.getAddress().getPort())) {
      controlPlane.split("1", 100);
      MeshConfig config = MeshConfig.builder().discovery("xds", Map.of("server-uri", controlPlane.target(),
          "node-id", "sidecar~127.0.0.1~productpage-v1.default~default.svc.cluster.local",
          "services", Map.of("reviews", ReviewsControlPlane.HOST + ":9080"))).build();
      try (Mesh mesh = Mesh.builder().config(config).build()) {
        OkHttpClient http = mesh.httpClient();
        String[][] versions = {{"1", "100"}, {"2", "80"}, {"3", "0"}};
        for (String[] version : versions) {
          controlPlane.split(version[0], Integer.parseInt(version[1]));
          awaitVersion(mesh, version[0]);
          v1.set(0);
          v3.set(0);
          int failed = 0;
          for (int i = 0; i < calls; i++) {
            try (Response r = http.newCall(new Request.Builder().url("http://reviews/reviews/0").build()).execute()) {
              r.body().string();
              failed += r.code() == 200 ? 0 : 1;
            } catch (IOException e) {
              failed++;
            }
          }
          Step step = new Step(version[0], Integer.parseInt(version[1]), v1.get(), v3.get(), failed);
          steps.add(step);
          report.accept(step);
        }
      }
    } finally {
      reviewsV1.stop(0);
      reviewsV3.stop(0);
    }
    return steps;
  }

  /** Waits (at most 5 s) until the mesh's xDS discovery has accepted {@code version} of the routes. */
  private static void awaitVersion(Mesh mesh, String version) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!version.equals(mesh.discoveryStatus().get("xds").details().get("version.rds"))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the mesh did not take routes version " + version + " within 5 s: "
            + mesh.discoveryStatus().get("xds"));
      }
      Thread.sleep(10);
    }
  }

  private static HttpServer server(String name, AtomicInteger count) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
    byte[] body = name.getBytes(StandardCharsets.UTF_8);
    server.createContext("/", exchange -> {
      count.incrementAndGet();
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.setExecutor(Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    }));
    server.start();
    return server;
  }
}
