package io.meshclient.benchmarks;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RateLimitConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.RouteConfig.Match;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.StringMatch;
import io.meshclient.core.metrics.MeshMetricNames;
import io.meshclient.discovery.staticlist.StaticServiceDiscovery;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole in-process decision of one request, with no I/O: resolve the service, match the route (a
 * header route to {@code v2}, else an 80/20 split over {@code v1}/{@code v3}), admit (service rate limit
 * and concurrency cap), pick (least-request over 10 instances), rewrite the URL, record (balancer
 * in-flight counts and, with {@code metrics=on}, the Micrometer timer of a {@link SimpleMeterRegistry}).
 *
 * <ul>
 *   <li>{@code interceptor}: the mesh's own interceptor driven with a {@link CannedChain} whose {@code
 *       proceed} returns a canned response: the mesh's code and nothing else.
 *   <li>{@code okHttpCallThroughMesh}: a real {@code newCall(...).execute()} on {@code
 *       mesh.httpClient()} with one more application interceptor after the mesh's that returns the
 *       canned response, so OkHttp's real call and chain objects are used but no socket is touched.
 *   <li>{@code okHttpCallPlain}: the same on a plain {@link OkHttpClient}: the floor to subtract.
 *   <li>{@code okHttpCallPlainRewrite}: the plain client with one more interceptor that only rewrites the
 *       URL to a fixed instance: what any URL-rewriting interceptor on OkHttp allocates (its chain copy and
 *       the request copy), the floor under the mesh's share.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DecisionBenchmark {

  static Response canned(Request request) {
    return new Response.Builder()
        .request(request)
        .protocol(Protocol.HTTP_1_1)
        .code(200)
        .message("OK")
        .body(ResponseBody.create("{\"id\":42}", MediaType.get("application/json")))
        .build();
  }

  /**
   * Service {@code reviews}: least-request, subsets v1/v2/v3 by the {@code version} label, a header route
   * ({@code end-user: jason} to v2) then an 80/20 split over v1/v3, a rate limit that always admits.
   */
  static MeshConfig config() {
    Map<String, Integer> split = new LinkedHashMap<>();
    split.put("v1", 80);
    split.put("v3", 20);
    return MeshConfig.builder()
        .service(ServiceConfig.builder("reviews")
            .loadBalancer("least-request")
            .subset("v1", Map.of("version", "v1"))
            .subset("v2", Map.of("version", "v2"))
            .subset("v3", Map.of("version", "v3"))
            .route(RouteConfig.to(Match.header("end-user", StringMatch.exact("jason")), "v2"))
            .route(RouteConfig.split(Match.ANY, split))
            .rateLimit(RateLimitConfig.perSecond(1_000_000_000L, 1_000_000_000))
            .build())
        .build();
  }

  /** A mesh in front of 10 instances, its interceptor, and clients that end in a canned response. */
  @State(Scope.Benchmark)
  public static class MeshState {
    @Param({"on", "off"})
    public String metrics;

    @Param({"header", "split"})
    public String route;

    Mesh mesh;
    SimpleMeterRegistry registry;
    Interceptor meshInterceptor;
    CannedChain chain;
    OkHttpClient throughMesh;
    Request request;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      List<ServiceInstance> instances = Fixtures.instances("reviews", 10);
      StaticServiceDiscovery.Builder discovery = StaticServiceDiscovery.builder();
      instances.forEach(discovery::instance);
      Mesh.Builder builder = Mesh.builder().config(config()).discovery("static", discovery.build());
      if (metrics.equals("on")) {
        registry = new SimpleMeterRegistry();
        builder.meterRegistry(registry);
      }
      mesh = builder.build();
      meshInterceptor = mesh.httpClient().interceptors().get(0);
      request = RouteMatchBenchmark.request("http://reviews/api/v1/reviews/42", route.equals("header") ? "jason" : null);
      Response response = canned(request);
      chain = new CannedChain(request, response);
      Interceptor terminal = c -> response;
      throughMesh = mesh.httpClient().newBuilder().addInterceptor(terminal).build();

      meshInterceptor.intercept(chain);
      String host = chain.proceeded().url().host();
      if (!host.startsWith("10.0.")) {
        throw new IllegalStateException("the mesh did not route the request to an instance: " + chain.proceeded().url());
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      if (registry != null) {
        long calls = 0;
        for (Timer t : registry.find(MeshMetricNames.REQUESTS).tag(MeshMetricNames.SERVICE, "reviews").timers()) {
          calls += t.count();
        }
        if (calls == 0) {
          throw new IllegalStateException("metrics=on but the mesh recorded no call");
        }
      }
      mesh.close();
    }
  }

  /**
   * A plain OkHttp client ending in the same canned response, and the same client with one interceptor
   * before the canned one that only sends the request to a fixed instance ({@code
   * request.newBuilder().url(...).build()}): the least any interceptor that rewrites URLs allocates.
   */
  @State(Scope.Benchmark)
  public static class PlainState {
    OkHttpClient plain;
    Request request;
    OkHttpClient rewriting;
    Request serviceRequest;

    @Setup(Level.Trial)
    public void setUp() {
      request = RouteMatchBenchmark.request("http://10.0.0.1:8080/api/v1/reviews/42", null);
      Response response = canned(request);
      plain = new OkHttpClient.Builder().addInterceptor(c -> response).build();
      serviceRequest = RouteMatchBenchmark.request("http://reviews/api/v1/reviews/42", null);
      okhttp3.HttpUrl instance = request.url();
      rewriting = new OkHttpClient.Builder()
          .addInterceptor(c -> c.proceed(c.request().newBuilder().url(instance).build()))
          .addInterceptor(c -> response)
          .build();
    }
  }

  @Benchmark
  public Response interceptor(MeshState s) throws IOException {
    return s.meshInterceptor.intercept(s.chain);
  }

  @Benchmark
  public Response okHttpCallThroughMesh(MeshState s) throws IOException {
    return s.throughMesh.newCall(s.request).execute();
  }

  @Benchmark
  public Response okHttpCallPlain(PlainState s) throws IOException {
    return s.plain.newCall(s.request).execute();
  }

  @Benchmark
  public Response okHttpCallPlainRewrite(PlainState s) throws IOException {
    return s.rewriting.newCall(s.serviceRequest).execute();
  }
}
