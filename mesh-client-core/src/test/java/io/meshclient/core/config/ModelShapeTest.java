package io.meshclient.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceInstance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shapes the next configuration sources need: validated records, destinations, instances with locality. */
class ModelShapeTest {

  @Test
  void aMeshConfigCannotBeConstructedUnvalidated() {
    ServiceConfig bad = ServiceConfig.builder("reviews").timeout(Duration.ZERO).build();
    assertThatThrownBy(() -> new MeshConfig(Map.of(), ServiceDefaults.DEFAULT, Map.of("reviews", bad)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.services.reviews.timeout: 0ms (expected: between 1ms and 596h, OkHttp's limit)");
  }

  @Test
  void aRouteIsAWeightedListOfDestinationsThatMayNameAnotherService() {
    RouteConfig split = RouteConfig.split(RouteConfig.Match.ANY, Map.of("v1", 80));
    assertThat(split.destinations()).containsExactly(new RouteConfig.Destination(null, "v1", 80));
    assertThat(RouteConfig.to(RouteConfig.Match.ANY, "v2").destinations())
        .containsExactly(new RouteConfig.Destination(null, "v2", 1));
    assertThat(RouteConfig.to(RouteConfig.Match.ANY, List.of(new RouteConfig.Destination(null, "v1", 3))).split())
        .containsExactly(Map.entry("v1", 3));
    RouteConfig across = RouteConfig.to(RouteConfig.Match.ANY,
        List.of(new RouteConfig.Destination("ratings", "v1", 1), new RouteConfig.Destination(null, "v2", 3)));
    assertThat(across.to()).isNull();
    assertThat(across.split()).isEmpty();
    assertThat(across.destinations()).extracting(RouteConfig.Destination::service).containsExactly("ratings", null);
  }

  @Test
  void anInstanceIsBuiltWithLocalityAndPriorityAndTheOldConstructorStillWorks() {
    ServiceInstance built = ServiceInstance.builder("reviews", "10.0.0.7", 9080).weight(2)
        .metadata(Map.of("version", "v2")).locality("eu-west1/b/").priority(1).build();
    assertThat(built.id()).isEqualTo("10.0.0.7:9080");
    assertThat(built.locality()).isEqualTo("eu-west1/b/");
    assertThat(built.priority()).isEqualTo(1);
    assertThat(built.toBuilder().priority(0).build().priority()).isZero();
    assertThat(new ServiceInstance("a", "reviews", "h", 80, false, 1, Map.of(), "z"))
        .isEqualTo(ServiceInstance.builder("reviews", "h", 80).id("a").zone("z").build());
    assertThatThrownBy(() -> ServiceInstance.builder("reviews", "h", 80).priority(-1).build())
        .hasMessage("priority: -1 (expected: >= 0)");
  }

  @Test
  void aHeaderMatchOnACredentialNeverShowsItsValue() {
    RouteConfig.Match match = RouteConfig.Match.header("authorization", StringMatch.exact("Bearer s3cr3t"));
    assertThat(match.headers().get("authorization").toString()).isEqualTo("exact:<redacted>");
    assertThat(match.headers().get("authorization").value()).isEqualTo("Bearer s3cr3t");
  }
}
