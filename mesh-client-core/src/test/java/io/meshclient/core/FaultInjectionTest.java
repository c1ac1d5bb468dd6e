package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meshclient.core.config.FaultConfig;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class FaultInjectionTest {

  private static Mesh mesh(Backend backend, FaultConfig fault, Sleeper sleeper) {
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", List.of(backend.instance("api", Map.of())));
    ServiceConfig service = ServiceConfig.builder("api").subset("all", Map.of())
        .route(RouteConfig.to(RouteConfig.Match.ANY, "all").withName("chaos").withFault(fault)).build();
    return Mesh.builder().config(MeshConfig.builder().service(service).build()).discovery("memory", discovery)
        .random(new SplittableRandom(2026)).sleeper(sleeper).build();
  }

  private static int get(Mesh mesh, String... headers) throws IOException {
    try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://api/")
        .headers(okhttp3.Headers.of(headers)).build()).execute()) {
      return r.code();
    }
  }

  @Test
  void tenPercentAbortOver10000RequestsLandsWithinOnePoint() throws Exception {
    try (Backend backend = new Backend("b"); Mesh mesh = mesh(backend, FaultConfig.abort(10, 503), Sleeper.system())) {
      int aborted = 0;
      for (int i = 0; i < 10_000; i++) {
        aborted += get(mesh) == 503 ? 1 : 0;
      }
      System.out.printf("fault injection: %d of 10000 aborted%n", aborted);
      assertThat(aborted / 100.0).isCloseTo(10.0, within(1.0));
      assertThat(backend.requests()).as("aborted requests never leave the process").isEqualTo(10_000 - aborted);
    }
  }

  @Test
  void delayWaitsBeforeSendingAndAppliesOnlyWithTheHeader() throws Exception {
    // A delay is waited in slices (so that a cancel ends it): the slices of one call add up to its wait.
    List<Long> slices = new CopyOnWriteArrayList<>();
    List<Long> waits = new CopyOnWriteArrayList<>();
    AtomicLong waited = new AtomicLong();
    Sleeper sleeper = nanos -> {
      slices.add(nanos);
      waited.addAndGet(nanos);
    };
    try (Backend backend = new Backend("b");
        Mesh mesh = mesh(backend, FaultConfig.delay(50, Duration.ofMillis(250)).onlyWithHeader("x-chaos"), sleeper)) {
      for (int i = 0; i < 200; i++) {
        assertThat(get(mesh)).isEqualTo(200);
      }
      assertThat(slices).isEmpty();
      for (int i = 0; i < 200; i++) {
        assertThat(get(mesh, "x-chaos", "1")).isEqualTo(200);
        long wait = waited.getAndSet(0);
        if (wait > 0) {
          waits.add(wait);
        }
      }
      assertThat(waits).allMatch(w -> w == Duration.ofMillis(250).toNanos());
      assertThat(waits.size()).isBetween(70, 130);
      assertThat(slices).allMatch(s -> s > 0 && s <= Duration.ofMillis(100).toNanos());
    }
  }
}
