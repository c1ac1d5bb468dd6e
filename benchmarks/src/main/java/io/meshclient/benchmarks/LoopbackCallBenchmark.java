package io.meshclient.benchmarks;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.Mesh;
import io.meshclient.discovery.staticlist.StaticServiceDiscovery;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One real call over a loopback keep-alive connection, through the mesh and on plain OkHttp, against a
 * server in this JVM that allocates nothing per request (it reads the request head into a fixed buffer
 * and writes one pre-encoded response), so {@code -prof gc}'s B/op is the client's. Unlike {@link
 * DecisionBenchmark}, whose canned response is returned before OkHttp's network interceptors, this one
 * runs the whole chain, the mesh's connection-reuse network interceptor included.
 *
 * <ul>
 *   <li>{@code mesh}: {@code http://reviews/...} on {@code mesh.httpClient()}; the mesh of {@link
 *       DecisionBenchmark} (least-request over 10 instances, 127.0.0.1 to 127.0.0.10 on one port, an
 *       80/20 split, a rate limit that always admits, metrics on a {@link SimpleMeterRegistry}).
 *   <li>{@code plain}: {@code http://127.0.0.1:port/...} on a plain {@link OkHttpClient}.
 *   <li>{@code plainRoundRobin}: the plain client sending each call to the next of the 10 instances, so its
 *       pool holds as many connections as the mesh's: OkHttp scans its pool per call, and each connection
 *       it compares costs it an allocation (its {@code Address} equality walks two lists).
 *   <li>{@code plainRewrite}: {@code http://reviews/...} on a plain client with one interceptor that only
 *       rewrites the URL to 127.0.0.1: the floor of any URL-rewriting interceptor.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LoopbackCallBenchmark {
  private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
      + "Content-Length: 9\r\n\r\n{\"id\":42}").getBytes(StandardCharsets.US_ASCII);

  @State(Scope.Benchmark)
  public static class Loopback {
    ServerSocket server;
    final List<Socket> accepted = new ArrayList<>();
    Mesh mesh;
    OkHttpClient throughMesh;
    OkHttpClient plain;
    OkHttpClient rewriting;
    Request serviceRequest;
    Request instanceRequest;
    /** The request to each of the 10 instances, for a plain client that balances them itself. */
    Request[] instanceRequests;
    int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"));
      int port = server.getLocalPort();
      Thread acceptor = new Thread(this::accept, "loopback-accept");
      acceptor.setDaemon(true);
      acceptor.start();

      StaticServiceDiscovery.Builder discovery = StaticServiceDiscovery.builder();
      instanceRequests = new Request[10];
      for (int i = 0; i < 10; i++) {
        String host = "127.0.0." + (i + 1);
        discovery.instance(new ServiceInstance(host + ":" + port, "reviews", host, port, false, 1,
            Map.of("version", "v" + (1 + i % 3)), ""));
        instanceRequests[i] = RouteMatchBenchmark.request("http://" + host + ":" + port + "/api/v1/reviews/42", null);
      }
      mesh = Mesh.builder().config(DecisionBenchmark.config()).discovery("static", discovery.build())
          .meterRegistry(new SimpleMeterRegistry()).build();
      throughMesh = mesh.httpClient();
      // 16 idle connections: OkHttp's default pool keeps 5, and round-robin over 10 would reconnect.
      plain = new OkHttpClient.Builder().connectionPool(new okhttp3.ConnectionPool(16, 5, TimeUnit.MINUTES)).build();
      serviceRequest = RouteMatchBenchmark.request("http://reviews/api/v1/reviews/42", null);
      instanceRequest = RouteMatchBenchmark.request("http://127.0.0.1:" + port + "/api/v1/reviews/42", null);
      okhttp3.HttpUrl instance = instanceRequest.url();
      rewriting = plain.newBuilder()
          .addInterceptor(c -> c.proceed(c.request().newBuilder().url(instance).build()))
          .build();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          socket.setTcpNoDelay(true);
          synchronized (accepted) {
            accepted.add(socket);
          }
          Thread t = new Thread(() -> serve(socket), "loopback-serve");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    /** Answers every request head (a GET: no body) on the connection with the canned response. */
    private static void serve(Socket socket) {
      byte[] buffer = new byte[8192];
      try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
        int matched = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
          for (int i = 0; i < n; i++) {
            byte b = buffer[i];
            matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == 4) {
              out.write(RESPONSE);
              out.flush();
              matched = 0;
            }
          }
        }
      } catch (IOException e) {
        // the client closed the connection
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      mesh.close();
      plain.dispatcher().executorService().shutdown();
      plain.connectionPool().evictAll();
      server.close();
      synchronized (accepted) {
        for (Socket s : accepted) {
          s.close();
        }
      }
    }
  }

  private static String call(OkHttpClient client, Request request) throws IOException {
    try (Response response = client.newCall(request).execute()) {
      if (response.code() != 200) {
        throw new IOException("unexpected " + response);
      }
      return response.body().string();
    }
  }

  @Benchmark
  public String mesh(Loopback s) throws IOException {
    return call(s.throughMesh, s.serviceRequest);
  }

  @Benchmark
  public String plain(Loopback s) throws IOException {
    return call(s.plain, s.instanceRequest);
  }

  @Benchmark
  public String plainRoundRobin(Loopback s) throws IOException {
    int i = s.next;
    s.next = i == s.instanceRequests.length - 1 ? 0 : i + 1;
    return call(s.plain, s.instanceRequests[i]);
  }

  @Benchmark
  public String plainRewrite(Loopback s) throws IOException {
    return call(s.rewriting, s.serviceRequest);
  }
}
