package io.meshclient.core.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.Backend;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.ServiceDefaults;
import io.meshclient.core.metrics.MeshMetricNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class AddressAllowListTest {
  private static final AddressAllowList LOOPBACK = AddressAllowList.of(List.of("127.0.0.0/8", "::1/128"));

  @Test
  void trickySpellingsAreJudgedByTheAddressTheyResolveTo() {
    assertThat(AddressAllowList.of(List.of("10.0.0.0/8")).refusal("2130706433"))
        .isEqualTo("'2130706433' resolves to 127.0.0.1, outside [10.0.0.0/8]");
    assertThat(LOOPBACK.refusal("2130706433")).as("it is 127.0.0.1").isNull();
    assertThat(LOOPBACK.refusal("::ffff:169.254.169.254"))
        .isEqualTo("'::ffff:169.254.169.254' resolves to 169.254.169.254, outside [127.0.0.0/8, ::1/128]");
    assertThat(LOOPBACK.refusal("[::ffff:127.0.0.1]")).isNull();
    assertThat(LOOPBACK.refusal("0177.0.0.1")).isEqualTo("ambiguous numeric address '0177.0.0.1' (leading zeros or hex)");
    assertThat(LOOPBACK.refusal("0x7f.0.0.1")).isEqualTo("ambiguous numeric address '0x7f.0.0.1' (leading zeros or hex)");
    assertThat(LOOPBACK.refusal("127.0.0.1")).isNull();
    assertThat(LOOPBACK.refusal("::1")).isNull();
    assertThat(LOOPBACK.refusal("10.1.2.3")).isEqualTo("'10.1.2.3' resolves to 10.1.2.3, outside [127.0.0.0/8, ::1/128]");
  }

  @Test
  void cidrMatchingFollowsThePrefix() throws Exception {
    Cidr net = Cidr.parse("192.168.4.0/22");
    assertThat(net.contains(InetAddress.getByName("192.168.7.255"))).isTrue();
    assertThat(net.contains(InetAddress.getByName("192.168.8.0"))).isFalse();
    assertThat(Cidr.parse("fd00::/8").contains(InetAddress.getByName("fd12::1"))).isTrue();
    assertThat(Cidr.parse("fd00::/8").contains(InetAddress.getByName("10.0.0.1"))).isFalse();
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessage("the prefix length must be 0..32");
    assertThatThrownBy(() -> Cidr.parse("010.0.0.0/8"))
        .hasMessage("not an IPv4 address in dotted decimal or an IPv6 address");
  }

  @Test
  void instancesOutsideTheListAreDroppedCountedAndNeverCalled() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (Backend backend = new Backend("ok")) {
      int port = backend.port();
      InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", List.of(
          new ServiceInstance("plain", "api", "127.0.0.1", port, false, 1, Map.of(), ""),
          new ServiceInstance("decimal", "api", "2130706433", port, false, 1, Map.of(), ""),
          new ServiceInstance("octal", "api", "0177.0.0.1", port, false, 1, Map.of(), ""),
          new ServiceInstance("metadata", "api", "::ffff:169.254.169.254", 80, false, 1, Map.of(), ""),
          new ServiceInstance("private", "api", "10.1.2.3", 80, false, 1, Map.of(), "")));
      MeshConfig config = MeshConfig.builder()
          .defaults(ServiceDefaults.DEFAULT.withAllowedAddresses(List.of("127.0.0.0/8")))
          .service(ServiceConfig.builder("api").loadBalancer("round-robin").build()).build();
      try (Mesh mesh = Mesh.builder().config(config).discovery("memory", discovery).meterRegistry(meters).build()) {
        assertThat(mesh.instances("api")).extracting(ServiceInstance::id).containsExactly("plain", "decimal");
        for (int i = 0; i < 10; i++) {
          try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://api/").build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
          }
        }
        assertThat(backend.requests()).isEqualTo(10);
        assertThat(meters.get(MeshMetricNames.INSTANCES_REJECTED).tag("service", "api").counter().count())
            .isEqualTo(3);
      }
    }
  }

  @Test
  void aCallWhoseInstancesAreAllOutsideTheListSaysSoInsteadOfBlamingTheDiscovery() throws Exception {
    InMemoryDiscovery discovery = new InMemoryDiscovery().set("api", List.of(
        new ServiceInstance("private", "api", "10.1.2.3", 80, false, 1, Map.of(), "")));
    MeshConfig config = MeshConfig.builder()
        .service(ServiceConfig.builder("api").allowedAddresses(List.of("127.0.0.0/8")).build()).build();
    try (Mesh mesh = Mesh.builder().config(config).discovery("memory", discovery).build()) {
      assertThatThrownBy(() -> mesh.httpClient().newCall(new Request.Builder().url("http://api/").build()).execute())
          .isInstanceOf(io.meshclient.api.NoHealthyInstanceException.class)
          .hasMessageEndingWith("its discovery lists no instance of it inside allowed-addresses (an instance "
              + "outside is dropped and logged at WARNING)");
    }
  }

  @Test
  void aHostThatReResolvesOutsideTheListCannotBeConnectedTo() throws Exception {
    AllowListDns dns = new AllowListDns(host -> List.of(InetAddress.getByName("10.9.9.9")));
    dns.update(Map.of("api.internal", LOOPBACK));
    assertThatThrownBy(() -> dns.lookup("api.internal")).isInstanceOf(UnknownHostException.class)
        .hasMessage("api.internal resolves only to addresses outside the allow-list [127.0.0.0/8, ::1/128]");
    assertThat(dns.lookup("other.example")).extracting(InetAddress::getHostAddress).containsExactly("10.9.9.9");
  }

  @Test
  void aBadCidrIsAConfigurationErrorNamingItsKey() {
    assertThatThrownBy(() -> MeshConfig.builder().service(ServiceConfig.builder("api")
        .allowedAddresses(List.of("10.0.0.0/8", "localhost")).build()).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.services.api.allowed-addresses[1]: localhost (expected: a CIDR block such as 10.0.0.0/8 "
            + "or fd00::/8 (not an IPv4 address in dotted decimal or an IPv6 address))");
  }
}
