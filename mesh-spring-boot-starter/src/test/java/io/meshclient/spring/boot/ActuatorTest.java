package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.spring.boot.testapp.ReviewsClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.web.client.RestClient;

/** {@code /actuator/mesh}, {@code /actuator/mesh/decisions} and the health indicator, over HTTP. */
class ActuatorTest extends TestApplicationTest {
  private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {};

  @LocalServerPort int port;
  @Autowired ReviewsClient reviews;

  @Test
  @SuppressWarnings("unchecked")
  void meshEndpointShowsInstancesSubsetsRouteTableAndLimiterHeadroom() {
    Map<String, Object> mesh = get("/actuator/mesh");
    assertThat(mesh).containsEntry("discoveries", List.of("static")).containsEntry("defaultLoadBalancer", "least-request");
    assertThat((Map<String, Object>) ((Map<String, Object>) mesh.get("discoveryStatus")).get("static"))
        .containsEntry("connection", "UNKNOWN").containsEntry("errors", 0).containsEntry("notImplemented", List.of());
    Map<String, Object> service = (Map<String, Object>) ((Map<String, Object>) mesh.get("services")).get("reviews");
    assertThat(service).containsEntry("loadBalancer", "round-robin").containsEntry("inFlight", 0)
        .containsEntry("maxConcurrentRequests", 1024);
    assertThat((List<Map<String, Object>>) service.get("instances")).extracting(i -> i.get("url")).containsExactly(
        "http://127.0.0.1:" + Backends.V1.port(), "http://127.0.0.1:" + Backends.V3.port());
    assertThat(service).containsEntry("circuitBreaker", "CLOSED").containsEntry("peerIdentity", null);
    assertThat((List<Map<String, Object>>) service.get("instances")).extracting(i -> i.get("health"))
        .containsOnly("UP");
    Map<String, Object> subsets = (Map<String, Object>) service.get("subsets");
    assertThat((Map<String, Object>) subsets.get("v3")).containsEntry("selector", Map.of("version", "v3"))
        .containsEntry("instances", List.of("127.0.0.1:" + Backends.V3.port()));
    List<Map<String, Object>> routes = (List<Map<String, Object>>) service.get("routes");
    assertThat(routes).extracting(r -> r.get("name")).containsExactly("jason", "canary");
    assertThat(routes.get(0)).containsEntry("to", "v3")
        .containsEntry("match", Map.of("headers", Map.of("end-user", "exact:jason")));
    assertThat(routes.get(1)).containsEntry("split", Map.of("v1", 80, "v3", 20));
    Map<String, Object> limit = (Map<String, Object>) service.get("rateLimit");
    assertThat(limit).containsEntry("name", "reviews").containsEntry("rate", "100000/s").containsEntry("burst", 1000);
    assertThat((Integer) limit.get("headroom")).isBetween(1, 1000);
  }

  @Test
  void decisionsExplainWhichRouteSubsetAndInstanceEachCallTook() {
    reviews.review(1, null);
    reviews.review(1, "jason");
    List<Map<String, Object>> decisions = getList("/actuator/mesh/decisions");
    String v3 = "127.0.0.1:" + Backends.V3.port();
    assertThat(decisions.get(0)).containsEntry("service", "reviews").containsEntry("method", "GET")
        .containsEntry("path", "/reviews/1").containsEntry("route", "jason").containsEntry("destination", "to v3")
        .containsEntry("subset", "v3").containsEntry("candidates", List.of(v3)).containsEntry("chosen", v3)
        .containsEntry("balancer", "round-robin").containsEntry("status", 200);
    assertThat(decisions.get(1)).containsEntry("route", "canary")
        .containsEntry("destination", "split {v1=80, v3=20}");
    assertThat(decisions.get(1).get("subset")).isIn("v1", "v3");
    String draw = (String) decisions.get(1).get("draw");
    assertThat(draw).matches("[0-9]+ of 100");
    assertThat(decisions.get(1).get("subset"))
        .isEqualTo(Integer.parseInt(draw.substring(0, draw.indexOf(' '))) < 80 ? "v1" : "v3");
    assertThat(decisions.get(0)).containsEntry("draw", null).containsEntry("attempts", 1);
    assertThat(decisions.get(1).get("candidates")).isEqualTo(List.of(decisions.get(1).get("chosen")));
  }

  @Test
  @SuppressWarnings("unchecked")
  void healthIsUpWithTheInstanceCountOfEveryService() {
    Map<String, Object> mesh = (Map<String, Object>) ((Map<String, Object>) get("/actuator/health").get("components"))
        .get("mesh");
    assertThat(mesh).containsEntry("status", "UP")
        .containsEntry("details", Map.of("instances", Map.of("reviews", 2)));
  }

  private Map<String, Object> get(String path) {
    return RestClient.create().get().uri("http://localhost:" + port + path).retrieve().body(JSON);
  }

  private List<Map<String, Object>> getList(String path) {
    return RestClient.create().get().uri("http://localhost:" + port + path).retrieve()
        .body(new ParameterizedTypeReference<List<Map<String, Object>>>() {});
  }
}
