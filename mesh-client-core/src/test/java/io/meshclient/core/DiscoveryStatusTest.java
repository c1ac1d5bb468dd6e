package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.DiscoveryStatus;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Mesh#discoveryStatus()}: each discovery's own report, by the name it is configured under. */
class DiscoveryStatusTest {

  /** A discovery that reports a fixed status, or throws from {@code status()}. */
  record Reporting(DiscoveryStatus status, boolean broken) implements ServiceDiscovery {
    @Override
    public Watch watch(String service, Listener listener) {
      listener.onSnapshot(List.of(ServiceInstance.of(service, "127.0.0.1", 9)));
      return () -> { };
    }

    @Override
    public Set<String> knownServices() {
      return Set.of(broken ? "broken-svc" : "reporting-svc");
    }

    @Override
    public DiscoveryStatus status() {
      if (broken) {
        throw new IllegalStateException("secret-token-in-message");
      }
      return status;
    }

    @Override
    public void close() {}
  }

  @Test
  void eachDiscoveryReportsItsOwnStatusAndOneThatThrowsIsUnknownWithoutItsMessage() {
    DiscoveryStatus connected = new DiscoveryStatus(DiscoveryStatus.Connection.CONNECTED,
        Instant.parse("2026-01-01T00:00:00Z"), 2, "list failed", Map.of("b", "2", "a", "1"), List.of("x"));
    try (Mesh mesh = Mesh.builder().discovery("memory", new InMemoryDiscovery().set("reviews", List.of()))
        .discovery("reporting", new Reporting(connected, false)).discovery("broken", new Reporting(null, true))
        .build()) {
      Map<String, DiscoveryStatus> status = mesh.discoveryStatus();

      assertThat(status.keySet()).containsExactlyInAnyOrder("memory", "reporting", "broken");
      assertThat(status.get("memory")).isEqualTo(DiscoveryStatus.UNKNOWN);
      assertThat(status.get("reporting")).isEqualTo(connected);
      assertThat(status.get("reporting").details().keySet()).containsExactly("a", "b");
      assertThat(status.get("broken").connection()).isEqualTo(DiscoveryStatus.Connection.UNKNOWN);
      assertThat(status.get("broken").lastError()).isEqualTo("status() failed: IllegalStateException");
    }
  }
}
