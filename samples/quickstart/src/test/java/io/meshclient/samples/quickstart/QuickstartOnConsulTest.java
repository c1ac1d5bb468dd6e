package io.meshclient.samples.quickstart;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The quickstart by configuration alone against Consul: {@code mesh-consul.yaml} as shipped, with the
 * agent URL pointed at an emulated Consul health API that lists the three versions.
 */
class QuickstartOnConsulTest {

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  private static String entry(String version, int port) {
    return """
        {"Node": {"Node": "node-1", "Address": "127.0.0.1"},
         "Service": {"ID": "reviews-%1$s", "Service": "reviews", "Tags": ["%1$s"], "Address": "127.0.0.1",
                     "Meta": {"version": "%1$s"}, "Port": %2$d, "Weights": {"Passing": 1, "Warning": 1}},
         "Checks": [{"Node": "node-1", "CheckID": "serfHealth", "Status": "passing"}]}
        """.formatted(version, port);
  }

  @Test
  @Timeout(60)
  void quickstartRunsOnConsulDiscoveryByConfigurationAlone() throws Exception {
    int[] ports = {freePort(), freePort(), freePort()};
    WireMockServer consul = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    consul.start();
    try {
      consul.stubFor(get(urlPathEqualTo("/v1/health/service/reviews")).willReturn(aResponse()
          .withHeader("Content-Type", "application/json").withHeader("X-Consul-Index", "42")
          .withFixedDelay(200)
          .withBody("[" + entry("v1", ports[0]) + "," + entry("v2", ports[1]) + "," + entry("v3", ports[2]) + "]")));
      String yaml = Files.readString(Path.of("mesh-consul.yaml"))
          .replace("${CONSUL_HTTP_ADDR:http://127.0.0.1:8500}", "http://127.0.0.1:" + consul.port());
      assertThat(yaml).contains("discovery: consul");
      Summary summary = QuickstartApp.run(3000, yaml, ports);
      assertThat(summary.failed()).isZero();
      assertThat(summary.splitShare("v1")).isCloseTo(80.0, within(4.0));
      assertThat(summary.splitShare("v3")).isCloseTo(20.0, within(4.0));
      assertThat(summary.received("v2")).isEqualTo(summary.receivedFromJason("v2"));
      assertThat(summary.rateLimited()).isPositive();
      consul.verify(getRequestedFor(urlPathEqualTo("/v1/health/service/reviews")));
    } finally {
      consul.stop();
    }
  }
}
