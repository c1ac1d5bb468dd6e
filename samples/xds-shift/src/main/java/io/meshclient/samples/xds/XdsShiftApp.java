package io.meshclient.samples.xds;

import com.sun.net.httpserver.HttpServer;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A control plane shifts Bookinfo's reviews traffic 100/0 -> 80/20 -> 0/100 between v1 and v3 while one
 * mesh, configured only with the xDS server's address, calls {@code http://reviews/}; each version's
 * traffic is counted by the two reviews servers.
 */
public final class XdsShiftApp {
  private XdsShiftApp() {}

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    AtomicInteger v1 = new AtomicInteger();
    AtomicInteger v3 = new AtomicInteger();
    HttpServer reviewsV1 = server("reviews-v1", v1);
    HttpServer reviewsV3 = server("reviews-v3", v3);
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
          Thread.sleep(500); // the control plane pushes; the mesh ACKs and swaps the route in
          v1.set(0);
          v3.set(0);
          for (int i = 0; i < calls; i++) {
            try (Response r = http.newCall(new Request.Builder().url("http://reviews/reviews/0").build()).execute()) {
              r.body().string();
            }
          }
          System.out.printf("version %s (v1 %3s%% / v3 %3d%%): reviews-v1 received %4d, reviews-v3 received %4d%n",
              version[0], version[1], 100 - Integer.parseInt(version[1]), v1.get(), v3.get());
        }
      }
    } finally {
      reviewsV1.stop(0);
      reviewsV3.stop(0);
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
