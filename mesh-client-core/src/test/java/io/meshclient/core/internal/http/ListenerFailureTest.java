package io.meshclient.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.meshclient.api.CallOutcome;
import io.meshclient.core.Backend;
import io.meshclient.core.CallListener;
import io.meshclient.core.CallRecord;
import io.meshclient.core.FakeTicker;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.MeshListener;
import io.meshclient.core.RoutingDecision;
import io.meshclient.core.config.BreakerConfig;
import io.meshclient.core.config.HedgeConfig;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.MirrorConfig;
import io.meshclient.core.config.OutlierConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link MeshListener} must not throw; one that does fails the call it threw in, with its exception, and
 * leaves nothing held: no response open (its connection back in the pool), no call counted in flight, no
 * caller waiting for a hedged result that never comes.
 */
@Timeout(30)
class ListenerFailureTest {
  private final AtomicInteger throwsLeft = new AtomicInteger();

  /** Throws from the first {@link #throwsLeft} events named {@code event} it is told of. */
  private MeshListener throwingOn(String event) {
    return new MeshListener() {
      @Override
      public void onEjected(String service, String instanceId, long nanos) {
        fail("ejected");
      }

      @Override
      public void onCallComplete(String service, String subset, String method, int status, CallOutcome outcome,
          long durationNanos) {
        fail("call-complete");
      }

      @Override
      public void onMirror(String service, String route, String result) {
        fail("mirror");
      }

      private void fail(String happened) {
        if (happened.equals(event) && throwsLeft.getAndDecrement() > 0) {
          throw new IllegalStateException("a bug in the listener");
        }
      }
    };
  }

  /** A call's listener that throws from the first {@link #throwsLeft} events named {@code event}. */
  private CallListener throwingCallListenerOn(String event) {
    return new CallListener() {
      @Override
      public void onAttempt(RoutingDecision decision) {
        fail("attempt");
      }

      @Override
      public void onEnd(CallRecord record) {
        fail("end");
      }

      private void fail(String happened) {
        if (happened.equals(event) && throwsLeft.getAndDecrement() > 0) {
          throw new IllegalStateException("a bug in the listener");
        }
      }
    };
  }

  private static Mesh.Builder mesh(Backend backend, ServiceConfig.Builder service) {
    return Mesh.builder().config(MeshConfig.builder().service(service.build()).build())
        .discovery("memory", new InMemoryDiscovery().set("api", List.of(backend.instance("api", Map.of()))));
  }

  private static Call newCall(Mesh mesh) {
    return mesh.httpClient().newCall(new Request.Builder().url("http://api/x").build());
  }

  /**
   * {@code call} fails with the listener's exception; the one connection to the backend is idle in the
   * pool, and the next call goes over it.
   */
  private static void assertTheBugFailsTheCallAndFreesTheConnection(Mesh mesh, Backend backend, Call call)
      throws IOException {
    assertThatThrownBy(call::execute).isInstanceOf(IllegalStateException.class).hasMessage("a bug in the listener");
    assertThat(mesh.httpClient().connectionPool().connectionCount()).isEqualTo(1);
    assertThat(mesh.httpClient().connectionPool().idleConnectionCount()).as("the response was closed").isEqualTo(1);
    backend.status(200);
    try (Response response = newCall(mesh).execute()) {
      assertThat(response.body().string()).isEqualTo("b");
    }
    assertThat(backend.connections()).isEqualTo(1);
  }

  /** No retry, and an instance ejected at its first failure; panic (below 100% healthy) keeps it balanced. */
  private static ServiceConfig.Builder ejectingAtFirstFailure() {
    return ServiceConfig.builder("api").retry(RetryConfig.NONE)
        .outlierDetection(new OutlierConfig(1, Duration.ofSeconds(30), Duration.ofSeconds(30), 50, 100));
  }

  @Test
  void aListenerThrowingWhileAnAttemptIsRecordedLeavesTheResponseClosed() throws Exception {
    throwsLeft.set(1);
    try (Backend backend = new Backend("b").status(503);
        Mesh mesh = mesh(backend, ejectingAtFirstFailure()).listener(throwingOn("ejected")).build()) {
      assertTheBugFailsTheCallAndFreesTheConnection(mesh, backend, newCall(mesh));
    }
  }

