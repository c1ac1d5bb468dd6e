package com.example.retrofit;

import com.sun.net.httpserver.HttpServer;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import okhttp3.ResponseBody;
import retrofit2.Call;
import retrofit2.Retrofit;
import retrofit2.http.GET;
import retrofit2.http.Header;

/**
 * Retrofit 2.11 on the mesh's OkHttpClient: a call with {@code end-user: jason} follows the header route to
 * v2, one without it goes to v1. Fails (exit status 1) if an OkHttp 3.x jar is on the classpath.
 */
public final class RetrofitExample {

  /** The reviews service, as a Retrofit interface. */
  interface Reviews {
    @GET("reviews/1")
    Call<ResponseBody> review(@Header("end-user") String user);
  }

  public static void main(String[] args) throws Exception {
    // exec:java runs this on a URLClassLoader over the project's resolved classpath.
    List<String> okHttpJars = Arrays.stream(((URLClassLoader) RetrofitExample.class.getClassLoader()).getURLs())
        .map(URL::getPath).filter(path -> path.contains("/com/squareup/okhttp3/"))
        .map(path -> path.substring(path.lastIndexOf('/') + 1)).toList();
    System.out.println("OkHttp jars: " + okHttpJars);
    if (okHttpJars.isEmpty() || okHttpJars.stream().anyMatch(jar -> jar.matches("okhttp-[34]\\..*"))) {
      throw new IllegalStateException("expected OkHttp 5 jars only, resolved: " + okHttpJars);
    }
    HttpServer v1 = backend("v1");
    HttpServer v2 = backend("v2");
    MeshConfig config = MeshConfig.fromMap(Map.of(
        "discovery", Map.of("static", Map.of("services", Map.of("reviews", List.of(
            Map.of("url", "http://127.0.0.1:" + v1.getAddress().getPort(), "metadata", Map.of("version", "v1")),
            Map.of("url", "http://127.0.0.1:" + v2.getAddress().getPort(), "metadata", Map.of("version", "v2")))))),
        "services", Map.of("reviews", Map.of(
            "subsets", Map.of("v1", Map.of("version", "v1"), "v2", Map.of("version", "v2")),
            "routes", List.of(
                Map.of("match", Map.of("headers", Map.of("end-user", Map.of("exact", "jason"))), "to", "v2"),
                Map.of("to", "v1"))))));
    try (Mesh mesh = Mesh.builder().config(config).build()) {
      Reviews reviews = new Retrofit.Builder().baseUrl("http://reviews/").client(mesh.httpClient()).build()
          .create(Reviews.class);
      String jason = body(reviews.review("jason"));
      String anyone = body(reviews.review(null));
      System.out.println("Retrofit through the mesh: end-user jason -> " + jason + ", anyone else -> " + anyone);
      if (!jason.equals("v2") || !anyone.equals("v1")) {
        throw new IllegalStateException("expected jason -> v2 and anyone else -> v1");
      }
    } finally {
      v1.stop(0);
      v2.stop(0);
    }
  }

  private static String body(Call<ResponseBody> call) throws java.io.IOException {
    try (ResponseBody body = call.execute().body()) {
      return body.string();
    }
  }

  private static HttpServer backend(String version) throws java.io.IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = version.getBytes();
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return server;
  }
}
