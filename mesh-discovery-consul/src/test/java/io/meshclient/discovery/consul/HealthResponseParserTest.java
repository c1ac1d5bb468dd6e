package io.meshclient.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.meshclient.api.ServiceInstance;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

  /** An address Consul was given in a URL's form, {@code [::1]}, is the IPv6 address, named once bracketed. */
  @Test
  void aBracketedIpv6AddressIsTheAddressWithoutItsBrackets() throws IOException {
    List<ServiceInstance> instances = parser.parse("reviews", "["
        + "{\"Node\": {\"Node\": \"n1\", \"Address\": \"10.0.0.1\"}, "
        + "\"Service\": {\"ID\": \"r1\", \"Address\": \"[::1]\", \"Port\": 9080}, \"Checks\": []},"
        + "{\"Node\": {\"Node\": \"n2\", \"Address\": \"[fe80::2]\"}, "
        + "\"Service\": {\"ID\": \"r2\", \"Port\": 9080}, \"Checks\": []}]");
    assertThat(instances).extracting(ServiceInstance::host).containsExactly("::1", "fe80::2");
    assertThat(instances).extracting(ServiceInstance::authority).containsExactly("[::1]:9080", "[fe80::2]:9080");
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

  /**
   * Ids are unique within a service: the mesh keeps an instance's outlier state by id, so two instances under
   * one id would share it, and the successes of one would keep the other, failing, from ever being ejected.
   */
  @Test
  void anEntryWhoseIdAnEarlierEntryHasIsLeftOutAndNamed() throws IOException {
    String n1 = "\"Node\": {\"Node\": \"n1\", \"Address\": \"10.0.0.1\"}";
    String n2 = "\"Node\": {\"Node\": \"n2\", \"Address\": \"10.0.0.2\"}";
    HealthResponseParser.Parsed parsed = parser.parseAll("reviews", "["
        + "{" + n1 + ", \"Service\": {\"ID\": \"r1\", \"Port\": 9080}, \"Checks\": []},"
        + "{" + n1 + ", \"Service\": {\"ID\": \"r1\", \"Port\": 9081}, \"Checks\": []},"
        + "{" + n1 + ", \"Service\": {\"ID\": \"reviews\", \"Port\": 9082}, \"Checks\": []},"
        + "{" + n2 + ", \"Service\": {\"ID\": \"reviews\", \"Port\": 9080}, \"Checks\": []},"
        + "{" + n2 + ", \"Service\": {\"ID\": \"n1/reviews\", \"Port\": 9083}, \"Checks\": []}]");

    assertThat(parsed.instances()).extracting(i -> i.id() + "=" + i.authority())
        .containsExactly("n1/r1=10.0.0.1:9080", "n1/reviews=10.0.0.1:9082", "n2/reviews=10.0.0.2:9080");
    assertThat(parsed.unusable()).containsExactly(
        "entry 1 (r1): id 'n1/r1' already taken by entry 0 (expected: one entry per node and Service.ID)",
        "entry 4 (n1/reviews): id 'n1/reviews' already taken by entry 2 (expected: one entry per node and "
            + "Service.ID)");
  }

  /** An instance registered with secure=yes was taken for one without TLS and called in plaintext. */
  @Test
  void secureMetadataThatIsNeitherTrueNorFalseLeavesTheEntryOut() throws IOException {
    String node = "\"Node\": {\"Node\": \"n1\", \"Address\": \"10.0.0.1\"}";
    HealthResponseParser.Parsed parsed = parser.parseAll("reviews", "["
        + "{" + node + ", \"Service\": {\"ID\": \"r1\", \"Port\": 9443, \"Meta\": {\"secure\": \"yes\"}}},"
        + "{" + node + ", \"Service\": {\"ID\": \"r2\", \"Port\": 9444, \"Meta\": {\"secure\": \"TRUE\"}}},"
        + "{" + node + ", \"Service\": {\"ID\": \"r3\", \"Port\": 9080, \"Meta\": {\"secure\": \"false\"}}}]");

    assertThat(parsed.instances()).extracting(i -> i.id() + "=" + i.secure()).containsExactly("r2=true", "r3=false");
    assertThat(parsed.unusable()).containsExactly("entry 0 (r1): Service.Meta.secure \"yes\" (expected: true or false)");
  }
}
