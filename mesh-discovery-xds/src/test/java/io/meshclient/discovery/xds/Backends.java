package io.meshclient.discovery.xds;

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
 * Named backends on 127.0.0.1, each answering every request with its own name and counting them. The
 * JDK's server (with {@code sun.net.httpserver.nodelay}, set by the pom): MockWebServer answers a
 * keep-alive call here in about 45 ms (delayed ACKs), which would make 10,000 calls take minutes.
 */
final class Backends implements AutoCloseable {
  private final Map<String, HttpServer> servers = new LinkedHashMap<>();
  private final Map<String, AtomicInteger> counts = new LinkedHashMap<>();
  private final Map<String, Seen> last = new java.util.concurrent.ConcurrentHashMap<>();
  private final ExecutorService executor = Executors.newFixedThreadPool(16, r -> {
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
        Map<String, String> headers = new java.util.TreeMap<>();
        exchange.getRequestHeaders().forEach((h, values) -> headers.put(h.toLowerCase(java.util.Locale.ROOT),
            String.join(",", values)));
        last.put(name, new Seen(exchange.getRequestURI().getRawPath(), headers));
        exchange.getResponseHeaders().add("x-backend", name);
        exchange.getResponseHeaders().add("x-internal", "hidden");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      });
      server.setExecutor(executor);
      server.start();
      servers.put(name, server);
      counts.put(name, count);
    }
  }

  int port(String name) {
    return servers.get(name).getAddress().getPort();
  }

  /** Requests each backend has served, by name. */
  Map<String, Integer> counts() {
    Map<String, Integer> out = new LinkedHashMap<>();
    counts.forEach((name, count) -> out.put(name, count.get()));
    return out;
  }

  /** The last request {@code name} served, or null. */
  Seen last(String name) {
    return last.get(name);
  }

  /** A request as a backend saw it: its path and headers (names in lower case, values joined by commas). */
  record Seen(String path, Map<String, String> headers) {}

  @Override
  public void close() {
    servers.values().forEach(s -> s.stop(0));
    executor.shutdownNow();
  }
}
