package io.meshclient.benchmarks;

import io.meshclient.api.RequestContext;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.RouteConfig.Match;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.StringMatch;
import io.meshclient.core.internal.http.OkHttpRequestContext;
import io.meshclient.core.internal.routing.Route;
import io.meshclient.core.internal.routing.RouteTable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link RouteTable#match} over a table of 10 rules mixing header and path conditions (exact, prefix,
 * regex, present, method), compiled by core from a {@link ServiceConfig}, against OkHttp requests that
 * carry a realistic handful of headers.
 *
 * <p>{@code request}: {@code first} matches rule 0 (a header), {@code path-regex} rule 8, {@code last}
 * rule 9 after failing the 9 others, {@code none} matches nothing (the whole table is scanned). All
 * of these carry a browser-like {@code user-agent}, so rule 4's Istio-style {@code .*(iPhone|Android).*}
 * regex runs on it; {@code last-no-ua} is {@code last} without that header: the table scan alone.
 * {@code match} reuses one context (the path already extracted): the matching alone. {@code
 * matchFreshContext} builds the context per call, as the mesh does per request, so it also pays for
 * extracting the path from the URL.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RouteMatchBenchmark {
  @Param({"first", "path-regex", "last", "last-no-ua", "none"})
  public String request;

  private RouteTable table;
  private Request okRequest;
  private RequestContext context;
  private int expectedIndex;

  /** The 10 rules, in order. */
  static ServiceConfig tenRules() {
    Map<String, Integer> split = new LinkedHashMap<>();
    split.put("v1", 80);
    split.put("v3", 20);
    return ServiceConfig.builder("reviews")
        .subset("v1", Map.of("version", "v1"))
        .subset("v2", Map.of("version", "v2"))
        .subset("v3", Map.of("version", "v3"))
        .route(RouteConfig.to(Match.header("end-user", StringMatch.exact("jason")), "v2"))
        .route(RouteConfig.to(Match.header("x-tenant", StringMatch.exact("acme")), "v1"))
        .route(RouteConfig.to(Match.header("x-tenant", StringMatch.prefix("beta-")), "v3"))
        .route(RouteConfig.to(Match.header("x-debug", StringMatch.present()), "v3"))
        .route(RouteConfig.to(Match.header("user-agent", StringMatch.regex(".*(iPhone|Android).*")), "v1"))
        .route(RouteConfig.to(Match.path(StringMatch.exact("/healthz")), "v1"))
        .route(RouteConfig.to(Match.path(StringMatch.prefix("/api/v2/")), "v2"))
        .route(RouteConfig.to(Match.path(StringMatch.prefix("/api/v3/")), "v3"))
        .route(RouteConfig.to(new Match(StringMatch.regex("/api/v1/reviews/[0-9]+"), Set.of("GET"), Map.of()), "v1"))
        .route(RouteConfig.split(Match.path(StringMatch.prefix("/api/")), split))
        .build();
  }

  static Request request(String url, String endUser) {
    return request(url, endUser, true);
  }

  static Request request(String url, String endUser, boolean userAgent) {
    Request.Builder b = new Request.Builder().url(url)
        .header("accept", "application/json")
        .header("x-request-id", "3f1c2a9e-6c1b-4b61-9f0e-1d2c3b4a5f60")
        .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .header("accept-language", "en-GB,en;q=0.9");
    if (userAgent) {
      b.header("user-agent", "Mozilla/5.0 (X11; Linux x86_64) bookinfo-productpage/1.0");
    }
    if (endUser != null) {
      b.header("end-user", endUser);
    }
    return b.build();
  }

  @Setup
  public void setUp() {
    table = RouteTable.compile(tenRules());
    switch (request) {
      case "first":
        okRequest = request("http://reviews/api/v1/reviews/42", "jason");
        expectedIndex = 0;
        break;
      case "path-regex":
        okRequest = request("http://reviews/api/v1/reviews/42", null);
        expectedIndex = 8;
        break;
      case "last":
        okRequest = request("http://reviews/api/ratings/42", null);
        expectedIndex = 9;
        break;
      case "last-no-ua":
        okRequest = request("http://reviews/api/ratings/42", null, false);
        expectedIndex = 9;
        break;
      case "none":
        okRequest = request("http://reviews/static/app.js", null);
        expectedIndex = -1;
        break;
      default:
        throw new IllegalArgumentException("request: " + request);
    }
    context = OkHttpRequestContext.of(okRequest);
    Route route = table.match(context);
    int index = route == null ? -1 : route.index();
    if (index != expectedIndex) {
      throw new IllegalStateException("request " + request + " matched rule " + index + ", expected " + expectedIndex);
    }
  }

  @Benchmark
  public Route match() {
    return table.match(context);
  }

  @Benchmark
  public Route matchFreshContext() {
    return table.match(OkHttpRequestContext.of(okRequest));
  }
}
