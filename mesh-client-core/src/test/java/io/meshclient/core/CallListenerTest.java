package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.api.RateLimitExceededException;
import io.meshclient.core.config.MeshConfig;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One listener per call, ending in one record, against real backends on 127.0.0.1. */
@Timeout(60)
class CallListenerTest {
  private final List<Backend> backends = new CopyOnWriteArrayList<>();
  private final List<CallRecord> records = new CopyOnWriteArrayList<>();
  private final AtomicInteger created = new AtomicInteger();

  private Backend backend(String name) throws IOException {
    Backend b = new Backend(name);
    backends.add(b);
    return b;
  }

  @AfterEach
  void stop() {
    backends.forEach(Backend::close);
  }

  /** A listener per call that checks its attempts belong to its own call, then keeps the record. */
  private final CallListener.Factory factory = (service, request) -> {
    created.incrementAndGet();
    String user = request.header("end-user");
    return new CallListener() {
      final List<RoutingDecision> attempts = new java.util.ArrayList<>();

      @Override
      public void onAttempt(RoutingDecision decision) {
        attempts.add(decision);
      }

      @Override
      public void onEnd(CallRecord record) {
        if (!attempts.isEmpty() && attempts.get(attempts.size() - 1) != record.lastAttempt()) {
          throw new AssertionError("a record that is not its own call's: " + record);
        }
        if (record.routeName() != null && "jason".equals(user) != "jason".equals(record.routeName())) {
          throw new AssertionError("jason's call got another call's record: " + record);
        }
        records.add(record);
      }
    };
  };

  private Mesh mesh(String yaml, InMemoryDiscovery discovery, CallListener.Factory listeners) {
    return Mesh.builder().config(MeshConfig.fromYaml(yaml, name -> null)).discovery("memory", discovery)
        .random(new SplittableRandom(3)).callListenerFactory(listeners).build();
  }

  private static int get(Mesh mesh, String url, String user) throws IOException {
    Request.Builder request = new Request.Builder().url(url);
    if (user != null) {
      request.header("end-user", user);
    }
    try (Response r = mesh.httpClient().newCall(request.build()).execute()) {
      return r.code();
    }
  }

  private static final String BOOKINFO = """
      mesh:
        services:
          reviews:
            load-balancer: round-robin
            subsets: { v1: { version: v1 }, v2: { version: v2 } }
            routes:
              - name: jason
                match: { headers: { end-user: { exact: jason } } }
                to: v2
              - name: split
                split: { v1: 50, v2: 50 }
            rate-limit: { rate: 1000/s }
          ratings:
            rate-limit: { rate: 1/h }
      """;

  @Test
  void eachCallGetsItsOwnListenerEndingInOneRecordEvenUnderEightThreads() throws Exception {
    Backend v1 = backend("v1");
    Backend v2 = backend("v2");
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(
        v1.instance("reviews", Map.of("version", "v1")), v2.instance("reviews", Map.of("version", "v2"))))
        .set("ratings", List.of(v1.instance("ratings", Map.of())));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (Mesh mesh = mesh(BOOKINFO, discovery, factory)) {
      List<Future<Integer>> calls = new java.util.ArrayList<>();
      for (int i = 0; i < 400; i++) {
        String user = i % 2 == 0 ? "jason" : null;
        calls.add(pool.submit(() -> get(mesh, "http://reviews/r", user)));
      }
      for (Future<Integer> f : calls) {
        assertThat(f.get()).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(created.get()).isEqualTo(400);
    assertThat(records).hasSize(400).allSatisfy(r -> {
      assertThat(r.reason()).isEqualTo(CallRecord.Reason.RESPONSE);
      assertThat(r.outcome()).isEqualTo(CallOutcome.SUCCESS);
      assertThat(r.attempts()).isEqualTo(1);
      assertThat(r.lastAttempt().candidates()).containsExactly(r.subset());
      assertThat(r.lastAttempt().chosen()).isEqualTo(r.subset());
    });
    assertThat(records).filteredOn(r -> "jason".equals(r.routeName()))
        .hasSize(200).allSatisfy(r -> assertThat(r.subset()).isEqualTo("v2"));
    assertThat(records).filteredOn(r -> "split".equals(r.routeName())).hasSize(200)
        .allSatisfy(r -> assertThat(r.subset()).isEqualTo(r.draw() < 50 ? "v1" : "v2"));
  }

  @Test
  void refusalsEndInARecordNamingWhyAndTheLimit() throws Exception {
    Backend v1 = backend("v1");
    InMemoryDiscovery discovery = new InMemoryDiscovery()
        .set("reviews", List.of(v1.instance("reviews", Map.of("version", "v1"))))
        .set("ratings", List.of(v1.instance("ratings", Map.of())));
    try (Mesh mesh = mesh(BOOKINFO, discovery, factory)) {
      assertThat(get(mesh, "http://ratings/", null)).isEqualTo(200);
      assertThatThrownBy(() -> get(mesh, "http://ratings/", null)).isInstanceOf(RateLimitExceededException.class);
      assertThatThrownBy(() -> get(mesh, "http://reviews/", "jason")).isInstanceOf(NoHealthyInstanceException.class);
    }
    assertThat(records).hasSize(3);
    assertThat(records.get(0).reason()).isEqualTo(CallRecord.Reason.RESPONSE);
    assertThat(records.get(0).route()).isNull();
    assertThat(records.get(1).reason()).isEqualTo(CallRecord.Reason.RATE_LIMITED);
    assertThat(records.get(1).limiter()).isEqualTo("ratings");
    assertThat(records.get(1).attempts()).isZero();
    assertThat(records.get(1).outcome()).isEqualTo(CallOutcome.REFUSED);
    assertThat(records.get(2).reason()).isEqualTo(CallRecord.Reason.NO_HEALTHY_INSTANCE);
    assertThat(records.get(2).subset()).isEqualTo("v2");
    assertThat(records.get(2).route().to()).isEqualTo("v2");
  }

  @Test
  void aFactoryAnsweringNoneObservesNothingAndARetryShowsInTheAttempts() throws Exception {
    Backend failing = backend("bad").status(503);
    Backend good = backend("good");
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(
        failing.instance("reviews", Map.of("version", "v1")), good.instance("reviews", Map.of("version", "v1"))));
    CallListener.Factory onlyJason = (service, request) ->
        "jason".equals(request.header("end-user")) ? factory.newCall(service, request) : CallListener.NONE;
    try (Mesh mesh = mesh("""
        mesh:
          services:
            reviews:
              load-balancer: round-robin
              outlier-detection: { enabled: false }
              retry: { attempts: 3, backoff: { base: 0ms, max: 0ms }, budget: 1000% }
        """, discovery, onlyJason)) {
      for (int i = 0; i < 6; i++) {
        assertThat(get(mesh, "http://reviews/", i < 4 ? null : "jason")).isEqualTo(200);
      }
    }
    assertThat(records).hasSize(2).allSatisfy(r -> {
      assertThat(r.routeName()).isNull();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.lastAttempt().chosen()).isEqualTo(good.instance("reviews", Map.of()).id());
    });
    assertThat(records).extracting(CallRecord::attempts).contains(2);
  }
}