  @Test
  void aListenerThrowingWhenTheCallCompletesLeavesTheResponseClosed() throws Exception {
    throwsLeft.set(1);
    // No retry: the mesh leaves the body unread (a retriable call reads a small one ahead), so the
    // connection stays the response's until it is closed.
    ServiceConfig.Builder service = ServiceConfig.builder("api").retry(RetryConfig.NONE);
    try (Backend backend = new Backend("b");
        Mesh mesh = mesh(backend, service).listener(throwingOn("call-complete")).build()) {
      assertTheBugFailsTheCallAndFreesTheConnection(mesh, backend, newCall(mesh));
    }
  }

  @Test
  void aCallListenerThrowingAtTheEndOfTheCallLeavesTheResponseClosed() throws Exception {
    throwsLeft.set(1);
    CallListener throwing = throwingCallListenerOn("end");
    ServiceConfig.Builder service = ServiceConfig.builder("api").retry(RetryConfig.NONE);
    try (Backend backend = new Backend("b");
        Mesh mesh = mesh(backend, service).callListenerFactory((name, request) -> throwing).build()) {
      assertTheBugFailsTheCallAndFreesTheConnection(mesh, backend, newCall(mesh));
    }
  }

  @Test
  void aCallListenerThrowingAsAHedgedAttemptStartsLeavesTheHalfOpenProbeFree() throws Exception {
    throwsLeft.set(1);
    CallListener throwing = throwingCallListenerOn("attempt");
    FakeTicker ticker = new FakeTicker();
    ServiceConfig.Builder service = ServiceConfig.builder("api").retry(RetryConfig.NONE)
        .circuitBreaker(BreakerConfig.DEFAULT.withWindow(4, 4).withHalfOpenProbes(1)).subset("all", Map.of())
        .route(RouteConfig.to(RouteConfig.Match.ANY, "all").withHedge(HedgeConfig.after(Duration.ofSeconds(5))));
    try (Backend backend = new Backend("b");
        Mesh mesh = mesh(backend, service).ticker(ticker).callListenerFactory((name, request) -> throwing).build()) {
      CircuitBreaker breaker = mesh.circuitBreakerRegistry().circuitBreaker("api");
      breaker.transitionToOpenState();
      ticker.advance(Duration.ofMinutes(10)); // past open-for: the next permit makes it half-open, one probe
      assertThatThrownBy(() -> newCall(mesh).execute()).isInstanceOf(IllegalStateException.class)
          .hasMessage("a bug in the listener");
      try (Response response = newCall(mesh).execute()) {
        assertThat(response.body().string()).as("the probe, not taken by the failed call").isEqualTo("b");
      }
      assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }
  }

  @Test
  void aListenerThrowingAsTheMirrorDropsACopyLeavesNoCallInFlight() throws Exception {
    // The mirror's subset has no instance, so each copy is dropped, and the listener told so.
    ServiceConfig.Builder service = ServiceConfig.builder("api").maxConcurrentRequests(1)
        .subset("all", Map.of()).subset("shadow", Map.of("version", "none"))
        .route(RouteConfig.to(RouteConfig.Match.ANY, "all").withMirror(MirrorConfig.toSubset("shadow", 100)));
    throwsLeft.set(3);
    try (Backend backend = new Backend("b"); Mesh mesh = mesh(backend, service).listener(throwingOn("mirror")).build()) {
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> newCall(mesh).execute()).isInstanceOf(IllegalStateException.class)
            .hasMessage("a bug in the listener");
      }
      try (Response response = newCall(mesh).execute()) {
        assertThat(response.body().string()).as("max-concurrent-requests 1, and nothing in flight").isEqualTo("b");
      }
      assertThat(backend.requests()).isEqualTo(1);
    }
  }

  @Test
  void aListenerThrowingWhileAHedgedCallIsRecordedFailsTheCallerInsteadOfLeavingItWaiting() throws Exception {
    ServiceConfig.Builder service = ejectingAtFirstFailure().subset("all", Map.of())
        .route(RouteConfig.to(RouteConfig.Match.ANY, "all").withHedge(HedgeConfig.after(Duration.ofSeconds(5))));
    throwsLeft.set(1);
    try (Backend backend = new Backend("b").status(503);
        Mesh mesh = mesh(backend, service).listener(throwingOn("ejected")).build()) {
      Call call = newCall(mesh);
      call.timeout().timeout(5, TimeUnit.SECONDS); // before the fix, the caller waited until this cancelled it
      long start = System.nanoTime();
      assertTheBugFailsTheCallAndFreesTheConnection(mesh, backend, call);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }
  }
}
