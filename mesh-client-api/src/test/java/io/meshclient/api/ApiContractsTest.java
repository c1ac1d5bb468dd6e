package io.meshclient.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.spi.Setting;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiContractsTest {

  @Test
  void everyMeshExceptionIsAnIoExceptionSoOkHttpCallbacksReceiveIt() {
    List<MeshException> all = List.of(
        new NoHealthyInstanceException("reviews", "v2"),
        new RateLimitExceededException("ratings", "ratings"),
        new ConcurrencyLimitExceededException("reviews", 3),
        new RequestNotRetriedException("reviews", "POST not retried", new IOException("reset")));
    assertThat(all).allSatisfy(e -> assertThat(e).isInstanceOf(IOException.class));
    assertThat(all.get(0)).hasMessage("no healthy instance of service 'reviews' in subset 'v2'");
    assertThat(new NoHealthyInstanceException("reviews", null))
        .hasMessage("no healthy instance of service 'reviews'");
    assertThat(all.get(1).service()).isEqualTo("ratings");
    NoHealthyInstanceException explained = new NoHealthyInstanceException("reviews", "v1", "cluster v1 was refused");
    assertThat(explained).hasMessage("no healthy instance of service 'reviews' in subset 'v1': cluster v1 was refused");
    assertThat(explained.reason()).isEqualTo("cluster v1 was refused");
    assertThat(((NoHealthyInstanceException) all.get(0)).reason()).isNull();
  }

  @Test
  void aShippedDiscoveryWhoseModuleIsMissingIsNamedWithItsModule() {
    ClassLoader loader = ApiContractsTest.class.getClassLoader(); // the api module's tests: no discovery at all
    assertThatThrownBy(() -> io.meshclient.api.spi.Providers.discovery("static", "mesh.discovery.static", loader))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("mesh.discovery.static: static (expected: "
            + "one of []; the 'static' discovery is in io.meshclient:mesh-discovery-static, not on the class path)");
    assertThatThrownBy(() -> io.meshclient.api.spi.Providers.discovery("eureka", "mesh.discovery.eureka", loader))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("mesh.discovery.eureka: eureka (expected: "
            + "one of [])");
  }

  /** A key cut short names the one key it begins; a typo the key within two edits; neither, nothing. */
  @Test
  void didYouMeanNamesTheKeyATypoOrAShortenedNameMeant() {
    java.util.List<String> known = java.util.List.of("max-concurrent-requests", "failure-rate-threshold",
        "slow-call-rate-threshold", "timeout");
    assertThat(io.meshclient.api.spi.SettingValues.didYouMean("max-concurrent", known))
        .isEqualTo("; did you mean 'max-concurrent-requests'?");
    assertThat(io.meshclient.api.spi.SettingValues.didYouMean("failure-rate", known))
        .isEqualTo("; did you mean 'failure-rate-threshold'?");
    assertThat(io.meshclient.api.spi.SettingValues.didYouMean("timout", known)).isEqualTo("; did you mean 'timeout'?");
    assertThat(io.meshclient.api.spi.SettingValues.didYouMean("rate", known)).isEmpty(); // begins none of them
    assertThat(io.meshclient.api.spi.SettingValues.didYouMean("tim", known)).isEmpty(); // too short to guess from
  }

  /** {@code consol} for {@code consul}: the project's own discoveries are suggested, with the module to add. */
  @Test
  void aMisspeltDiscoveryNameSaysWhichWasMeantAndItsModule() {
    ClassLoader loader = ApiContractsTest.class.getClassLoader();
    assertThatThrownBy(() -> io.meshclient.api.spi.Providers.discovery("consol", "mesh.discovery.consol", loader))
        .isInstanceOf(ConfigurationException.class).hasMessage("mesh.discovery.consol: consol (expected: one of []; "
            + "did you mean 'consul'? (in io.meshclient:mesh-discovery-consul, not on the class path))");
  }

  @Test
  void instanceRejectsOutOfRangePortAndNegativeWeight() {
    assertThatThrownBy(() -> new ServiceInstance("a", "s", "h", 0, false, 1, Map.of(), ""))
        .hasMessage("port: 0 (expected: 1..65535)");
    assertThatThrownBy(() -> new ServiceInstance("a", "s", "h", 80, false, -1, Map.of(), ""))
        .hasMessage("weight: -1 (expected: >= 0)");
  }

  @Test
  void instanceFreezesMetadataAndBracketsIpv6Authority() {
    ServiceInstance instance = new ServiceInstance("a", "s", "::1", 80, false, 1, null, null);
    assertThat(instance.metadata()).isEmpty();
    assertThat(instance.zone()).isEmpty();
    assertThat(instance.authority()).isEqualTo("[::1]:80");
    assertThat(ServiceInstance.of("s", "127.0.0.1", 9081).id()).isEqualTo("127.0.0.1:9081");
  }

  @Test
  void cookieIsReadFromTheCookieHeader() {
    RequestContext context = new RequestContext() {
      @Override public String method() { return "GET"; }
      @Override public String path() { return "/"; }
      @Override public String header(String name) {
        return name.equals("Cookie") ? "a=1; session=abc ; sessionx=no" : null;
      }
      @Override public <T> T attribute(Class<T> key) { return null; }
    };
    assertThat(context.cookie("session")).isEqualTo("abc");
    assertThat(context.cookie("a")).isEqualTo("1");
    assertThat(context.cookie("missing")).isNull();
  }

  @Test
  void problemValuesStayOnOneLine() {
    assertThat(ConfigurationException.problem("mesh.a", "x\r\nInjected: 1\u0000", "y"))
        .isEqualTo("mesh.a: x\\r\\nInjected: 1\\u0000 (expected: y)");
    assertThat(ConfigurationException.problem("mesh.a", "z".repeat(500), "y"))
        .isEqualTo("mesh.a: " + "z".repeat(200) + "...(500 characters) (expected: y)");
  }

  @Test
  void configurationExceptionListsEveryProblem() {
    ConfigurationException single = ConfigurationException.of("mesh.services.reviews.rate-limit.rate", "0", "> 0");
    assertThat(single).hasMessage("mesh.services.reviews.rate-limit.rate: 0 (expected: > 0)");
    ConfigurationException two = new ConfigurationException(List.of("a: 1 (expected: 2)", "b: 3 (expected: 4)"));
    assertThat(two).hasMessage("2 configuration problems:\n  a: 1 (expected: 2)\n  b: 3 (expected: 4)");
    assertThat(ConfigurationException.secretProblem("mesh.discovery.consul.acl-token", "a UUID"))
        .isEqualTo("mesh.discovery.consul.acl-token: <redacted> (expected: a UUID)");
  }

  @Test
  void aDecimalSettingReadsFiniteNumbersInItsRangeAndNamesTheKeyOfEveryOtherValue() {
    Setting multiplier = Setting.decimal("multiplier", "1.6", 1, 10, "growth of each next delay");
    List<String> problems = new ArrayList<>();
    assertThat(multiplier.read("x.multiplier", "1.6", problems)).isEqualTo(1.6);
    assertThat(multiplier.read("x.multiplier", " 2.5 ", problems)).isEqualTo(2.5);
    assertThat(multiplier.read("x.multiplier", 2, problems)).isEqualTo(2.0);
    assertThat(multiplier.read("x.multiplier", 1.0, problems)).isEqualTo(1.0);
    assertThat(multiplier.read("x.multiplier", "1e1", problems)).isEqualTo(10.0);
    assertThat(multiplier.read("x.multiplier", new BigDecimal("3.25"), problems)).isEqualTo(3.25);
    assertThat(problems).isEmpty();
    assertThat(multiplier.defaultDecimal()).isEqualTo(1.6);
    assertThat(multiplier.expected()).isEqualTo("a number from 1 to 10");

    for (Object bad : List.of("0.5", 10.5, "fast", "NaN", "Infinity", "1.6d", "0x1p1", "", "1e999999999", true,
        Double.NaN, Double.POSITIVE_INFINITY, List.of(2), "9".repeat(70))) {
      assertThat(multiplier.read("x.multiplier", bad, problems)).as("%s", bad).isNull();
    }
    assertThat(problems).hasSize(14).startsWith(
        "x.multiplier: 0.5 (expected: a number from 1 to 10)",
        "x.multiplier: 10.5 (expected: a number from 1 to 10)",
        "x.multiplier: fast (expected: a number from 1 to 10)",
        "x.multiplier: NaN (expected: a number from 1 to 10)");
    assertThat(problems)
        .allMatch(p -> p.startsWith("x.multiplier: ") && p.endsWith("(expected: a number from 1 to 10)"));
    assertThat(Setting.decimal("ratio", null, 0.001, 0.5, "a ratio").expected())
        .isEqualTo("a number from 0.001 to 0.5");
    assertThatThrownBy(() -> Setting.decimal("ratio", null, 2, 1, "backwards"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aListDefaultIsReadAsItIsDeclared() {
    assertThat(Setting.textList("on", "[connect-failure, reset, 502]", "statuses").defaultList())
        .containsExactly("connect-failure", "reset", "502");
    assertThat(Setting.textList("pod-labels", "[version]", "labels").defaultList()).containsExactly("version");
    assertThat(Setting.textList("pod-labels", "version", "labels").defaultList()).containsExactly("version");
    assertThat(Setting.textList("pod-labels", "[]", "labels").defaultList()).isEmpty();
    assertThatThrownBy(() -> Setting.textList("failover", null, "zones").defaultList())
        .isInstanceOf(NullPointerException.class).hasMessage("failover");
  }
}
