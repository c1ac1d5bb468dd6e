package io.meshclient.benchmarks;

import io.meshclient.api.ServiceInstance;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.Request;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The part of the decision that turns {@code http://reviews/...} into a request to the picked instance,
 * taken apart to show where its time and allocation go, and one cheaper candidate.
 *
 * <ul>
 *   <li>{@code coreRewriteUrl}: what {@code MeshInterceptor.rewrite} does today, {@code
 *       url.newBuilder().scheme(..).host(instance.host()).port(..).build()}. {@code Builder.host}
 *       canonicalises the host on every call (IDN mapping and Punycode, even for an IP literal).
 *   <li>{@code coreRewriteRequest}: that plus {@code request.newBuilder().url(..).build()}, the whole
 *       rewrite step of the mesh.
 *   <li>{@code requestRebuildOnly}: {@code request.newBuilder().url(..).build()} with a URL built
 *       beforehand: the part no rewrite can avoid while OkHttp requests are immutable.
 *   <li>{@code precomputedBaseUrl}: a candidate for core: keep, per instance, an {@link HttpUrl} of its
 *       scheme, host and port (built once when discovery delivers the instance) and copy the request's
 *       encoded path and query onto it, so the host is never canonicalised per call.
 *   <li>{@code cachedRewriteHit}: another candidate: a small direct-mapped table per instance from the
 *       request URL's string (OkHttp keeps it; its hash is cached) to the rewritten {@link HttpUrl}. A hit
 *       costs a hash and an equals; a miss costs today's rewrite plus one entry. It pays where a client
 *       calls a bounded set of URLs (health checks, fixed endpoints, Retrofit interfaces without path
 *       parameters) and costs little where it does not.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class UrlRewriteBenchmark {
  private Request request;
  private ServiceInstance instance;
  private HttpUrl instanceBase;
  private HttpUrl rewritten;
  private final RewriteCache cache = new RewriteCache(256);

  @Setup
  public void setUp() {
    request = RouteMatchBenchmark.request("http://reviews/api/v1/reviews/42?lang=en", null);
    instance = Fixtures.instances("reviews", 1).get(0);
    instanceBase = new HttpUrl.Builder().scheme("http").host(instance.host()).port(instance.port()).build();
    rewritten = coreRewriteUrl();
    if (!precomputedBaseUrl().equals(rewritten)) {
      throw new IllegalStateException(precomputedBaseUrl() + " != " + rewritten);
    }
    if (!cachedRewriteHit().equals(rewritten)) {
      throw new IllegalStateException(cachedRewriteHit() + " != " + rewritten);
    }
  }

  @Benchmark
  public HttpUrl coreRewriteUrl() {
    return request.url().newBuilder()
        .scheme(instance.secure() ? "https" : "http")
        .host(instance.host())
        .port(instance.port())
        .build();
  }

  @Benchmark
  public Request coreRewriteRequest() {
    return request.newBuilder().url(coreRewriteUrl()).build();
  }

  @Benchmark
  public Request requestRebuildOnly() {
    return request.newBuilder().url(rewritten).build();
  }

  @Benchmark
  public HttpUrl precomputedBaseUrl() {
    HttpUrl url = request.url();
    return instanceBase.newBuilder()
        .encodedPath(url.encodedPath())
        .encodedQuery(url.encodedQuery())
        .build();
  }

  @Benchmark
  public HttpUrl cachedRewriteHit() {
    HttpUrl url = request.url();
    String key = url.toString();
    HttpUrl hit = cache.get(key);
    if (hit != null) {
      return hit;
    }
    HttpUrl fresh = url.newBuilder().scheme("http").host(instance.host()).port(instance.port()).build();
    cache.put(key, fresh);
    return fresh;
  }

  /** A lock-free direct-mapped cache: racing writers may overwrite each other, which only costs a miss. */
  static final class RewriteCache {
    private final Entry[] entries;
    private final int mask;

    RewriteCache(int size) {
      entries = new Entry[Integer.highestOneBit(size)];
      mask = entries.length - 1;
    }

    HttpUrl get(String key) {
      Entry e = entries[key.hashCode() & mask];
      return e != null && e.key.equals(key) ? e.value : null;
    }

    void put(String key, HttpUrl value) {
      entries[key.hashCode() & mask] = new Entry(key, value);
    }

    private record Entry(String key, HttpUrl value) {}
  }
}
