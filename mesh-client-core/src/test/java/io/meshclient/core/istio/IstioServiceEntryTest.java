package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.core.LoopbackServer;
import io.meshclient.core.Mesh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ServiceEntry fields read as Istio reads them, against a real server on 127.0.0.1. */
@Timeout(60)
class IstioServiceEntryTest {
  @TempDir
  Path dir;

  private Mesh mesh(String yaml) throws IOException {
    Path file = dir.resolve("se.yaml");
    Files.writeString(file, yaml);
    return Mesh.builder().istioConfig(file).build();
  }

  private static String entry(String protocol, int port) {
    return """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: { name: payments }
        spec:
          hosts: [payments.example.com]
          resolution: STATIC
          ports: [{ number: %d, name: web, protocol: %s }]
          endpoints: [{ address: 127.0.0.1 }]
        """.formatted(port, protocol);
  }

  @Test
  void aPortProtocolIsReadWhateverItsCaseAsIstioReadsIt() throws Exception {
    try (LoopbackServer plain = new LoopbackServer("payments")) {
      try (Mesh mesh = mesh(entry("http", plain.port()))) {
        assertThat(IstioRoutingTest.body(mesh, "http://payments.example.com/pay")).isEqualTo("200 payments");
        assertThat(mesh.istioReport().unsupported()).isEmpty();
      }
      plain.requests.set(0);
      // https is HTTPS to Istio: the instance speaks TLS, so the mesh never sends it the call in plain HTTP
      try (Mesh mesh = mesh(entry("https", plain.port()))) {
        assertThat(mesh.instances("payments.example.com")).singleElement()
            .satisfies(i -> assertThat(i.secure()).isTrue());
        assertThatThrownBy(() -> IstioRoutingTest.body(mesh, "http://payments.example.com/pay"))
            .isInstanceOf(IOException.class);
        assertThat(mesh.istioReport().unsupported()).isEmpty();
      }
      assertThat(plain.requests.get()).as("requests the plain server answered").isZero();
    }
  }

  /** pilot gives an endpoint of weight 0 (proto3's unset) the weight 1 (IstioEndpoint.GetLoadBalancingWeight). */
  @Test
  void anEndpointOfWeightZeroHasTheDefaultWeightAsInIstio() throws Exception {
    try (LoopbackServer plain = new LoopbackServer("payments");
        Mesh mesh = mesh(entry("HTTP", plain.port()).replace("{ address: 127.0.0.1 }",
            "{ address: 127.0.0.1, weight: 0 }"))) {
      assertThat(mesh.instances("payments.example.com")).singleElement()
          .satisfies(i -> assertThat(i.weight()).isEqualTo(1));
      assertThat(IstioRoutingTest.body(mesh, "http://payments.example.com/pay")).isEqualTo("200 payments");
    }
  }

  @Test
  void anEndpointPortOfNoPortNameIsRefusedNotCalledAtTheEntrysPort() {
    assertThatThrownBy(() -> mesh("""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: { name: payments }
        spec:
          hosts: [payments.example.com]
          resolution: STATIC
          ports: [{ number: 8080, name: http, protocol: HTTP }]
          endpoints: [{ address: 127.0.0.1, ports: { htpp: 9080 } }]
        """)).isInstanceOf(io.meshclient.api.ConfigurationException.class)
        .hasMessage(dir.resolve("se.yaml") + ": ServiceEntry default/payments: spec.endpoints[0].ports: htpp "
            + "(expected: names of the entry's ports, [http] (Istio: \"endpoint port 9080 is not defined by the "
            + "service entry\"); did you mean 'http'?)");
  }

  @Test
  void aHostNamingNoServiceIsRefusedAtItsIstioField() {
    assertThatThrownBy(() -> mesh("""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: { name: payments }
        spec:
          hosts: ["", api_example.com]
          resolution: DNS
          ports: [{ number: 8080, name: http, protocol: HTTP }]
        """)).isInstanceOf(io.meshclient.api.ConfigurationException.class)
        .hasMessage("2 configuration problems:\n  " + dir.resolve("se.yaml") + ": ServiceEntry default/payments: "
            + "spec.hosts[0]: '' (expected: a host name such as reviews or api.example.com, naming a service: a "
            + "lower-case host name: letters, digits, '-' and '.')\n  " + dir.resolve("se.yaml")
            + ": ServiceEntry default/payments: spec.hosts[1]: api_example.com (expected: a host name such as reviews "
            + "or api.example.com, naming a service: a lower-case host name: letters, digits, '-' and '.')");
  }

