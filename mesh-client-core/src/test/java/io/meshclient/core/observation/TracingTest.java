package io.meshclient.core.observation;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-attempt W3C tracing with micrometer-tracing's OpenTelemetry bridge, asserted at real servers on
 * 127.0.0.1: what {@code traceparent} each request carried, and which exported span it names.
 */
@Timeout(30)
class TracingTest {
  /** A traceparent the caller's HTTP client already wrote (as Spring's client observation does). */
  private static final String STALE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  private final OtelTracing tracing = new OtelTracing();

  @AfterEach
  void close() {
    tracing.close();
  }

  private static Mesh mesh(ObservationRegistry registry, String route, Map<String, TracedServer> servers) {
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", servers.entrySet().stream()
        .map(e -> e.getValue().instance("api", Map.of("version", e.getKey()))).toList());
    Mesh.Builder builder = Mesh.builder().config(MeshConfig.fromYaml("""
        mesh:
          services:
            api:
              load-balancer: round-robin
              outlier-detection: { enabled: false }
              retry: { attempts: 3, on: [503], budget: 1000%, backoff: { base: 1ms, max: 2ms } }
              subsets: { v1: { version: v1 }, v2: { version: v2 } }
              routes:
                - name: main
                  ROUTE
        """.replace("ROUTE", route), name -> null)).discovery("memory", discovery);
    return (registry == null ? builder : builder.observationRegistry(registry)).build();
  }

  private static Request get() {
    return new Request.Builder().url("http://api/items/1").header("traceparent", STALE).build();
  }

  /** Runs {@code call} inside a started, scoped "caller" observation, as a traced controller would. */
  private <T> T asCaller(java.util.concurrent.Callable<T> call) throws Exception {
    Observation caller = Observation.start("caller", tracing.registry);
    try (Observation.Scope scope = caller.openScope()) {
      return call.call();
    } finally {
      caller.stop();
    }
  }

  private SpanView span(Predicate<SpanView> which) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      List<SpanView> found = tracing.spans().stream().filter(which).toList();
      if (!found.isEmpty()) {
        assertThat(found).hasSize(1);
        return found.get(0);
      }
      Thread.sleep(5);
    }
    throw new AssertionError("no such span in " + tracing.spans());
  }

  /** The span whose id a received traceparent names, checking the trace id too. */
  private SpanView sentBy(String traceparent) throws InterruptedException {
    String[] parts = traceparent.split("-");
    assertThat(parts).hasSize(4);
    return span(s -> s.spanId().equals(parts[2]) && s.traceId().equals(parts[1]));
  }

  /**
   * Three requests (503, 503, 200), one trace: the caller's. Each names its own span, a child of the
   * call's span, which is a child of the caller's.
   */
  private void assertThreeAttemptsUnderTheCaller(List<String> received) throws InterruptedException {
    SpanView caller = span(s -> s.name().equals("caller"));
    SpanView call = span(s -> s.tags().containsKey(MeshObservationNames.KIND) == false
        && "api".equals(s.tags().get(MeshObservationNames.SERVICE)));
    assertThat(call.name()).isEqualTo("GET api");
    assertThat(call.traceId()).isEqualTo(caller.traceId());
    assertThat(call.parentId()).isEqualTo(caller.spanId());
    assertThat(call.tags()).containsEntry(MeshObservationNames.ROUTE, "main")
        .containsEntry(MeshObservationNames.SUBSET, "v1").containsEntry(MeshObservationNames.STATUS, "200");

    assertThat(received).hasSize(3).doesNotContain(STALE).doesNotHaveDuplicates()
        .allSatisfy(tp -> assertThat(tp).startsWith("00-" + caller.traceId() + "-"));
    List<SpanView> attempts = new java.util.ArrayList<>();
    for (String tp : received) {
      attempts.add(sentBy(tp));
    }
    assertThat(attempts).extracting(SpanView::spanId).doesNotHaveDuplicates();
    assertThat(attempts).allSatisfy(a -> {
      assertThat(a.parentId()).isEqualTo(call.spanId());
      assertThat(a.tags()).containsEntry(MeshObservationNames.SERVICE, "api")
          .containsEntry(MeshObservationNames.SUBSET, "v1").containsEntry(MeshObservationNames.ROUTE, "main");
    });
    assertThat(attempts).extracting(a -> a.tags().get(MeshObservationNames.KIND))
        .containsExactly("first", "retry", "retry");
    assertThat(attempts).extracting(a -> a.tags().get(MeshObservationNames.STATUS))
        .containsExactly("503", "503", "200");
  }

  @Test
  void eachRetryIsItsOwnSpanUnderTheCallUnderTheCallersSpan() throws Exception {
    try (TracedServer v1 = new TracedServer(503, 503); TracedServer v2 = new TracedServer();
        Mesh mesh = mesh(tracing.registry, "to: v1", Map.of("v1", v1, "v2", v2))) {
      int code = asCaller(() -> {
        try (Response r = mesh.httpClient().newCall(get()).execute()) {
          return r.code();
        }
      });
      assertThat(code).isEqualTo(200);
      assertThreeAttemptsUnderTheCaller(v1.traceparents());
    }
  }

  @Test
  void anEnqueuedCallKeepsTheCallersSpanOnTheDispatcherThread() throws Exception {
    try (TracedServer v1 = new TracedServer(503, 503); TracedServer v2 = new TracedServer();
        Mesh mesh = mesh(tracing.registry, "to: v1", Map.of("v1", v1, "v2", v2))) {
      CompletableFuture<Integer> code = new CompletableFuture<>();
      asCaller(() -> {
        mesh.httpClient().newCall(get()).enqueue(new Callback() {
          @Override
          public void onResponse(Call call, Response response) {
            response.close();
            code.complete(response.code());
          }

          @Override
          public void onFailure(Call call, IOException e) {
            code.completeExceptionally(e);
          }
        });
        return null;
      });
      assertThat(code.get(10, TimeUnit.SECONDS)).isEqualTo(200);
      assertThreeAttemptsUnderTheCaller(v1.traceparents());
    }
  }

  @Test
  void aMirroredCopyCarriesItsOwnSpanMarkedMirror() throws Exception {
    try (TracedServer v1 = new TracedServer(); TracedServer v2 = new TracedServer();
        Mesh mesh = mesh(tracing.registry, "to: v1\n          mirror: { to: v2, percent: 100 }",
            Map.of("v1", v1, "v2", v2))) {
      asCaller(() -> {
        mesh.httpClient().newCall(get()).execute().close();
        return null;
      });
      SpanView call = span(s -> s.name().equals("GET api"));
      SpanView first = sentBy(v1.traceparents().get(0));
      awaitSize(v2.traceparents(), 1);
      SpanView mirror = sentBy(v2.traceparents().get(0));
      assertThat(first.tags()).containsEntry(MeshObservationNames.KIND, "first");
      assertThat(mirror.tags()).containsEntry(MeshObservationNames.KIND, "mirror")
          .containsEntry(MeshObservationNames.SUBSET, "v2").containsEntry(MeshObservationNames.ROUTE, "main");
      assertThat(mirror.parentId()).isEqualTo(call.spanId());
      assertThat(mirror.spanId()).isNotEqualTo(first.spanId());
    }
  }

  @Test
  void aHedgeCarriesItsOwnSpanMarkedHedge() throws Exception {
    try (TracedServer v1 = new TracedServer().delay(300); TracedServer v2 = new TracedServer().delay(300);
        Mesh mesh = mesh(tracing.registry, "to: { service: api }\n          hedge: { after: 20ms }",
            Map.of("v1", v1, "v2", v2))) {
      int code = asCaller(() -> {
        try (Response r = mesh.httpClient().newCall(get()).execute()) {
          return r.code();
        }
      });
      assertThat(code).isEqualTo(200);
      SpanView call = span(s -> s.name().equals("GET api"));
      awaitSize(v1.traceparents(), 1);
      awaitSize(v2.traceparents(), 1);
      SpanView a = sentBy(v1.traceparents().get(0));
      SpanView b = sentBy(v2.traceparents().get(0));
      assertThat(List.of(a, b)).allSatisfy(s -> assertThat(s.parentId()).isEqualTo(call.spanId()))
          .extracting(s -> s.tags().get(MeshObservationNames.KIND)).containsExactlyInAnyOrder("first", "hedge");
      assertThat(a.spanId()).isNotEqualTo(b.spanId());
    }
  }

  @Test
  void withoutARegistryOrWithoutHandlersTheRequestIsSentAsTheCallerMadeIt() throws Exception {
    try (TracedServer v1 = new TracedServer(); TracedServer v2 = new TracedServer();
        Mesh plain = mesh(null, "to: v1", Map.of("v1", v1, "v2", v2));
        Mesh unhandled = mesh(ObservationRegistry.create(), "to: v1", Map.of("v1", v1, "v2", v2))) {
      plain.httpClient().newCall(get()).execute().close();
      unhandled.httpClient().newCall(get()).execute().close();
      assertThat(v1.traceparents()).containsExactly(STALE, STALE);
    }
  }

  private static void awaitSize(List<String> list, int size) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (list.size() < size && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(list).hasSizeGreaterThanOrEqualTo(size);
  }
}
