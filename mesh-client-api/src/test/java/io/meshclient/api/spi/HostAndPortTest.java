package io.meshclient.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link SettingValues#isHostAndPort}: the one rule for an address written without a scheme (Consul, xDS). */
class HostAndPortTest {

  @Test
  void aHostWithOrWithoutAPortInRangeIsAHostAndPort() {
    for (String text : new String[] {"127.0.0.1:8500", "127.0.0.1", "consul.service.consul",
        "istiod.istio-system.svc:15012", "localhost:1", "localhost:65535", "[::1]:15010", "[::1]",
        "[fe80::1%eth0]:8500", "my_host:80"}) {
      assertThat(SettingValues.isHostAndPort(text)).as(text).isTrue();
    }
  }

  @Test
  void aPortOutOfRangeAnUnbracketedIpv6LiteralOrAnythingButAHostIsNot() {
    for (String text : new String[] {"", "host:", "host:0", "host:65536", "host:99999", "host:123456", "host:8a",
        "::1", "fe80::1:8500", "[::1]8500", "[::1]:", "[fe80::1%]:1", "[fe80::1%a b]:1", "[zz::1]:1", "a..b:1",
        "-a:1", "http://host:80", "host/path", "a b:1", ":8500"}) {
      assertThat(SettingValues.isHostAndPort(text)).as(text).isFalse();
    }
    assertThat(SettingValues.isHostAndPort(null)).isFalse();
  }
}
