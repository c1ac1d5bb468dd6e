package io.meshclient.samples.quickstart;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** One version of the reviews service on 127.0.0.1, counting what it receives itself. */
final class VersionBackend implements AutoCloseable {
  static {
    // Without it the JDK server's small writes wait ~40 ms for the client's delayed ACK (Nagle).
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final String version;
  private final HttpServer server;
  private final AtomicInteger received = new AtomicInteger();
  private final AtomicInteger receivedFromJason = new AtomicInteger();

  /** @param port the port to listen on, or 0 for any free one */
  VersionBackend(String version, int port) throws IOException {
    this.version = version;
    try {
      this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 128);
    } catch (java.net.BindException e) { // the JDK's message names no port: say which, and how to change it
      throw (java.net.BindException) new java.net.BindException("reviews " + version + " cannot listen on 127.0.0.1:"
          + port + " (" + e.getMessage() + "): stop what uses it, or give other ports with --ports").initCause(e);
    }
    server.setExecutor(Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "reviews-" + version);
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", exchange -> {
      received.incrementAndGet();
      if ("jason".equals(exchange.getRequestHeaders().getFirst("end-user"))) {
        receivedFromJason.incrementAndGet();
      }
      byte[] body = ("{\"version\":\"" + version + "\"}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  String version() {
    return version;
  }

  int port() {
    return server.getAddress().getPort();
  }

  int received() {
    return received.get();
  }

  int receivedFromJason() {
    return receivedFromJason.get();
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
