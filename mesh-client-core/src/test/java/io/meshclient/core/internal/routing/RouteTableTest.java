package io.meshclient.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.RequestContext;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.StringMatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RouteTableTest {

  record Req(String method, String path, Map<String, String> headers) implements RequestContext {
    @Override
    public String header(String name) {
      for (Map.Entry<String, String> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue();
        }
      }
      return null;
    }

    @Override
    public <T> T attribute(Class<T> key) {
      return null;
    }
  }

  private static RouteTable bookinfo() {
    Map<String, Integer> split = new LinkedHashMap<>();
    split.put("v1", 80);
    split.put("v3", 20);
    return RouteTable.compile(ServiceConfig.builder("reviews")
        .subset("v1", Map.of("version", "v1"))
        .subset("v2", Map.of("version", "v2"))
        .subset("v3", Map.of("version", "v3"))
        .route(RouteConfig.to(RouteConfig.Match.header("end-user", StringMatch.exact("jason")), "v2"))
        .route(RouteConfig.split(RouteConfig.Match.ANY, split))
        .build());
  }

  @Test
  void weightedSplitOf80To20LandsWithinHalfAPointOver100000Picks() {
    RouteTable table = bookinfo();
    Route route = table.match(new Req("GET", "/reviews/1", Map.of()));
    assertThat(route.index()).isEqualTo(1);
    RandomGenerator random = new SplittableRandom(7);
    int[] counts = new int[3];
    for (int i = 0; i < 100_000; i++) {
      counts[route.target(route.pick(random)).subsetIndex()]++;
    }
    assertThat(counts[0] / 1000.0).isCloseTo(80.0, org.assertj.core.data.Offset.offset(0.5));
    assertThat(counts[2] / 1000.0).isCloseTo(20.0, org.assertj.core.data.Offset.offset(0.5));
    assertThat(counts[1]).isZero();
  }

  @Test
  void firstMatchingRuleWinsSoJasonGoesToV2() {
    RouteTable table = bookinfo();
    Route route = table.match(new Req("GET", "/reviews/1", Map.of("End-User", "jason")));
    assertThat(route.name()).isEqualTo("route-0");
    assertThat(table.subsetNames().get(route.target(route.pick(new SplittableRandom(1))).subsetIndex())).isEqualTo("v2");
    assertThat(table.match(new Req("GET", "/", Map.of("end-user", "jasonx"))).index()).isEqualTo(1);
  }

  @Test
  void pathMethodAndHeaderMatchersEachDecide() {
    RouteTable table = RouteTable.compile(ServiceConfig.builder("s")
        .subset("a", Map.of())
        .route(RouteConfig.to(RouteConfig.Match.path(StringMatch.exact("/exact")), "a").withName("exact"))
        .route(RouteConfig.to(RouteConfig.Match.path(StringMatch.prefix("/api/")), "a").withName("prefix"))
        .route(RouteConfig.to(RouteConfig.Match.path(StringMatch.regex("/items/[0-9]+")), "a").withName("regex"))
        .route(RouteConfig.to(new RouteConfig.Match(null, Set.of("POST"), Map.of()), "a").withName("post"))
        .route(RouteConfig.to(RouteConfig.Match.header("x-debug", StringMatch.present()), "a").withName("present"))
        .route(RouteConfig.to(RouteConfig.Match.header("x-tenant", StringMatch.prefix("acme-")), "a").withName("hprefix"))
        .route(RouteConfig.to(RouteConfig.Match.header("x-id", StringMatch.regex("u[0-9]{3}")), "a").withName("hregex"))
        .build());
    assertThat(name(table, new Req("GET", "/exact", Map.of()))).isEqualTo("exact");
    assertThat(name(table, new Req("GET", "/exact/no", Map.of()))).isNull();
    assertThat(name(table, new Req("GET", "/api/x", Map.of()))).isEqualTo("prefix");
    assertThat(name(table, new Req("GET", "/items/42", Map.of()))).isEqualTo("regex");
    assertThat(name(table, new Req("GET", "/items/42x", Map.of()))).isNull();
    assertThat(name(table, new Req("POST", "/other", Map.of()))).isEqualTo("post");
    assertThat(name(table, new Req("GET", "/other", Map.of("X-Debug", "")))).isEqualTo("present");
    assertThat(name(table, new Req("GET", "/other", Map.of("x-tenant", "acme-eu")))).isEqualTo("hprefix");
    assertThat(name(table, new Req("GET", "/other", Map.of("x-id", "u123")))).isEqualTo("hregex");
    assertThat(name(table, new Req("GET", "/other", Map.of("x-id", "u1234")))).isNull();
  }

  private static String name(RouteTable table, RequestContext request) {
    Route route = table.match(request);
    return route == null ? null : route.name();
  }

  @Test
  void zeroWeightSubsetsNeverReceiveTraffic() {
    RouteTable table = RouteTable.compile(ServiceConfig.builder("s")
        .subset("a", Map.of()).subset("b", Map.of())
        .route(RouteConfig.split(RouteConfig.Match.ANY, Map.of("a", 0, "b", 5)))
        .build());
    Route route = table.routes().get(0);
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 1000; i++) {
      assertThat(route.target(route.pick(random)).subsetIndex()).isEqualTo(1);
    }
    assertThat(table.subsetNames()).isEqualTo(List.of("a", "b"));
  }

  @Test
  void credentialHeaderValuesNeverShowInToString() {
    RouteConfig route = RouteConfig.to(new RouteConfig.Match(null, Set.of("GET"), Map.of(
        "Authorization", StringMatch.exact("Bearer s3cr3t"), "end-user", StringMatch.exact("jason"))), "a");
    assertThat(route.toString()).doesNotContain("s3cr3t").contains("exact:<redacted>").contains("exact:jason");
  }
}
