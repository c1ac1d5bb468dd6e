package io.meshclient.core;

import io.meshclient.api.ServiceInstance;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A real HTTP server on 127.0.0.1 that answers every request with its name, after an optional delay,
 * and counts requests and connections itself.
 */
public final class Backend implements AutoCloseable {
  private final MockWebServer server = new MockWebServer();
  private final String name;
  private final AtomicInteger requests = new AtomicInteger();
  private final Set<Integer> connections = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> postIds = new ConcurrentHashMap<>();
  private final Set<String> hostHeaders = ConcurrentHashMap.newKeySet();
  private final AtomicInteger shadowRequests = new AtomicInteger();
  private volatile long delayMillis;
  private volatile int status = 200;
  private volatile RequestHook hook;

  /** Runs before a request is answered; may block to hold the response. */
  @FunctionalInterface
  public interface RequestHook {
    void run() throws InterruptedException;
  }

  public Backend(String name) throws IOException {
    this.name = name;
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        requests.incrementAndGet();
        connections.add(request.getConnectionIndex());
        hostHeaders.add(String.valueOf(request.getHeaders().get("Host")));
        if ("true".equals(request.getHeaders().get("x-mesh-shadow"))) {
          shadowRequests.incrementAndGet();
        }
        String id = request.getHeaders().get("x-request-id");
        if ("POST".equals(request.getMethod()) && id != null) {
          postIds.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        }
        RequestHook h = hook;
        if (h != null) {
          h.run();
        }
        long delay = delayMillis;
        if (delay > 0) {
          Thread.sleep(delay);
        }
        return new MockResponse.Builder().code(status).body(name).build();
      }
    });
    server.setServerSocketFactory(new NoDelayServerSocketFactory());
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  /**
   * MockWebServer writes headers and body separately; without TCP_NODELAY each response waits for the
   * client's delayed ACK (about 40 ms), which would make every load test measure Nagle instead of the mesh.
   */
  private static final class NoDelayServerSocketFactory extends javax.net.ServerSocketFactory {
    @Override
    public java.net.ServerSocket createServerSocket() throws IOException {
      return new java.net.ServerSocket() {
        @Override
        public java.net.Socket accept() throws IOException {
          java.net.Socket socket = super.accept();
          socket.setTcpNoDelay(true);
          return socket;
        }
      };
    }

    @Override
    public java.net.ServerSocket createServerSocket(int port) throws IOException {
      throw new UnsupportedOperationException("MockWebServer binds through createServerSocket()");
    }

    @Override
    public java.net.ServerSocket createServerSocket(int port, int backlog) throws IOException {
      throw new UnsupportedOperationException("MockWebServer binds through createServerSocket()");
    }

    @Override
    public java.net.ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
      throw new UnsupportedOperationException("MockWebServer binds through createServerSocket()");
    }
  }

  public Backend delay(long millis) {
    this.delayMillis = millis;
    return this;
  }

  public Backend onRequest(RequestHook requestHook) {
    this.hook = requestHook;
    return this;
  }

  public Backend status(int code) {
    this.status = code;
    return this;
  }

  public int port() {
    return server.getPort();
  }

  public int requests() {
    return requests.get();
  }

  /** How many times this backend received each POST, by its {@code x-request-id}. */
  public Map<String, AtomicInteger> postIds() {
    return postIds;
  }

  /** Every Host header value received. */
  public Set<String> hostHeaders() {
    return hostHeaders;
  }

  /** Requests received with {@code x-mesh-shadow: true}. */
  public int shadowRequests() {
    return shadowRequests.get();
  }

  /** Distinct connections that carried at least one request, counted by the server. */
  public int connections() {
    return connections.size();
  }

  public ServiceInstance instance(String service, Map<String, String> metadata) {
    return new ServiceInstance(name, service, "127.0.0.1", port(), false, 1, metadata, "");
  }

  @Override
  public void close() {
    server.close();
  }
}
