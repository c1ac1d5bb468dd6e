package io.meshclient.core.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Backend;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.Sleeper;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call whose thread is interrupted, or which is cancelled, while it waits its backoff between attempts
 * ends at once, and the 503 it is retrying leaves no connection behind: before, the 503 stayed open (its
 * connection out of the pool) when the wait threw, and a cancelled call slept its whole backoff.
 */
@Timeout(30)
class BackoffEndsCallTest {
  private final CountDownLatch waiting = new CountDownLatch(1);

  private Mesh mesh(Backend backend, Sleeper sleeper) {
    ServiceConfig service = ServiceConfig.builder("api")
        .retry(RetryConfig.DEFAULT.withAttempts(5).withOn(Set.of(), Set.of(503))
            .withBackoff(Duration.ofSeconds(60), Duration.ofSeconds(60)).withBudget(100, 100))
        .outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF).build();
    return Mesh.builder().sleeper(sleeper).config(MeshConfig.builder().service(service).build())
        .discovery("memory", new InMemoryDiscovery().set("api", List.of(backend.instance("api", Map.of()))))
        .build();
  }

  /** The next call to the backend, now answering 200, goes over the connection the 503 came on. */
  private static void assertConnectionBackInThePool(Mesh mesh, Backend backend) throws IOException {
    ConnectionPool pool = mesh.httpClient().connectionPool();
    assertThat(pool.connectionCount()).isEqualTo(1);
    assertThat(pool.idleConnectionCount()).as("the 503's connection is back in the pool").isEqualTo(1);
    backend.status(200);
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://api/next").build())
        .execute()) {
      assertThat(response.body().string()).isEqualTo("b");
    }
    assertThat(backend.connections()).isEqualTo(1);
  }

  @Test
  void anInterruptDuringTheBackoffEndsTheCallAndClosesTheResponseItWouldRetry() throws Exception {
    // Each slice of the backoff waits 30 s: only the interrupt ends it.
    Sleeper slow = nanos -> {
      waiting.countDown();
      Sleeper.system().sleep(TimeUnit.SECONDS.toNanos(30));
    };
    try (Backend backend = new Backend("b").status(503); Mesh mesh = mesh(backend, slow)) {
      CompletableFuture<Throwable> thrown = new CompletableFuture<>();
      CompletableFuture<Boolean> flagKept = new CompletableFuture<>();
      Thread caller = new Thread(() -> {
        try (Response response = mesh.httpClient().newCall(new Request.Builder().url("http://api/x").build())
            .execute()) {
          thrown.complete(null);
        } catch (Throwable t) {
          thrown.complete(t);
        }
        flagKept.complete(Thread.interrupted());
      }, "backoff-waiter");
      caller.start();
      assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
      caller.interrupt();

      assertThat(thrown.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);
      assertThat(flagKept.get(5, TimeUnit.SECONDS)).as("the interrupt flag is kept").isTrue();
      assertThat(backend.requests()).isEqualTo(1);
      assertConnectionBackInThePool(mesh, backend);
    }
  }

  @Test
  void cancellingACallDuringItsBackoffEndsItWithinASlice() throws Exception {
    Sleeper real = nanos -> {
      waiting.countDown();
      Sleeper.system().sleep(nanos);
    };
    try (Backend backend = new Backend("b").status(503); Mesh mesh = mesh(backend, real)) {
      Call call = mesh.httpClient().newCall(new Request.Builder().url("http://api/x").build());
      CompletableFuture<Throwable> thrown = CompletableFuture.supplyAsync(() -> {
        try (Response response = call.execute()) {
          return null;
        } catch (Throwable t) {
          return t;
        }
      });
      assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
      long cancelled = System.nanoTime();
      call.cancel();

      // The backoff is drawn up to 60 s; a slice is at most 100 ms (the bound leaves a loaded machine a margin).
      assertThat(thrown.get(10, TimeUnit.SECONDS)).isInstanceOf(IOException.class).hasMessage("Canceled");
      assertThat(Duration.ofNanos(System.nanoTime() - cancelled)).isLessThan(Duration.ofSeconds(3));
      assertThat(backend.requests()).as("no attempt after the cancel").isEqualTo(1);
      assertConnectionBackInThePool(mesh, backend);
    }
  }
}
