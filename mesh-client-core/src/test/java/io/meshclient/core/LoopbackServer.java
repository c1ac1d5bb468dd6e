package io.meshclient.core;

import com.sun.net.httpserver.HttpServer;
import io.meshclient.api.ServiceInstance;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An HTTP server on 127.0.0.1 answering its name with a settable status, counting requests and keeping
 * the last request's path (with query) and headers. Stopped by {@link #close()}.
 */
public final class LoopbackServer implements AutoCloseable {
  public final String name;
  public final AtomicInteger requests = new AtomicInteger();
  public final AtomicReference<String> lastPath = new AtomicReference<>();
  private final Map<String, List<String>> lastHeaders = new ConcurrentHashMap<>();
  private final HttpServer http;
  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private volatile int status = 200;

  public LoopbackServer(String name) throws IOException {
    this.name = name;
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.setExecutor(executor);
    http.createContext("/", exchange -> {
      requests.incrementAndGet();
      lastPath.set(exchange.getRequestURI().getRawPath()
          + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()));
      lastHeaders.clear();
      exchange.getRequestHeaders().forEach((k, v) -> lastHeaders.put(k.toLowerCase(Locale.ROOT), v));
      byte[] body = name.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("x-backend", name);
      exchange.getResponseHeaders().add("x-internal", "build-42");
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    http.start();
  }

  /** The status every response has from now on. */
  public LoopbackServer status(int code) {
    this.status = code;
    return this;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  public ServiceInstance instance(String service, Map<String, String> metadata) {
    return ServiceInstance.builder(service, "127.0.0.1", port()).id(service + "-" + name).metadata(metadata).build();
  }

  /** The values of a header of the last request (lower-case name). */
  public List<String> header(String headerName) {
    return lastHeaders.getOrDefault(headerName, List.of());
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
  }
}
