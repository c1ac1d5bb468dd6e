package io.meshclient.discovery.consul;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One service instance registered in the {@link ConsulEmulator}, with the status of its check. */
record Registration(String service, String id, String node, String nodeAddress, String address, int port,
    List<String> tags, Map<String, String> meta, int weight, String status) {

  /** A passing instance on its own node (named {@code node-<id>}, address 127.0.0.1), weight 1. */
  static Registration of(String service, String id, String address, int port) {
    return new Registration(service, id, "node-" + id, "127.0.0.1", address, port, List.of(), Map.of(), 1,
        "passing");
  }

  Registration withMeta(String key, String value) {
    Map<String, String> m = new LinkedHashMap<>(meta);
    m.put(key, value);
    return new Registration(service, id, node, nodeAddress, address, port, tags, m, weight, status);
  }

  Registration withTags(String... newTags) {
    return new Registration(service, id, node, nodeAddress, address, port, List.of(newTags), meta, weight,
        status);
  }

  Registration withWeight(int passingWeight) {
    return new Registration(service, id, node, nodeAddress, address, port, tags, meta, passingWeight,
        status);
  }

  Registration withNode(String nodeName, String address) {
    return new Registration(service, id, nodeName, address, this.address, port, tags, meta, weight, status);
  }

  Registration withStatus(String checkStatus) {
    return new Registration(service, id, node, nodeAddress, address, port, tags, meta, weight, checkStatus);
  }

  /** The entry as Consul's {@code /v1/health/service/<name>} documents it. */
  Map<String, Object> toHealthEntry() {
    Map<String, Object> nodeJson = new LinkedHashMap<>();
    nodeJson.put("ID", "40e4a748-2192-161a-0510-" + String.format("%012x", Math.abs(node.hashCode())));
    nodeJson.put("Node", node);
    nodeJson.put("Address", nodeAddress);
    nodeJson.put("Datacenter", "dc1");
    nodeJson.put("TaggedAddresses", Map.of("lan", nodeAddress, "wan", nodeAddress));
    nodeJson.put("Meta", Map.of("consul-network-segment", ""));
    Map<String, Object> serviceJson = new LinkedHashMap<>();
    serviceJson.put("ID", id);
    serviceJson.put("Service", service);
    serviceJson.put("Tags", tags);
    serviceJson.put("Address", address);
    serviceJson.put("Meta", meta);
    serviceJson.put("Port", port);
    serviceJson.put("Weights", Map.of("Passing", weight, "Warning", 1));
    serviceJson.put("EnableTagOverride", false);
    serviceJson.put("Namespace", "default");
    List<Object> checks = new ArrayList<>();
    checks.add(check("serfHealth", "Serf Health Status", "passing", "", List.of()));
    checks.add(check("service:" + id, "Service '" + service + "' check", status, id, tags));
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("Node", nodeJson);
    entry.put("Service", serviceJson);
    entry.put("Checks", checks);
    return entry;
  }

  /** The node's and the service's checks, as {@code /v1/health/state/any} lists them. */
  List<Map<String, Object>> checks() {
    return List.of(check("serfHealth", "Serf Health Status", "passing", "", List.of()),
        check("service:" + id, "Service '" + service + "' check", status, id, tags));
  }

  private Map<String, Object> check(String checkId, String name, String checkStatus, String serviceId,
      List<String> serviceTags) {
    Map<String, Object> check = new LinkedHashMap<>();
    check.put("Node", node);
    check.put("CheckID", checkId);
    check.put("Name", name);
    check.put("Status", checkStatus);
    check.put("Notes", "");
    check.put("Output", "");
    check.put("ServiceID", serviceId);
    check.put("ServiceName", serviceId.isEmpty() ? "" : service);
    check.put("ServiceTags", serviceTags);
    check.put("Namespace", "default");
    return check;
  }
}
