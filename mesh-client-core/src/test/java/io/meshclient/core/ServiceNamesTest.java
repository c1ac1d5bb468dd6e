package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A service name that no discovery lists, or that is not a valid name, fails start-up naming its key:
 * a typo must never become a silent DNS lookup that bypasses the mesh.
 */
class ServiceNamesTest {
  private static final ServiceInstance REVIEWS = ServiceInstance.of("reviews", "127.0.0.1", 9081);

  private static MeshConfig services(String... names) {
    MeshConfig.Builder builder = MeshConfig.builder();
    for (String name : names) {
      builder.service(ServiceConfig.builder(name).build());
    }
    return builder.build();
  }

  @Test
  void aConfiguredServiceThatTheDiscoveryDoesNotListFailsStartUpWithASuggestion() {
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(REVIEWS));

    assertThatThrownBy(() -> Mesh.builder().config(services("reveiws")).discovery("memory", discovery).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.services.reveiws: reveiws (expected: a service that discovery 'memory' lists;"
            + " did you mean 'reviews'?)");
  }

  @Test
  void aDiscoveryListingAnInvalidServiceNameFailsStartUpNamingIt() {
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("reviews", List.of(REVIEWS))
        .set("Reviews", List.of(REVIEWS)).set("bücher", List.of(REVIEWS)).set("my reviews", List.of(REVIEWS));

    assertThatThrownBy(() -> Mesh.builder().config(services()).discovery("memory", discovery).build())
        .isInstanceOf(ConfigurationException.class)
        .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactlyInAnyOrder(
            "mesh.discovery.memory.services.Reviews: Reviews (expected: a lower-case host name: letters, digits,"
                + " '-' and '.')",
            "mesh.discovery.memory.services.bücher: bücher (expected: a lower-case host name: letters, digits,"
                + " '-' and '.')",
            "mesh.discovery.memory.services.my reviews: my reviews (expected: a lower-case host name: letters,"
                + " digits, '-' and '.')"));
  }

  @Test
  void aRegistryThatListsNothingUpFrontAcceptsAConfiguredService() {
    ServiceDiscovery registry = new ServiceDiscovery() {
      @Override
      public Watch watch(String service, Listener listener) {
        return () -> { };
      }

      @Override
      public void close() {}
    };

    try (Mesh mesh = Mesh.builder().config(services("reviews")).discovery("registry", registry).build()) {
      assertThat(mesh.services()).containsExactly("reviews");
      assertThat(mesh.instances("reviews")).isEmpty();
    }
  }
}
