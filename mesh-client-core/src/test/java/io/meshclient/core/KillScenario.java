package io.meshclient.core;

import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.OutlierConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The chaos scenario of the resilience issue: three loopback backends, {@code threads} callers for
 * {@code duration}, GETs with every tenth call a POST carrying a unique id. A third of the way in, one
 * backend is killed (its server closes every connection, mid-response) or black-holed (it accepts and
 * never answers). The backends count what they receive; the callers count what failed.
 *
 * <p>A run may ask for a minimum number of GETs: it then goes on past {@code duration} until that many were
 * sent, and kills the victim only once a third of them were, so a loaded machine makes it longer, not
 * thinner (for at most a minute more).
 *
 * <p>Run by {@code KillTest} briefly and by {@code benchmarks/run.sh chaos} for 20 s.
 */
public final class KillScenario {
  /** How the victim dies. */
  public enum Mode { KILL, BLACK_HOLE }

  /** What a run observed. */
  public record Result(Mode mode, int gets, int failedGets, int posts, int failedPosts, int duplicatedPosts,
      long retries, long ejections) {
    public String line() {
      return String.format("chaos mode=%s gets=%d failed_gets=%d posts=%d failed_posts=%d duplicated_posts=%d "
          + "retries=%d ejections=%d", mode.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), gets,
          failedGets, posts, failedPosts, duplicatedPosts, retries, ejections);
    }
  }

  private KillScenario() {}

  public static void main(String[] args) throws Exception {
    Duration duration = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 20);
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    Result kill = run(Mode.KILL, duration, threads);
    System.out.println(kill.line());
    Result hole = run(Mode.BLACK_HOLE, duration, threads);
    System.out.println(hole.line());
    System.out.printf("chaos failed_gets=%d duplicated_posts=%d retries=%d ejections=%d%n",
        kill.failedGets() + hole.failedGets(), kill.duplicatedPosts() + hole.duplicatedPosts(),
        kill.retries() + hole.retries(), kill.ejections() + hole.ejections());
  }

  public static Result run(Mode mode, Duration duration, int threads) throws Exception {
    return run(mode, duration, threads, 0);
  }

  /** A run of at least {@code duration} and, unless a minute more is not enough, {@code minGets} GETs. */
  public static Result run(Mode mode, Duration duration, int threads, int minGets) throws Exception {
    List<Backend> backends = List.of(new Backend("a").delay(1), new Backend("b").delay(1), new Backend("c").delay(1));
    AtomicLong retries = new AtomicLong();
    AtomicLong ejections = new AtomicLong();
    CountDownLatch holeOpen = new CountDownLatch(1);
    MeshListener counting = new MeshListener() {
      @Override
      public void onRetry(String service, String reason) {
        retries.incrementAndGet();
      }

      @Override
      public void onEjected(String service, String instanceId, long nanos) {
        ejections.incrementAndGet();
      }
    };
    InMemoryDiscovery discovery = new InMemoryDiscovery()
        .set("api", backends.stream().map(b -> b.instance("api", Map.of())).toList());
    ServiceConfig service = ServiceConfig.builder("api").loadBalancer("least-request")
        .retry(RetryConfig.DEFAULT.withAttempts(3).withPerTryTimeout(Duration.ofSeconds(1))
            .withOn(Set.of(RetryConfig.Condition.CONNECT_FAILURE, RetryConfig.Condition.RESET,
                RetryConfig.Condition.TIMEOUT), Set.of(502, 503, 504))
            .withBackoff(Duration.ofMillis(5), Duration.ofMillis(50)))
        .outlierDetection(new OutlierConfig(3, Duration.ofSeconds(30), Duration.ofMinutes(5), 50, 50))
        .build();
    AtomicInteger gets = new AtomicInteger();
    AtomicInteger failedGets = new AtomicInteger();
    AtomicInteger posts = new AtomicInteger();
    AtomicInteger failedPosts = new AtomicInteger();
    try (Mesh mesh = Mesh.builder().config(MeshConfig.builder().service(service).build())
        .discovery("memory", discovery).listener(counting).build()) {
      long begin = System.nanoTime();
      long end = begin + duration.toNanos();
      long cap = end + TimeUnit.MINUTES.toNanos(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      AtomicInteger sequence = new AtomicInteger();
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          for (long now = System.nanoTime(); (now < end || gets.get() < minGets) && now < cap;
              now = System.nanoTime()) {
            int n = sequence.incrementAndGet();
            boolean post = n % 10 == 0;
            Request.Builder request = new Request.Builder().url("http://api/items/" + n);
            if (post) {
              request.post(RequestBody.create("{\"n\":" + n + "}", MediaType.get("application/json")))
                  .header("x-request-id", "post-" + n);
            }
            (post ? posts : gets).incrementAndGet();
            try (Response response = mesh.httpClient().newCall(request.build()).execute()) {
              response.body().string();
              if (response.code() >= 500) {
                (post ? failedPosts : failedGets).incrementAndGet();
              }
            } catch (IOException e) {
              (post ? failedPosts : failedGets).incrementAndGet();
              if (!post) {
                System.out.println("failed GET: " + e);
              }
            }
          }
          return null;
        }));
      }
      long killAt = begin + duration.toNanos() / 3;
      while ((System.nanoTime() < killAt || gets.get() < minGets / 3) && System.nanoTime() < cap) {
        Thread.sleep(10);
      }
      if (mode == Mode.KILL) {
        backends.get(2).close();
      } else {
        backends.get(2).onRequest(() -> holeOpen.await());
      }
      for (Future<?> f : futures) {
        f.get(duration.toSeconds() + 90, TimeUnit.SECONDS);
      }
      pool.shutdownNow();
    } finally {
      holeOpen.countDown();
      backends.forEach(Backend::close);
    }
    Map<String, Integer> postsReceived = new HashMap<>();
    for (Backend b : backends) {
      b.postIds().forEach((id, count) -> postsReceived.merge(id, count.get(), Integer::sum));
    }
    int duplicated = (int) postsReceived.values().stream().filter(c -> c > 1).count();
    return new Result(mode, gets.get(), failedGets.get(), posts.get(), failedPosts.get(), duplicated,
        retries.get(), ejections.get());
  }
}
