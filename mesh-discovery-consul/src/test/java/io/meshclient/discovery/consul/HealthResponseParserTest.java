package io.meshclient.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.meshclient.api.ServiceInstance;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Health entries, shaped as Consul's documentation shows them, become instances. */
class HealthResponseParserTest {
  private final HealthResponseParser parser = new HealthResponseParser();

  private static String resource(String name) throws IOException {
    try (InputStream in = HealthResponseParserTest.class.getResourceAsStream("/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void documentedResponseBecomesInstancesSortedById() throws IOException {
    assertThat(parser.parse("redis", resource("health-service-redis.json"))).containsExactly(
        new ServiceInstance("redis", "redis", "10.1.10.12", 8000, false, 10,
            Map.of("redis_version", "4.0", "tag.primary", "true"), ""),
        // No service address: the node's; no weights: the default; null Meta: none.
        new ServiceInstance("redis-2", "redis", "10.1.10.13", 8001, false, 1, Map.of(), ""));
    // redis-3 has a warning check and redis-4 no port: both left out.
  }

  @Test
  void emptyArrayIsNoInstances() throws IOException {
    assertThat(parser.parse("redis", "[]")).isEmpty();
  }

  @Test
  void anythingButAnArrayIsMalformed() {
    assertThatThrownBy(() -> parser.parse("redis", "{\"error\": \"nope\"}"))
        .isInstanceOf(JsonProcessingException.class)
        .hasMessage("expected a JSON array of health entries");
    assertThatThrownBy(() -> parser.parse("redis", "<html>proxy error</html>"))
        .isInstanceOf(JsonProcessingException.class);
  }
}
