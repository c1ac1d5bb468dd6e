package io.meshclient.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WatchAllTest {

  /** Starts a watch per service, refusing {@code refused}; records which watches are open. */
  private static final class Registry implements ServiceDiscovery {
    final List<String> open = new ArrayList<>();
    private final String refused;

    Registry(String refused) {
      this.refused = refused;
    }

    @Override
    public Watch watch(String service, Listener listener) {
      if (service.equals(refused)) {
        throw new IllegalStateException("no such service: " + service);
      }
      open.add(service);
      return () -> open.remove(service);
    }

    @Override
    public void close() {}
  }

  private static Map<String, ServiceDiscovery.Listener> listeners(String... services) {
    Map<String, ServiceDiscovery.Listener> listeners = new LinkedHashMap<>();
    for (String service : services) {
      listeners.put(service, snapshot -> {});
    }
    return listeners;
  }

  @Test
  void aWatchRefusedClosesTheWatchesStartedBeforeIt() {
    Registry registry = new Registry("ratings");
    assertThatThrownBy(() -> registry.watchAll(listeners("reviews", "details", "ratings", "productpage")))
        .isInstanceOf(IllegalStateException.class).hasMessage("no such service: ratings");
    assertThat(registry.open).isEmpty();
  }

  @Test
  void everyWatchStartsWhenNoneIsRefused() {
    Registry registry = new Registry("none");
    Map<String, ServiceDiscovery.Watch> watches = registry.watchAll(listeners("reviews", "details"));
    assertThat(watches).containsOnlyKeys("reviews", "details");
    assertThat(registry.open).containsExactly("reviews", "details");
    watches.values().forEach(ServiceDiscovery.Watch::close);
    assertThat(registry.open).isEmpty();
  }
}
