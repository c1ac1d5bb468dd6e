package com.example.consumer;

import com.sun.net.httpserver.HttpServer;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** Runs the README's usage example against a loopback server standing in for "reviews". */
public final class ReadmeExample {
  public static void main(String[] args) throws Exception {
    HttpServer reviews = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    reviews.createContext("/", exchange -> {
      byte[] body = "{\"id\":1,\"stars\":5}".getBytes();
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    reviews.start();
    Path dir = Files.createTempDirectory("mesh");
    Files.writeString(dir.resolve("mesh.yaml"), """
        mesh:
          discovery:
            static:
              services:
                reviews:
                  - { url: "http://127.0.0.1:%d", metadata: { version: v1 } }
          services:
            reviews:
              load-balancer: least-request
              rate-limit: { rate: 100/s, burst: 20 }
        """.formatted(reviews.getAddress().getPort()));
    try {
      readmeExample(dir.resolve("mesh.yaml"));
    } finally {
      reviews.stop(0);
    }
  }

  // --- the README's usage example, verbatim ---
  static void readmeExample(Path meshYaml) throws Exception {
    try (Mesh mesh = Mesh.builder().config(MeshConfig.load(meshYaml)).build()) {
      OkHttpClient http = mesh.httpClient();           // built on first use; hand it to Retrofit, Spring or OkHttp
      Request request = new Request.Builder()
          .url("http://reviews/api/reviews/1")          // a service name, not a host
          .header("end-user", "jason")
          .build();
      try (Response response = http.newCall(request).execute()) {
        System.out.println(response.code() + " " + response.body().string());
      }
    }
  }
}
