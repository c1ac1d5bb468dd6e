package io.meshclient.discovery.kubernetes;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named HTTP backends on 127.0.0.1 that answer 200 with their name and count what they serve. The JDK's
 * server (with {@code sun.net.httpserver.nodelay}, set by the pom): MockWebServer answers a keep-alive
 * call here in about 40 ms (delayed ACKs), which made 5,000 sequential calls take minutes.
 */
final class Backends implements AutoCloseable {
  private final Map<String, HttpServer> servers = new LinkedHashMap<>();
  private final Map<String, AtomicInteger> served = new LinkedHashMap<>();
  private final ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
    Thread t = new Thread(r, "backend");
    t.setDaemon(true);
    return t;
  });

  Backends(String... names) throws IOException {
    for (String name : names) {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
      AtomicInteger count = new AtomicInteger();
      byte[] body = name.getBytes(StandardCharsets.UTF_8);
      server.createContext("/", exchange -> {
        count.incrementAndGet();
        exchange.getRequestBody().readAllBytes();
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      });
      server.setExecutor(executor);
      server.start();
      servers.put(name, server);
      served.put(name, count);
    }
  }

  int port(String name) {
    return servers.get(name).getAddress().getPort();
  }

  int served(String name) {
    return served.get(name).get();
  }

  @Override
  public void close() {
    servers.values().forEach(s -> s.stop(0));
    executor.shutdownNow();
  }
}
