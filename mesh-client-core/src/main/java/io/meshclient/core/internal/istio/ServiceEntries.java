package io.meshclient.core.internal.istio;

import io.meshclient.api.ServiceInstance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Maps a ServiceEntry onto services and their instances: {@code resolution: STATIC} endpoints (or
 * {@code DNS} ones, resolved by the JVM) become instances with their labels as metadata, their weight and
 * their locality's zone; a {@code DNS} entry without endpoints is one instance at its own host. An
 * {@code HTTPS} or {@code TLS} port makes the instances secure.
 */
final class ServiceEntries {
  private static final Set<String> PLAIN = Set.of("HTTP", "HTTP2", "GRPC", "GRPC-WEB");
  private static final Set<String> SECURE = Set.of("HTTPS", "TLS");

  private ServiceEntries() {}

  /** The services an entry defines, each with its instances. */
  static Map<String, List<ServiceInstance>> map(IstioResource resource, SpecNode spec, IstioHosts hosts) {
    spec.fields("hosts", "addresses", "ports", "location", "resolution", "endpoints", "workloadSelector", "exportTo",
        "subjectAltNames");
    spec.unsupported("workloadSelector", "endpoints from WorkloadEntries: list them under endpoints");
    spec.unsupported("subjectAltNames", "identity pinning from a ServiceEntry; use a DestinationRule's "
        + "tls.subjectAltNames");
    spec.strings("addresses"); // virtual IPs: calls name the service, so none is needed in-process
    String location = spec.string("location");
    if (location != null && !location.equals("MESH_EXTERNAL") && !location.equals("MESH_INTERNAL")) {
      spec.loading.problem(resource, spec.key("location"), location, "MESH_EXTERNAL or MESH_INTERNAL");
    }
    Map<String, List<ServiceInstance>> out = new LinkedHashMap<>();
    List<SpecNode> ports = spec.list("ports");
    if (ports.isEmpty()) {
      spec.loading.problem(resource, spec.key("ports"), "missing", "at least one port: { number, name, protocol }");
      return out;
    }
    for (int i = 1; i < ports.size(); i++) {
      spec.loading.unsupported(resource, ports.get(i).path, "a second port: a service has one port here (the first)");
    }
    SpecNode port = ports.get(0);
    port.fields("number", "protocol", "name", "targetPort");
    Integer number = port.integer("number", 1, 65535);
    if (!port.has("number")) { // left out, the entry would have no instance, without a word
      port.loading.problem(resource, port.key("number"), "missing", "the port's number, from 1 to 65535");
    }
    Integer targetPort = port.integer("targetPort", 1, 65535);
    String portName = port.string("name");
    String protocol = port.string("protocol");
    boolean secure = false;
    if (protocol != null) {
      String named = protocol.toUpperCase(Locale.ROOT); // as Istio's protocol.Parse reads it: https is HTTPS
      if (SECURE.contains(named)) {
        secure = true;
      } else if (!PLAIN.contains(named)) {
        port.unsupported("protocol", "protocol " + protocol + ": the mesh carries HTTP (HTTP, HTTP2, GRPC, HTTPS, TLS)");
      }
    }
    String resolution = spec.string("resolution");
    List<String> rawHosts = spec.strings("hosts");
    if (rawHosts.isEmpty()) {
      spec.loading.problem(resource, spec.key("hosts"), "missing", "at least one host");
    }
    List<SpecNode> endpoints = spec.list("endpoints");
    Set<String> portNames = new java.util.TreeSet<>();
    for (SpecNode p : ports) {
      if (p.raw("name") instanceof String name) {
        portNames.add(name);
      }
    }
    if ("DNS_ROUND_ROBIN".equals(resolution) && endpoints.size() > 1) {
      spec.loading.problem(resource, spec.key("endpoints"), endpoints.size() + " endpoints", "0 or 1 endpoint for "
          + "resolution DNS_ROUND_ROBIN (Istio: \"there must only be 0 or 1 endpoint for resolution mode "
          + "DNS_ROUND_ROBIN\"); use resolution DNS or STATIC for several");
    }
    for (int h = 0; h < rawHosts.size(); h++) {
      String host = rawHosts.get(h);
      if (IstioHosts.isWildcard(host)) {
        spec.loading.problem(resource, spec.key("hosts") + "[" + h + "]", host, "a host without wildcards");
        continue;
      }
      String service = hosts.service(spec, spec.key("hosts") + "[" + h + "]", host);
      if (service == null) {
        continue;
      }
      List<ServiceInstance> instances = new ArrayList<>();
      switch (resolution == null ? "NONE" : resolution) {
        case "STATIC", "DNS", "DNS_ROUND_ROBIN" -> {
          if (endpoints.isEmpty() && !"STATIC".equals(resolution) && number != null) {
            instances.add(ServiceInstance.builder(service, host, targetPort != null ? targetPort : number)
                .secure(secure).build());
          }
          for (SpecNode e : endpoints) {
            ServiceInstance instance = endpoint(e, service, portName, portNames, targetPort != null ? targetPort
                : number, secure, "STATIC".equals(resolution), h == 0);
            if (instance != null) {
              instances.add(instance);
            }
          }
        }
        case "NONE" -> spec.unsupported("resolution", "resolution NONE (pass-through to the address called): "
            + "the mesh calls instances it knows; use STATIC or DNS");
        default -> spec.loading.problem(resource, spec.key("resolution"), resolution,
            "one of STATIC, DNS, DNS_ROUND_ROBIN, NONE");
      }
      out.put(service, instances);
    }
    return out;
  }

