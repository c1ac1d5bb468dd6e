package io.meshclient.discovery.consul;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.SettingValues;
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
 * Entries with a check that is not passing are left out. So are unusable entries (not an object, no
 * {@code Service}, a port that is not 1 to 65535, no address, an address that is neither an IP literal nor a
 * host name, metadata {@code secure} that is neither true nor false, an id that an earlier entry has: ids are
 * unique within a service), each named in {@link
 * Parsed#unusable()}; an answer with entries of which none is usable is refused as malformed, so that a broken
 * agent cannot empty a service. Thread-safe.
 */
final class HealthResponseParser {
  static final String TAG_PREFIX = "tag.";

  /** Fails on anything after the array: two answers run together are not one. */
  private final ObjectMapper mapper = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** An answer with entries, none of which an instance can be made of. */
  static final class NoUsableEntry extends JsonProcessingException {
    private static final long serialVersionUID = 1L;

    NoUsableEntry(String message) {
      super(message);
    }
  }

  /** What an answer holds: the passing instances, sorted by id, and why each unusable entry is. */
  record Parsed(List<ServiceInstance> instances, List<String> unusable) {}

  /** The passing instances in {@code json}, sorted by id. */
  List<ServiceInstance> parse(String service, String json) throws JsonProcessingException {
    return parseAll(service, json).instances();
  }

  /**
   * The passing instances in {@code json}, sorted by id, and its unusable entries.
   *
   * @throws JsonProcessingException if {@code json} is not an array ({@link NoUsableEntry} if it has entries
   *     and none is usable)
   */
  Parsed parseAll(String service, String json) throws JsonProcessingException {
    JsonNode root = mapper.readTree(json);
    if (root == null || !root.isArray()) {
      throw malformed("expected a JSON array of health entries");
    }
    Map<String, Integer> idCounts = new HashMap<>();
    for (JsonNode entry : root) {
      idCounts.merge(entry.path("Service").path("ID").asText(), 1, Integer::sum);
    }
    List<ServiceInstance> instances = new ArrayList<>();
    List<String> unusable = new ArrayList<>();
    Map<String, Integer> taken = new HashMap<>();
    int position = 0;
    for (JsonNode entry : root) {
      String problem = problem(entry);
      ServiceInstance instance = problem == null && allPassing(entry.path("Checks"))
          ? instance(service, entry, idCounts) : null;
      Integer first = instance == null ? null : taken.putIfAbsent(instance.id(), position);
      if (first != null) {
        // One node and ID listed twice, or an ID spelt as another's <node>/<ID>: ids are unique within a service,
        // and the mesh keys an instance's outlier state by id, so two would share it (the successes of one
        // would keep the other, failing, from ever being ejected).
        problem = "id '" + abbreviate(instance.id()) + "' already taken by entry " + first
            + " (expected: one entry per node and Service.ID)";
      }
      if (problem != null) {
        unusable.add("entry " + position + (entry.path("Service").path("ID").isTextual()
            ? " (" + entry.path("Service").path("ID").asText() + ")" : "") + ": " + problem);
      } else if (instance != null) {
        instances.add(instance);
      }
      position++;
    }
    if (!unusable.isEmpty() && instances.isEmpty() && unusable.size() == root.size()) {
      throw new NoUsableEntry("no usable entry among " + root.size() + ": " + summary(unusable));
    }
    instances.sort(Comparator.comparing(ServiceInstance::id));
    return new Parsed(List.copyOf(instances), List.copyOf(unusable));
  }

  /** Why no instance can be made of {@code entry}, or null if one can. */
  private static String problem(JsonNode entry) {
    if (!entry.isObject()) {
      return "not an object";
    }
    JsonNode svc = entry.path("Service");
    if (!svc.isObject()) {
      return "no Service object";
    }
    JsonNode port = svc.path("Port");
    if (!port.isIntegralNumber() || !port.canConvertToInt() || port.asInt() < 1 || port.asInt() > 65535) {
      return "Service.Port " + (port.isMissingNode() ? "missing" : abbreviate(port.toString()))
          + " (expected: 1..65535)";
    }
    String host = host(entry);
    if (host.isEmpty()) {
      return "no Service.Address nor Node.Address";
    }
    JsonNode secure = svc.path("Meta").path("secure");
    if (!secure.isMissingNode() && !"true".equalsIgnoreCase(secure.asText())
        && !"false".equalsIgnoreCase(secure.asText())) {
      // secure=yes (or 1) was taken for false: an instance registered for TLS was called in plaintext
      return "Service.Meta.secure " + abbreviate(secure.toString()) + " (expected: true or false)";
    }
    if (!SettingValues.isHost(host)) {
      return "address " + abbreviate("'" + host + "'") + " (expected: an IP address or a host name)";
    }
    return null;
  }

  /**
   * The entry's address; an IPv6 literal written in brackets ({@code [::1]}, as a URL writes it) without them, as
   * Consul itself writes it: the instance adds brackets where it makes a URL, and compares addresses unbracketed.
   */
  private static String host(JsonNode entry) {
    String host = entry.path("Service").path("Address").asText("");
    if (host.isEmpty()) {
      host = entry.path("Node").path("Address").asText("");
    }
    return host.length() > 2 && host.charAt(0) == '[' && host.charAt(host.length() - 1) == ']'
        && host.indexOf(':') > 0 ? host.substring(1, host.length() - 1) : host;
  }

  /** The first three problems, and how many more: a log line stays short however broken the answer. */
  static String summary(List<String> problems) {
    return String.join("; ", problems.size() <= 3 ? problems
        : List.of(problems.get(0), problems.get(1), problems.get(2), "and " + (problems.size() - 3) + " more"));
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }

  private static JsonProcessingException malformed(String message) {
    return new JsonProcessingException(message) {
      private static final long serialVersionUID = 1L;
    };
  }

  private static ServiceInstance instance(String service, JsonNode entry, Map<String, Integer> idCounts) {
    JsonNode svc = entry.path("Service");
    int port = svc.path("Port").asInt();
    String host = host(entry);
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
