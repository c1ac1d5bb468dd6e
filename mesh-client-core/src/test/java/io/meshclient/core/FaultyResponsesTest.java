package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Backends that misbehave after they have started answering, or answer in legal but unusual ways, on a
 * raw socket: what the caller gets, and how often the mesh counts and observes the call.
 */
@Timeout(30)
class FaultyResponsesTest {

  /** Answers each connection with a script, on its own thread; counts the connections. */
  private static final class ScriptedServer implements AutoCloseable {
    interface Script {
      void answer(Socket socket) throws IOException;
    }

    final ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    final AtomicInteger connections = new AtomicInteger();

    ScriptedServer(Script script) throws IOException {
      Thread acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try (Socket socket = server.accept()) {
            connections.incrementAndGet();
            socket.setSoTimeout(5000);
            readHead(socket.getInputStream());
            script.answer(socket);
          } catch (IOException e) {
            // closed by close(), or the client went away: next
          }
        }
      }, "scripted-server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  private static void readHead(InputStream in) throws IOException {
    int matched = 0;
    for (int b; (b = in.read()) != -1; ) {
      matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
      if (matched == 4) {
        return;
      }
    }
  }

  private static void write(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static Mesh mesh(ScriptedServer server, MeshListener listener, CallListener calls) {
    ServiceConfig service = ServiceConfig.builder("api")
        .retry(RetryConfig.DEFAULT.withAttempts(3).withBudget(100, 100)).build();
    return Mesh.builder().config(MeshConfig.builder().service(service).build())
        .discovery("memory", new InMemoryDiscovery().set("api",
            List.of(ServiceInstance.of("api", "127.0.0.1", server.port()))))
        .listener(listener).callListenerFactory((name, request) -> calls).build();
  }

  @Test
  void aResetMidBodyFailsTheReadAndIsCountedAndObservedOnce() throws Exception {
    // 200 000 bytes announced (too many to be read inside the attempt), 1 000 sent, then a reset.
    try (ScriptedServer server = new ScriptedServer(socket -> {
      write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n" + "x".repeat(1000));
      socket.setSoLinger(true, 0);
    })) {
      List<CallOutcome> completed = new CopyOnWriteArrayList<>();
      List<CallRecord> ended = new CopyOnWriteArrayList<>();
      AtomicInteger retries = new AtomicInteger();
      MeshListener listener = new MeshListener() {
        @Override
        public void onCallComplete(String service, String subset, String method, int status, CallOutcome outcome,
            long nanos) {
          completed.add(outcome);
        }

        @Override
        public void onRetry(String service, String reason) {
          retries.incrementAndGet();
        }
      };
      CallListener calls = new CallListener() {
        @Override
        public void onEnd(CallRecord record) {
          ended.add(record);
        }
      };
      try (Mesh mesh = mesh(server, listener, calls)) {
        try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://api/big").build())
            .execute()) {
          assertThat(response.code()).isEqualTo(200);
          assertThatThrownBy(() -> response.body().bytes()).isInstanceOf(IOException.class);
        }
        assertThat(server.connections.get()).as("a body already given to the caller is never retried").isEqualTo(1);
        assertThat(retries.get()).isZero();
        assertThat(completed).containsExactly(CallOutcome.SUCCESS);
        assertThat(ended).hasSize(1);
        assertThat(ended.get(0).attempts()).isEqualTo(1);
        assertThat(mesh.httpClient().connectionPool().connectionCount()).isZero();
      }
    }
  }

  @Test
  void anEarlyHintThenAnHttp10BodyEndedByTheCloseIsReadWhole() throws Exception {
    String body = "y".repeat(5000);
    try (ScriptedServer server = new ScriptedServer(socket -> write(socket,
        "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
            + "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body));
        Mesh mesh = mesh(server, MeshListener.NONE, CallListener.NONE)) {
      for (int i = 0; i < 3; i++) {
        try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://api/" + i).build())
            .execute()) {
          assertThat(response.code()).isEqualTo(200);
          assertThat(response.body().string()).isEqualTo(body);
        }
      }
      assertThat(server.connections.get()).as("a close-delimited body's connection is never reused").isEqualTo(3);
      assertThat(mesh.httpClient().connectionPool().connectionCount()).isZero();
    }
  }

  @Test
  void aBodyNotYetClosedHoldsNoPlaceUnderTheConcurrencyCap() throws Exception {
    // A call holds its place under max-concurrent-requests until its response headers arrive: a body the
    // caller has not closed yet may keep its connection out of the pool, never a place under the cap (README).
    try (Backend backend = new Backend("b");
        Mesh mesh = Mesh.builder().config(MeshConfig.builder()
                .service(ServiceConfig.builder("api").maxConcurrentRequests(1).build()).build())
            .discovery("memory", new InMemoryDiscovery().set("api", List.of(backend.instance("api", java.util.Map.of()))))
            .build()) {
      Response open = mesh.httpClient().newCall(new Request.Builder().url("http://api/1").build()).execute();
      try {
        try (Response next = mesh.httpClient().newCall(new Request.Builder().url("http://api/2").build()).execute()) {
          assertThat(next.body().string()).isEqualTo("b");
        }
      } finally {
        open.close();
      }
      assertThat(backend.requests()).isEqualTo(2);
    }
  }

  @Test
  void a503WithRetryAfterAndConnectionCloseIsRetriedAtOnceAndTheLastOneReachesTheCallerWhole() throws Exception {
    // As Envoy without rate-limited back-off: Retry-After does not stretch the mesh's own backoff, and the
    // caller gets the last 503 with its Retry-After, to honour as it sees fit.
    try (ScriptedServer server = new ScriptedServer(socket -> write(socket,
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 120\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbusy"));
        Mesh mesh = mesh(server, MeshListener.NONE, CallListener.NONE)) {
      long start = System.nanoTime();
      try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://api/x").build())
          .execute()) {
        assertThat(response.code()).isEqualTo(503);
        assertThat(response.header("Retry-After")).isEqualTo("120");
        assertThat(response.body().string()).isEqualTo("busy");
      }
      assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(5));
      assertThat(server.connections.get()).as("3 attempts, each on its own connection").isEqualTo(3);
      assertThat(mesh.httpClient().connectionPool().connectionCount()).isZero();
    }
  }
}
