package io.meshclient.discovery.consul;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every health check of the datacenter as {@code /v1/health/state/any} lists it, reduced to what decides
 * a service's passing set: node, service, status and tags, by {@code <node>/<CheckID>}. Comparing two
 * of them names the services whose passing set may have changed, so that only those are fetched.
 */
final class CheckStates {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** One check, without its output (which changes nothing a mesh routes by). */
  record Check(String node, String service, String serviceId, String status, String tags) {}

  private final Map<String, Check> checks;

  /** No checks. */
  static final CheckStates NONE = new CheckStates(Map.of());

  private CheckStates(Map<String, Check> checks) {
    this.checks = checks;
  }

  int size() {
    return checks.size();
  }

  /**
   * Reads the JSON array of {@code /v1/health/state/any}, streaming it one check at a time.
   *
   * @throws IOException unless {@code json} is one array of objects and nothing after it: reading stopped at an
   *     element that was no object, and the checks after it, a failing one too, went unseen, so its service was
   *     never fetched again and its failing instance kept its calls
   */
  static CheckStates parse(String json) throws IOException {
    Map<String, Check> checks = new HashMap<>();
    try (JsonParser parser = MAPPER.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw malformed("expected a JSON array of health checks");
      }
      JsonToken token;
      int element = 0;
      while ((token = parser.nextToken()) == JsonToken.START_OBJECT) {
        element++;
        JsonNode check = MAPPER.readTree(parser);
        String node = check.path("Node").asText("");
        String service = check.path("ServiceName").asText("");
        checks.put(node + "/" + check.path("CheckID").asText(""), new Check(node, service,
            check.path("ServiceID").asText(""), check.path("Status").asText(""),
            check.path("ServiceTags").toString()));
      }
      if (token != JsonToken.END_ARRAY) {
        throw malformed("element " + element + " is " + (token == null ? "missing" : "'" + parser.getText() + "'")
            + " (expected: a health check object, or the end of the array)");
      }
      if (parser.nextToken() != null) {
        throw malformed("expected one JSON array of health checks, found more after it");
      }
    }
    return new CheckStates(checks);
  }

  private static JsonProcessingException malformed(String message) {
    return new JsonProcessingException(message) {
      private static final long serialVersionUID = 1L;
    };
  }

  /**
   * The services whose checks differ between {@code previous} and this: a check added, removed or
   * changed. A node check (no service) that changed names every service with a check on that node, in
   * either list or in {@code all}.
   */
  Set<String> changedServices(CheckStates previous, CheckStates all) {
    Set<String> services = new HashSet<>();
    Set<String> nodes = new HashSet<>();
    collect(previous.checks, checks, services, nodes);
    collect(checks, previous.checks, services, nodes);
    if (!nodes.isEmpty()) {
      for (Map<String, Check> side : java.util.List.of(previous.checks, checks, all.checks)) {
        side.values().forEach(c -> {
          if (!c.service().isEmpty() && nodes.contains(c.node())) {
            services.add(c.service());
          }
        });
      }
    }
    return services;
  }

  private static void collect(Map<String, Check> from, Map<String, Check> to, Set<String> services,
      Set<String> nodes) {
    from.forEach((key, check) -> {
      if (!Objects.equals(check, to.get(key))) {
        if (check.service().isEmpty()) {
          nodes.add(check.node());
        } else {
          services.add(check.service());
        }
      }
    });
  }
}
