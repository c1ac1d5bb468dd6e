package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server that closes idle connections after 100 ms (HAProxy's {@code timeout http-keep-alive} is often under a
 * second), and POSTs sent after 600 ms of quiet: on a connection the server closed 500 ms before, too soon for the
 * probe a request that cannot be resent makes of a connection quiet for a second. Plain OkHttp sends such a POST
 * again on a new connection; the mesh may not send a POST twice.
 */
@Timeout(60)
class ShortIdleTimeoutServerTest {
  /** The POSTs received, by path. */
  private final Map<String, AtomicInteger> posts = new ConcurrentHashMap<>();

  /** A keep-alive HTTP/1.1 server on 127.0.0.1 that answers "ok" and closes a connection quiet for 100 ms. */
  private void serve(Socket socket) {
    try (socket) {
      socket.setSoTimeout(100);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      while (true) {
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
          int c = in.read();
          if (c < 0) {
            return;
          }
          head.append((char) c);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
          if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
            length = Integer.parseInt(line.substring("content-length:".length()).trim());
          }
        }
        in.readNBytes(length);
        String[] requestLine = head.substring(0, head.indexOf("\r\n")).split(" ");
        posts.computeIfAbsent(requestLine[1], p -> new AtomicInteger()).incrementAndGet();
        socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
      }
    } catch (IOException e) {
      // the idle close (a read timeout), or the client went away
    }
  }

  private static Request post(String path) {
    return new Request.Builder().url("http://orders" + path)
        .post(RequestBody.create("{}", MediaType.get("application/json"))).build();
  }

  @Test
  void postsToAServerSeenClosingIdleConnectionsSoonerThanASecondProbeThemAndGoThroughOnce() throws Exception {
    // Every POST sent after the server's idle close failed with RequestNotRetriedException, the server having got
    // none of them: 10 of 10 in a run of 10 with a 300 ms server and 500 ms of quiet (plain OkHttp: 0 of 10, each
    // POST received once).
    ExecutorService connections = Executors.newCachedThreadPool();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      connections.execute(() -> {
        try {
          while (true) {
            Socket socket = server.accept();
            connections.execute(() -> serve(socket));
          }
        } catch (IOException e) {
          // closed at the end of the test
        }
      });
      InMemoryDiscovery discovery = new InMemoryDiscovery()
          .set("orders", List.of(ServiceInstance.of("orders", "127.0.0.1", server.getLocalPort())));
      try (Mesh mesh = Mesh.builder().discovery("memory", discovery)
          .config(MeshConfig.builder().service(ServiceConfig.builder("orders").build()).build()).build()) {
        try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://orders/get").build()).execute()) {
          assertThat(r.body().string()).isEqualTo("ok");
        }
        Thread.sleep(300);
        // A GET on the connection the server closed: sent again for free, and what tells the mesh that this server
        // closes idle connections so soon (a POST would have failed instead, the first time).
        try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://orders/get").build()).execute()) {
          assertThat(r.body().string()).isEqualTo("ok");
        }
        for (int i = 1; i <= 3; i++) {
          send(mesh, "/" + i);
          Thread.sleep(600);
          send(mesh, "/" + i + "/after-idle-close");
        }
      }
    } finally {
      connections.shutdownNow();
    }
    for (int i = 1; i <= 3; i++) {
      assertThat(posts.get("/" + i + "/after-idle-close")).hasValue(1);
    }
  }

  private static void send(Mesh mesh, String path) throws IOException {
    try (Response r = mesh.httpClient().newCall(post(path)).execute()) {
      assertThat(r.body().string()).isEqualTo("ok");
    }
  }
}
