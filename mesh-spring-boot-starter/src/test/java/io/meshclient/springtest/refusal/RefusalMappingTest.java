package io.meshclient.springtest.refusal;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.meshclient.api.CircuitBreakerOpenException;
import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.api.RateLimitExceededException;
import io.meshclient.spring.boot.MeshRefusedException;
import io.meshclient.spring.boot.autoconfigure.MeshRefusalProblemDetails;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;

/**
 * Refusals reach a Spring caller by type ({@link MeshRefusedException}, never a {@code
 * ResourceAccessException}), and an unhandled one becomes a 429 with {@code Retry-After} or a 503
 * ProblemDetail, measured over the application's real port.
 */
@SpringBootTest(classes = RefusalApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.config.name=refusal",
        "mesh.services.limited.rate-limit.rate=1/m", "mesh.services.limited.rate-limit.burst=1",
        "mesh.services.nobody.subsets.v9.version=v9", "mesh.services.nobody.routes[0].to=v9",
        "mesh.services.flooded.subsets.v9.version=v9", "mesh.services.flooded.routes[0].to=v9",
        "mesh.services.broken.retry.attempts=1", "mesh.services.broken.outlier-detection.enabled=false",
        "mesh.services.broken.circuit-breaker.minimum-calls=2", "mesh.services.broken.circuit-breaker.sliding-window=2",
        "mesh.services.broken.circuit-breaker.open-for=1h"})
@ExtendWith(OutputCaptureExtension.class)
class RefusalMappingTest {
  static final WireMockServer BACKEND = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
  /** Where the Consul agent would be: a port nothing listens on, so what the discovery says names it. */
  static final String CONSUL = "127.0.0.1:" + closedPort();

  static {
    BACKEND.start();
    BACKEND.stubFor(get("/ok").willReturn(ok("fine")));
    BACKEND.stubFor(get("/fail").willReturn(aResponse().withStatus(500)));
  }

  @LocalServerPort int port;
  @Autowired RefusalApp.Limited limited;
  @Autowired RefusalApp.Nobody nobody;
  @Autowired RefusalApp.Broken broken;
  @Autowired RefusalApp.Registry registry;

  @DynamicPropertySource
  static void backend(DynamicPropertyRegistry registry) {
    for (String property : instances()) {
      int eq = property.indexOf('=');
      registry.add(property.substring(0, eq), () -> property.substring(eq + 1));
    }
  }

  /** One instance, labelled v1, of each service: the WireMock backend. */
  static String[] instances() {
    String url = "http://127.0.0.1:" + BACKEND.port();
    java.util.List<String> properties = new java.util.ArrayList<>();
    for (String service : new String[] {"limited", "nobody", "broken", "flooded"}) {
      properties.add("mesh.discovery.static.services." + service + "[0].url=" + url);
      properties.add("mesh.discovery.static.services." + service + "[0].metadata.version=v1");
    }
    properties.add("mesh.discovery.consul.url=http://" + CONSUL);
    properties.add("mesh.services.registry.discovery=consul");
    return properties.toArray(String[]::new);
  }

  static int closedPort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterAll
  static void stop() {
    BACKEND.stop();
  }

  @Test
  void aRateLimitIsCaughtByTypeAndAnsweredAs429WithTheLimitersWait(CapturedOutput output) {
    assertThat(limited.get()).isEqualTo("fine");
    assertThatThrownBy(limited::get)
        .isInstanceOf(MeshRefusedException.RateLimitExceeded.class)
        .isNotInstanceOf(ResourceAccessException.class)
        .hasCauseInstanceOf(RateLimitExceededException.class)
        .hasMessage("rate limit 'limited' of service 'limited' exceeded")
        .satisfies(e -> assertThat(((MeshRefusedException.RateLimitExceeded) e).retryAfterSeconds())
            .isBetween(50L, 60L));

    ResponseEntity<String> answer = call("/limited");
    assertThat(answer.getStatusCode().value()).isEqualTo(429);
    assertThat(answer.getHeaders().getContentType()).hasToString("application/problem+json");
    assertThat(Long.parseLong(answer.getHeaders().getFirst("Retry-After"))).isBetween(50L, 60L);
    assertThat(answer.getBody()).contains("\"status\":429", "\"title\":\"Too Many Requests\"",
        "\"detail\":\"service 'limited' unavailable: rate limit exceeded\"", "\"service\":\"limited\"");
    assertThat(answer.getBody()).doesNotContain("rate limit 'limited'");
    assertThat(output).contains("mesh refused a call, answered 429: rate limit 'limited' of service 'limited' exceeded")
        .doesNotContain("\tat ");
  }

