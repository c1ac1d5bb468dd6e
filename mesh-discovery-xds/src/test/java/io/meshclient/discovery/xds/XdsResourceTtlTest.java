package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.meshclient.api.NoHealthyInstanceException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A resource sent wrapped in a Resource with a ttl (go-control-plane's TTL) is removed, as Envoy removes it, when the
 * TTL passes without a heartbeat (the wrapper without its resource) or an update; an update without a ttl clears it.
 */
@Timeout(60)
class XdsResourceTtlTest extends ScriptedMeshTest {
  static final com.google.protobuf.Duration TTL = com.google.protobuf.Duration.newBuilder().setNanos(300_000_000).build();
  /** Another cluster's endpoints, which no service uses. */
  static final String OTHER = Resources.istio(9080, "v2", "reviews.default.svc.cluster.local");

  static Resource withTtl(ClusterLoadAssignment endpoints) {
    return Resource.newBuilder().setName(endpoints.getClusterName()).setTtl(TTL).setResource(Any.pack(endpoints))
        .build();
  }

  @Test
  void endpointsWhoseTtlPassesWithoutAHeartbeatAreRemovedAndCallsSayWhy() throws Exception {
    try (LogRecorder log = new LogRecorder(XdsClient.class)) {
      reviewsServedByA(mesh -> {
        assertAcked(controlPlane.send(ResourceType.EDS, "2", Any.pack(withTtl(Resources.endpoints(V1,
            backends.port("b"))))));
        awaitACallAnsweredBy(mesh, "b");

        Exception failure = Load.awaitFailure(mesh, "http://reviews/", "calls failing once the TTL passed");

        assertThat(failure).isInstanceOf(NoHealthyInstanceException.class).hasMessage("no healthy instance of "
            + "service 'reviews' in subset 'v1': cluster_load_assignment " + V1 + " expired: the control plane sent "
            + "it with a TTL of 300 ms (EDS version 2) and no heartbeat or update within it: removed, as Envoy "
            + "removes it");
        assertThat(log.warnings()).containsExactly("xDS: EDS resource " + V1 + " expired: its TTL of 300 ms passed "
            + "without a heartbeat or update; removed");
        assertThat(metrics.resources("eds")).isZero();

        assertAcked(controlPlane.send(ResourceType.EDS, "3", Resources.endpoints(V1, backends.port("a"))));
        awaitServedBy(mesh, "a"); // a later version is taken
      });
    }
  }

  @Test
  void endpointsWithAHeartbeatEvery100MsStay() throws Exception {
    reviewsServedByA(mesh -> {
      // a TTL of 1 s, not 300 ms: on a loaded machine a heartbeat may come more than 300 ms after the one before
      var ttl = com.google.protobuf.Duration.newBuilder().setSeconds(1).build();
      Resource endpoints = Resource.newBuilder().setName(V1).setTtl(ttl)
          .setResource(Any.pack(Resources.endpoints(V1, backends.port("b")))).build();
      assertAcked(controlPlane.send(ResourceType.EDS, "2", Any.pack(endpoints)));
      awaitACallAnsweredBy(mesh, "b");
      Resource heartbeat = Resource.newBuilder().setName(V1).setTtl(ttl).build();
      ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
      try {
        beats.scheduleAtFixedRate(() -> controlPlane.send(ResourceType.EDS, "2", Any.pack(heartbeat)), 100, 100,
            TimeUnit.MILLISECONDS);
        long end = System.nanoTime() + Duration.ofSeconds(3).toNanos(); // three TTLs
        while (System.nanoTime() < end) {
          assertThat(Load.call(mesh, "http://reviews/")).isEqualTo("b");
        }
      } finally {
        beats.shutdownNow();
        assertThat(beats.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(controlPlane.requests(ResourceType.EDS).stream().filter(r -> r.hasErrorDetail())).isEmpty();
    });
  }

  @Test
  void aHeartbeatLeavesNoTimerBehindOnTheXdsThread() throws Exception {
    reviewsServedByA(mesh -> {
      var hour = com.google.protobuf.Duration.newBuilder().setSeconds(3600).build();
      assertAcked(controlPlane.send(ResourceType.EDS, "2", Any.pack(Resource.newBuilder().setName(V1).setTtl(hour)
          .setResource(Any.pack(Resources.endpoints(V1, backends.port("b")))).build())));
      awaitACallAnsweredBy(mesh, "b");
      var queue = ((XdsDiscovery) discovery).executor.getQueue();
      int before = queue.size();

      Resource heartbeat = Resource.newBuilder().setName(V1).setTtl(hour).build();
      for (int i = 0; i < 200; i++) {
        assertAcked(controlPlane.send(ResourceType.EDS, "2", Any.pack(heartbeat)));
      }

      // each heartbeat replaces the timer: the one it cancels must not wait out its hour in the queue
      assertThat(queue.size()).as("tasks queued on the xDS thread").isLessThanOrEqualTo(before + 5);
      assertThat(Load.call(mesh, "http://reviews/")).isEqualTo("b");
    });
  }

  @Test
  void endpointsUpdatedWithoutATtlStay() throws Exception {
    try (LogRecorder log = new LogRecorder(XdsClient.class)) {
      reviewsServedByA(mesh -> {
        assertAcked(controlPlane.send(ResourceType.EDS, "2", Any.pack(withTtl(Resources.endpoints(V1,
            backends.port("b"))))));
        awaitACallAnsweredBy(mesh, "b");

        // V1 updated without a ttl, with another resource whose TTL starts then: once that one has expired, V1's
        // first TTL, which ended before, has passed too (one thread runs both timers, in the order they end)
        assertAcked(controlPlane.send(ResourceType.EDS, "3", Any.pack(Resources.endpoints(V1, backends.port("a"))),
            Any.pack(withTtl(Resources.endpoints(OTHER, backends.port("b"))))));
        Load.await(() -> !log.warnings().isEmpty(), Duration.ofSeconds(10), "the other endpoints' expiry");

        assertThat(log.warnings()).containsExactly("xDS: EDS resource " + OTHER + " expired: its TTL of 300 ms "
            + "passed without a heartbeat or update; removed");
        awaitServedBy(mesh, "a");
      });
    }
  }
}
