package io.meshclient.discovery.consul;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshclient.api.ServiceInstance;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the JSON of {@code /v1/health/service/<name>} into instances, sorted by id so that equal
 * content gives equal lists. consul-api's model has no weights, so this reads the raw JSON.
 *
 * <ul>
 *   <li>id: {@code Service.ID}; where several nodes register the same ID (Consul defaults the ID to the
 *       service name), {@code <Node.Node>/<Service.ID>}
 *   <li>host: {@code Service.Address}, or {@code Node.Address} when that is empty
 *   <li>weight: {@code Service.Weights.Passing}, default 1
 *   <li>metadata: {@code Service.Meta} verbatim, plus {@code tag.<tag>=true} for each tag
 *   <li>secure: metadata {@code secure=true}; zone: metadata {@code zone}
 * </ul>
 *
 * Entries without a usable port, or with a check that is not passing, are left out. Thread-safe.
 */
final class HealthResponseParser {
  static final String TAG_PREFIX = "tag.";

  private final ObjectMapper mapper = new ObjectMapper();

  /** The passing instances in {@code json}, sorted by id. */
  List<ServiceInstance> parse(String service, String json) throws JsonProcessingException {
    JsonNode root = mapper.readTree(json);
    if (root == null || !root.isArray()) {
      throw new JsonProcessingException("expected a JSON array of health entries") {
        private static final long serialVersionUID = 1L;
      };
    }
    Map<String, Integer> idCounts = new HashMap<>();
    for (JsonNode entry : root) {
      idCounts.merge(entry.path("Service").path("ID").asText(), 1, Integer::sum);
    }
    List<ServiceInstance> instances = new ArrayList<>();
    for (JsonNode entry : root) {
      ServiceInstance instance = instance(service, entry, idCounts);
      if (instance != null) {
        instances.add(instance);
      }
    }
    instances.sort(Comparator.comparing(ServiceInstance::id));
    return List.copyOf(instances);
  }

  private static ServiceInstance instance(String service, JsonNode entry, Map<String, Integer> idCounts) {
    JsonNode svc = entry.path("Service");
    int port = svc.path("Port").asInt(0);
    if (!svc.isObject() || port < 1 || port > 65535 || !allPassing(entry.path("Checks"))) {
      return null;
    }
    String host = svc.path("Address").asText("");
    if (host.isEmpty()) {
      host = entry.path("Node").path("Address").asText("");
    }
    if (host.isEmpty()) {
      return null;
    }
    String id = svc.path("ID").asText("");
    if (id.isEmpty() || idCounts.getOrDefault(id, 0) > 1) {
      id = entry.path("Node").path("Node").asText("") + "/" + (id.isEmpty() ? host + ":" + port : id);
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    svc.path("Meta").properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
    for (JsonNode tag : svc.path("Tags")) {
      metadata.put(TAG_PREFIX + tag.asText(), "true");
    }
    JsonNode passingWeight = svc.path("Weights").path("Passing");
    int weight = passingWeight.canConvertToInt() && passingWeight.asInt() >= 0
        ? passingWeight.asInt() : ServiceInstance.DEFAULT_WEIGHT;
    boolean secure = "true".equalsIgnoreCase(metadata.get("secure"));
    return new ServiceInstance(id, service, host, port, secure, weight, metadata, metadata.get("zone"));
  }

  private static boolean allPassing(JsonNode checks) {
    for (JsonNode check : checks) {
      if (!"passing".equals(check.path("Status").asText())) {
        return false;
      }
    }
    return true;
  }
}