  /** Under load a refusal comes with every request: one INFO line per service and kind each 10 s, not one each. */
  @Test
  void refusalsUnderLoadAreLoggedOncePerServiceAndKindNotOncePerRequest(CapturedOutput output) {
    for (int i = 0; i < 20; i++) {
      assertThat(call("/flooded").getStatusCode().value()).isEqualTo(503);
    }
    String log = output.getAll();
    assertThat(log.split("answered 503: no healthy instance of service 'flooded'", -1).length - 1).as(log)
        .isEqualTo(1);
  }

  @Test
  void noHealthyInstanceIsAnsweredAs503WithoutTheSubsetsLabels(CapturedOutput output) {
    assertThatThrownBy(nobody::get)
        .isInstanceOf(MeshRefusedException.NoHealthyInstance.class)
        .hasCauseInstanceOf(NoHealthyInstanceException.class)
        .hasMessage("no healthy instance of service 'nobody' in subset 'v9': none of its instances has the subset's "
            + "labels {version=v9}");
    ResponseEntity<String> answer = call("/nobody");
    assertThat(answer.getStatusCode().value()).isEqualTo(503);
    assertThat(answer.getHeaders().getFirst("Retry-After")).isNull();
    assertThat(answer.getBody()).contains("\"status\":503",
        "\"detail\":\"service 'nobody' unavailable: no healthy instance\"").doesNotContain("v9", "labels");
    assertThat(output).contains("mesh refused a call, answered 503: no healthy instance of service 'nobody' in "
        + "subset 'v9': none of its instances has the subset's labels {version=v9}").doesNotContain("\tat ");
  }

  @Test
  void whatTheDiscoverySaidAboutItsAddressesStaysInTheServerLog(CapturedOutput output) {
    assertThatThrownBy(registry::get).isInstanceOf(MeshRefusedException.NoHealthyInstance.class)
        .hasMessageContaining(CONSUL);
    ResponseEntity<String> answer = call("/registry");
    assertThat(answer.getStatusCode().value()).isEqualTo(503);
    assertThat(answer.getBody()).contains("\"detail\":\"service 'registry' unavailable: no healthy instance\"",
        "\"service\":\"registry\"").doesNotContain("127.0.0.1", "Consul");
    assertThat(output).contains("answered 503: no healthy instance of service 'registry': Consul has not answered")
        .contains(CONSUL).doesNotContain("\tat ");
  }

  @Test
  void anOpenCircuitBreakerIsAnsweredAs503() {
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(broken::get).isInstanceOf(HttpServerErrorException.InternalServerError.class);
    }
    assertThatThrownBy(broken::get)
        .isInstanceOf(MeshRefusedException.CircuitBreakerOpen.class)
        .hasCauseInstanceOf(CircuitBreakerOpenException.class);
    int received = BACKEND.findAll(getRequestedFor(urlEqualTo("/fail"))).size();
    ResponseEntity<String> answer = call("/broken");
    assertThat(answer.getStatusCode().value()).isEqualTo(503);
    assertThat(answer.getBody()).contains("\"status\":503", "\"service\":\"broken\"",
        "\"detail\":\"service 'broken' unavailable: circuit open\"").doesNotContain("open;", "without I/O");
    assertThat(BACKEND.findAll(getRequestedFor(urlEqualTo("/fail")))).hasSize(received);
  }

  @Test
  void theHandlerCanBeSwitchedOff() {
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(RefusalApp.class)
        .properties("spring.config.name=refusal", "server.port=0", "mesh.problem-details.enabled=false")
        .properties(instances()).run()) {
      assertThat(context.getBeansOfType(MeshRefusalProblemDetails.class)).isEmpty();
    }
  }

  private ResponseEntity<String> call(String path) {
    return RestClient.create("http://127.0.0.1:" + port).get().uri(path).retrieve()
        .onStatus(status -> true, (request, response) -> {})
        .toEntity(String.class);
  }
}