  /**
   * The instance endpoint {@code e} lists, at its port named {@code portName} (the first port's), else at {@code
   * servicePort}; null if refused. {@code portNames} are the names of all the entry's ports, the only ones an
   * endpoint may map; {@code ipOnly} for resolution STATIC, whose addresses Istio requires to be IPs; {@code report}
   * is false for the entry's hosts after the first, so as to report once.
   */
  private static ServiceInstance endpoint(SpecNode e, String service, String portName, Set<String> portNames,
      Integer servicePort, boolean secure, boolean ipOnly, boolean report) {
    e.fields("address", "ports", "labels", "network", "locality", "weight", "serviceAccount");
    if (report) {
      e.unsupported("network", "multi-network gateways: every endpoint is called directly");
    }
    String address = e.string("address");
    if (address == null || address.isBlank()) { // Istio: "address is required"
      e.loading.problem(e.resource, e.key("address"), "missing", "an IP address or host name");
      return null;
    }
    if (address.startsWith("unix://")) {
      e.loading.problem(e.resource, e.key("address"), address, "an IP address or host name (no Unix sockets)");
      return null;
    }
    if (ipOnly && !IpAddresses.isLiteral(address)) {
      // a name would be resolved by the JVM and called: Istio's validation refuses it (validateWorkloadEntry)
      if (report) {
        e.loading.problem(e.resource, e.key("address"), address, "an IP address, as resolution STATIC requires "
            + "(Istio: \"endpoint address \"" + address + "\" is not a valid IP address\"); use resolution DNS "
            + "for a host name");
      }
      return null;
    }
    if (!IpAddresses.isLiteral(address)
        && (!io.meshclient.api.spi.SettingValues.isHost(address) || address.indexOf('_') >= 0)) {
      // resolution DNS: Istio's validation wants a DNS name (letters, digits, '-'); the mesh would have failed the
      // endpoint's every call instead (a URL, a path or a port in it), or called a name Istio refuses
      if (report) {
        e.loading.problem(e.resource, e.key("address"), address, "a host name or an IP address (Istio: \"endpoint "
            + "address \"" + address + "\" is not a valid FQDN or an IP address\")");
      }
      return null;
    }
    Map<String, String> ports = e.stringMap("ports");
    if (report) {
      for (String name : ports.keySet()) {
        if (!portNames.contains(name)) {
          // Left out, the endpoint would be called at the entry's port where the port named was meant
          e.loading.problem(e.resource, e.key("ports"), name, "names of the entry's ports, " + portNames
              + " (Istio: \"endpoint port " + ports.get(name) + " is not defined by the service entry\")"
              + io.meshclient.api.spi.SettingValues.didYouMean(name, portNames));
        }
      }
    }
    Integer port = servicePort;
    if (portName != null && ports.containsKey(portName)) {
      port = e.child("ports").integer(portName, 1, 65535);
    }
    if (port == null) {
      return null;
    }
    Integer weight = e.integer("weight", 0, 1_000_000); // 0 is proto3's unset: pilot weighs such an endpoint 1
    ServiceInstance.Builder b = ServiceInstance.builder(service, address, port).secure(secure)
        .metadata(e.stringMap("labels")).weight(weight == null || weight == 0 ? 1 : weight);
    String locality = e.string("locality");
    if (locality != null) {
      b.locality(locality);
      String[] parts = locality.split("/");
      if (parts.length > 1) {
        b.zone(parts[1]);
      }
    }
    e.string("serviceAccount"); // the identity is pinned by a DestinationRule's tls.subjectAltNames
    return b.build();
  }
}