  @Test
  void aPortWithoutNumberOrAnEndpointWithAnEmptyAddressIsRefusedNotLeftWithoutInstances() {
    assertThatThrownBy(() -> mesh("""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: { name: payments }
        spec:
          hosts: [payments.example.com]
          resolution: STATIC
          ports: [{ name: http, protocol: HTTP }]
          endpoints: [{ address: "" }]
        """)).isInstanceOf(io.meshclient.api.ConfigurationException.class)
        .hasMessage("2 configuration problems:\n  " + dir.resolve("se.yaml") + ": ServiceEntry default/payments: "
            + "spec.ports[0].number: missing (expected: the port's number, from 1 to 65535)\n  "
            + dir.resolve("se.yaml") + ": ServiceEntry default/payments: spec.endpoints[0].address: missing "
            + "(expected: an IP address or host name)");
  }

  /**
   * Istio's validation takes only IP addresses (or Unix sockets) as the endpoints of resolution STATIC: a host name
   * there is refused ("endpoint address ... is not a valid IP address"). The mesh once had the JVM resolve it and
   * called it. Under resolution DNS the same name is an instance the mesh calls, as Envoy does.
   */
  @Test
  void aStaticEndpointNamedByAHostNameIsRefusedAsIstioRefusesItAndCalledUnderDns() throws Exception {
    try (LoopbackServer server = new LoopbackServer("payments")) {
      String yaml = entry("HTTP", server.port()).replace("127.0.0.1", "localhost");
      assertThatThrownBy(() -> mesh(yaml)).isInstanceOf(io.meshclient.api.ConfigurationException.class)
          .hasMessage(dir.resolve("se.yaml") + ": ServiceEntry default/payments: spec.endpoints[0].address: "
              + "localhost (expected: an IP address, as resolution STATIC requires (Istio: \"endpoint address "
              + "\"localhost\" is not a valid IP address\"); use resolution DNS for a host name)");
      try (Mesh mesh = mesh(yaml.replace("localhost", "'::1'"))) {
        assertThat(mesh.instances("payments.example.com")).as("an IPv6 address is an IP").hasSize(1);
      }
      try (Mesh mesh = mesh(yaml.replace("STATIC", "DNS"))) {
        assertThat(IstioRoutingTest.body(mesh, "http://payments.example.com/pay")).isEqualTo("200 payments");
      }
      assertThat(server.requests.get()).as("requests only under resolution DNS").isEqualTo(1);
    }
  }

  /** Under resolution DNS an endpoint's address is a DNS name or an IP, as Istio's validation wants it. */
  @Test
  void aDnsEndpointWhoseAddressIsNoHostNameIsRefusedAsIstioRefusesIt() throws Exception {
    try (LoopbackServer server = new LoopbackServer("payments")) {
      String dns = entry("HTTP", server.port()).replace("STATIC", "DNS");
      for (String address : new String[] {"'http://localhost'", "'localhost:8080'", "'local_host'", "'-localhost'"}) {
        String written = address.substring(1, address.length() - 1);
        assertThatThrownBy(() -> mesh(dns.replace("127.0.0.1", address)))
            .isInstanceOf(io.meshclient.api.ConfigurationException.class)
            .hasMessage(dir.resolve("se.yaml") + ": ServiceEntry default/payments: spec.endpoints[0].address: "
                + written + " (expected: a host name or an IP address (Istio: \"endpoint address \"" + written
                + "\" is not a valid FQDN or an IP address\"))");
      }
      try (Mesh mesh = mesh(dns.replace("127.0.0.1", "localhost"))) {
        assertThat(IstioRoutingTest.body(mesh, "http://payments.example.com/pay")).isEqualTo("200 payments");
      }
    }
  }

  /** Istio refuses DNS_ROUND_ROBIN with more than one endpoint; the mesh once balanced over them. */
  @Test
  void dnsRoundRobinWithTwoEndpointsIsRefusedAsIstioRefusesItAndOneIsCalled() throws Exception {
    try (LoopbackServer server = new LoopbackServer("payments")) {
      String one = entry("HTTP", server.port()).replace("STATIC", "DNS_ROUND_ROBIN");
      assertThatThrownBy(() -> mesh(one.replace("[{ address: 127.0.0.1 }]",
          "[{ address: 127.0.0.1 }, { address: localhost }]")))
          .isInstanceOf(io.meshclient.api.ConfigurationException.class)
          .hasMessage(dir.resolve("se.yaml") + ": ServiceEntry default/payments: spec.endpoints: 2 endpoints "
              + "(expected: 0 or 1 endpoint for resolution DNS_ROUND_ROBIN (Istio: \"there must only be 0 or 1 "
              + "endpoint for resolution mode DNS_ROUND_ROBIN\"); use resolution DNS or STATIC for several)");
      try (Mesh mesh = mesh(one)) {
        assertThat(IstioRoutingTest.body(mesh, "http://payments.example.com/pay")).isEqualTo("200 payments");
      }
    }
  }
}
