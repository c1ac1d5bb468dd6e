package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.CallOutcome;
import io.meshclient.core.config.FaultConfig;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.metrics.MeshMetricNames;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * OkHttp's {@link Call#cancel()} does not interrupt the calling thread: a cancelled call waiting before it
 * is sent (a fault injection's delay) ends within a slice of its wait, failing as OkHttp fails a cancelled
 * call, counted as a cancel. Before, it held its thread for the whole wait. Real calls to a server on 127.0.0.1,
 * cancelled from the test's thread.
 */
@Timeout(60)
class CancelDuringWaitTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<CallRecord> records = new CopyOnWriteArrayList<>();
  private final CountDownLatch delayed = new CountDownLatch(1);

  private Mesh.Builder mesh(Backend backend, ServiceConfig service) {
    return Mesh.builder().config(MeshConfig.builder().service(service).build())
        .discovery("memory", new InMemoryDiscovery().set("api", List.of(backend.instance("api", Map.of()))))
        .meterRegistry(meters)
        .callListenerFactory((name, request) -> new CallListener() {
          @Override
          public void onEnd(CallRecord record) {
            records.add(record);
          }
        });
  }

  private static Request get(String path) {
    return new Request.Builder().url("http://api" + path).build();
  }

  /** Runs {@code call} on its own thread; completes with what it threw (null: it answered). */
  private static CompletableFuture<Throwable> inBackground(Call call) {
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    new Thread(() -> {
      try (Response response = call.execute()) {
        thrown.complete(null);
      } catch (Throwable t) {
        thrown.complete(t);
      }
    }, "cancelled-caller").start();
    return thrown;
  }

  /** Cancels {@code call} and returns how long it took to fail, after checking it failed as cancelled. */
  private static Duration cancel(Call call, CompletableFuture<Throwable> thrown) throws Exception {
    long cancelled = System.nanoTime();
    call.cancel();
    Throwable failure = thrown.get(30, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - cancelled);
    assertThat(failure).isExactlyInstanceOf(IOException.class).hasMessage("Canceled");
    return took;
  }

  /** The calls {@code mesh.client.requests} counted with the {@code error} tag {@code error}. */
  private long requests(String error) {
    return meters.find(MeshMetricNames.REQUESTS).tag(MeshMetricNames.ERROR, error).timers().stream()
        .mapToLong(Timer::count).sum();
  }

  @Test
  void aCallCancelledDuringAnInjectedDelayEndsWithinASliceWithoutBeingSent() throws Exception {
    ServiceConfig service = ServiceConfig.builder("api").subset("all", Map.of())
        .route(RouteConfig.to(RouteConfig.Match.ANY, "all").withName("chaos")
            .withFault(FaultConfig.delay(100, Duration.ofSeconds(5))))
        .build();
    MeshListener onDelay = new MeshListener() {
      @Override
      public void onFaultInjected(String service, String route, String kind) {
        delayed.countDown();
      }
    };
    try (Backend backend = new Backend("b"); Mesh mesh = mesh(backend, service).listener(onDelay).build()) {
      Call call = mesh.httpClient().newCall(get("/delayed"));
      CompletableFuture<Throwable> thrown = inBackground(call);
      assertThat(delayed.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(200);

      assertThat(cancel(call, thrown)).as("the 5 s delay ends within a slice of the cancel")
          .isLessThan(Duration.ofMillis(1500));
      assertThat(backend.requests()).as("a call cancelled during its delay is never sent").isZero();
      assertThat(requests("cancelled")).as("counted as a cancel").isEqualTo(1);
      assertThat(records).singleElement().satisfies(r -> {
        assertThat(r.reason()).isEqualTo(CallRecord.Reason.CANCELLED);
        assertThat(r.outcome()).isEqualTo(CallOutcome.CANCELLED);
        assertThat(r.attempts()).isZero();
      });
    }
  }
}
