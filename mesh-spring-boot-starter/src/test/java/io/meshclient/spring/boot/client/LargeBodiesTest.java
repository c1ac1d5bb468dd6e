package io.meshclient.spring.boot.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 50 MB up and 50 MB down through WebClient on the mesh's connector, in a JVM whose heap (48 MB) could
 * not hold either body: both stream.
 */
class LargeBodiesTest {
  private static final long SIZE = 50L * 1024 * 1024;

  @Test
  void fiftyMegabytesUpAndDownStreamThroughAFortyEightMegabyteHeap() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/upload", exchange -> {
      long count = 0;
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = exchange.getRequestBody()) {
        for (int n; (n = in.read(buffer)) > 0; ) {
          count += n;
        }
      }
      byte[] answer = Long.toString(count).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    });
    server.createContext("/download", exchange -> {
      exchange.sendResponseHeaders(200, SIZE);
      byte[] chunk = new byte[64 * 1024];
      try (OutputStream out = exchange.getResponseBody()) {
        for (long sent = 0; sent < SIZE; sent += chunk.length) {
          out.write(chunk);
        }
      }
    });
    server.start();
    try {
      String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      Process child = new ProcessBuilder(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx48m", "-cp", classpath,
          LargeBodies.class.getName(), Integer.toString(server.getAddress().getPort()), Long.toString(SIZE)))
          .redirectErrorStream(true).start();
      String output;
      try (InputStream in = child.getInputStream()) {
        output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      assertThat(child.waitFor(3, TimeUnit.MINUTES)).isTrue();
      System.out.println("LargeBodies: " + output.strip());
      assertThat(child.exitValue()).as(output).isZero();
      assertThat(output).contains("max heap 4", "uploaded " + SIZE + " bytes; downloaded " + SIZE + " bytes");
    } finally {
      server.stop(0);
    }
  }
}
