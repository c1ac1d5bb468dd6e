package io.meshclient.spring.boot;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.meshclient.spring.boot.testapp.TestApplication;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;

/**
 * Issue 14: the actuator's JSON ({@code /actuator/mesh}, {@code /actuator/health} with details) holds
 * none of the secrets planted in the mesh's configuration: a Consul ACL token, and header match values
 * of {@code authorization} and {@code cookie}; and a route's conditions are all shown, with credential
 * values masked.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ActuatorSecretsTest {
  private static final String ACL_TOKEN = "5e3c7a1d-acl0-tok3n-p1ant3d-9f8e7d6c5b4a";
  private static final String BEARER = "Bearer p1ant3d-b3ar3r-t0k3n";
  private static final String COOKIE = "session=p1ant3d-c00k13";
  private static final String QUERY_TOKEN = "p1ant3d-qu3ry-t0k3n";

  /** A Consul agent that knows no service: every query answers an empty list, blocking ones after 1 s. */
  private static final WireMockServer CONSUL = start();

  @LocalServerPort int port;

  private static WireMockServer start() {
    WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    server.start();
    server.stubFor(any(anyUrl()).willReturn(aResponse().withHeader("Content-Type", "application/json")
        .withHeader("X-Consul-Index", "1").withFixedDelay(200).withBody("[]")));
    return server;
  }

  @AfterAll
  static void stopConsul() {
    CONSUL.stop();
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    Backends.register(registry);
    registry.add("mesh.discovery.consul.url", () -> "http://127.0.0.1:" + CONSUL.port());
    registry.add("mesh.discovery.consul.acl-token", () -> ACL_TOKEN);
    registry.add("mesh.services.reviews.discovery", () -> "static");
    registry.add("mesh.discovery.static.services.ratings[0].url", () -> "http://127.0.0.1:" + Backends.V1.port());
    registry.add("mesh.discovery.static.services.ratings[0].metadata.version", () -> "v1");
    registry.add("mesh.services.ratings.discovery", () -> "static");
    registry.add("mesh.services.ratings.subsets.v1.version", () -> "v1");
    registry.add("mesh.services.ratings.routes[0].to", () -> "v1");
    registry.add("mesh.services.ratings.routes[1].to", () -> "v1");
    registry.add("mesh.services.ratings.routes[0].name", () -> "admin");
    registry.add("mesh.services.ratings.routes[0].match.headers.authorization.exact", () -> BEARER);
    registry.add("mesh.services.ratings.routes[1].name", () -> "session");
    registry.add("mesh.services.ratings.routes[1].match.headers.cookie.prefix", () -> COOKIE);
    registry.add("mesh.services.ratings.routes[2].name", () -> "beta");
    registry.add("mesh.services.ratings.routes[2].to", () -> "v1");
    registry.add("mesh.services.ratings.routes[2].match.path.prefix", () -> "/Beta/");
    registry.add("mesh.services.ratings.routes[2].match.ignore-uri-case", () -> "true");
    registry.add("mesh.services.ratings.routes[2].match.query-params.beta.exact", () -> "on");
    registry.add("mesh.services.ratings.routes[2].match.query-params.access-token.exact", () -> QUERY_TOKEN);
    registry.add("mesh.services.ratings.routes[2].match.without-headers.x-debug.present", () -> "true");
    registry.add("mesh.services.ratings.routes[2].match.without-headers.authorization.prefix", () -> BEARER);
  }

  @Test
  void meshEndpointAndHealthDetailsHoldNoPlantedSecret() {
    String mesh = get("/actuator/mesh");
    String health = get("/actuator/health");
    assertThat(mesh).contains("\"consul\"").contains("\"ratings\"").contains("\"admin\"").contains("\"session\"")
        .contains("authorization").contains("cookie");
    assertThat(health).contains("\"ratings\":1");
    for (String json : new String[] {mesh, health}) {
      assertThat(json).doesNotContain(ACL_TOKEN).doesNotContain("p1ant3d");
    }
  }

  /**
   * A route is shown with every condition it has, not only path, methods and headers: an operator who
   * did not see the query parameters and the headers that must be absent would take it for a broader one.
   */
  @Test
  @SuppressWarnings("unchecked")
  void everyMatchConditionOfARouteIsShownWithCredentialValuesMasked() {
    Map<String, Object> mesh = RestClient.create().get().uri("http://localhost:" + port + "/actuator/mesh")
        .retrieve().body(new ParameterizedTypeReference<Map<String, Object>>() {});
    Map<String, Object> ratings = (Map<String, Object>) ((Map<String, Object>) mesh.get("services")).get("ratings");
    Map<String, Object> beta = ((List<Map<String, Object>>) ratings.get("routes")).get(2);
    assertThat(beta).containsEntry("name", "beta").containsEntry("to", "v1");
    assertThat((Map<String, Object>) beta.get("match")).containsExactly(
        Map.entry("path", "prefix:/Beta/"),
        Map.entry("ignoreUriCase", true),
        Map.entry("queryParams", Map.of("beta", "exact:on", "access-token", "exact:******")),
        Map.entry("withoutHeaders", Map.of("x-debug", "present", "authorization", "prefix:******")));
  }

  private String get(String path) {
    return RestClient.create().get().uri("http://localhost:" + port + path).retrieve().body(String.class);
  }
}
