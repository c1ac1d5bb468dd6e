package io.meshclient.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import java.io.StringReader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigValidationTest {

  static MeshConfig yaml(String text) throws Exception {
    return MeshConfig.fromMap(MeshConfigLoader.parseYaml(
        new StringReader(text), name -> null, "test.yaml"));
  }

  @Test
  void unknownBalancerIsRefusedListingTheKnownNamesIncludingUserProviders() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews: { load-balancer: fastest }
        """)).isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.services.reviews.load-balancer: fastest (expected: one of "
            + "[first, least-request, peak-ewma, random, ring-hash, round-robin, weighted-round-robin])");
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews: { load-balancer: round_robin }
        """)).hasMessage("mesh.services.reviews.load-balancer: round_robin (expected: one of [first, least-request, "
            + "peak-ewma, random, ring-hash, round-robin, weighted-round-robin]; did you mean 'round-robin'?)");
  }

  /**
   * Settings keys may be spelled as Spring's relaxed binding allows (camelCase, snake_case, the run-together
   * lower case an environment variable gives); names the user chooses (services, subsets, headers) are kept
   * as written. YAML 1.1's boolean reading of the key {@code on} is undone where {@code on} is a setting.
   */
  @Test
  void settingsKeysAreReadInEveryRelaxedSpellingButUserNamesAreNot() {
    MeshConfig config = MeshConfig.fromMap(Map.of(
        "defaults", Map.of("loadBalancer", "random", "connect_timeout", "2s", "maxconcurrentrequests", "7"),
        "services", Map.of("reviews", Map.of(
            "subsets", Map.of("V1", Map.of("Version", "v1")),
            "routes", Map.of("0", Map.of("to", "V1",
                "retry", Map.of("true", java.util.List.of("connect-failure", 503), "perTryTimeout", "300ms")))))));
    assertThat(config.defaults().loadBalancer().name()).isEqualTo("random");
    assertThat(config.defaults().connectTimeout()).hasSeconds(2);
    assertThat(config.defaults().maxConcurrentRequests()).isEqualTo(7);
    ServiceConfig reviews = config.services().get("reviews");
    assertThat(reviews.subsets()).containsEntry("V1", Map.of("Version", "v1"));
    assertThat(reviews.routes().get(0).retry().statuses()).containsExactly(503);
    assertThat(reviews.routes().get(0).retry().on()).containsExactly(RetryConfig.Condition.CONNECT_FAILURE);
    assertThat(reviews.routes().get(0).retry().perTryTimeout()).hasMillis(300);
  }

  @Test
  void aSettingWrittenTwiceInTwoSpellingsIsRefusedNamingBoth() {
    assertThatThrownBy(() -> MeshConfig.fromMap(Map.of("defaults",
        new java.util.LinkedHashMap<>(Map.of("load-balancer", "random")) {{ put("loadBalancer", "first"); }})))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.defaults.loadBalancer: set twice (expected: one spelling of mesh.defaults.load-balancer)");
    assertThatThrownBy(() -> MeshConfig.fromMap(Map.of("defaults",
        new java.util.LinkedHashMap<>(Map.of("loadBalancer", "random")) {{ put("load-balancer", "first"); }})))
        .hasMessage("mesh.defaults.load-balancer: set twice (expected: one spelling of mesh.defaults.loadBalancer)");
  }

  @Test
  void relaxedSpellingsNextToUnknownKeysAndUserNamesKeptAsWritten() {
    assertThatThrownBy(() -> MeshConfig.fromMap(Map.of("defaults", new java.util.LinkedHashMap<>(Map.of(
        "loadBalancer", "random")) {{ put("load-balancr", "x"); }})))
        .hasMessage("mesh.defaults.load-balancr: unknown key (expected: one of [allowed-addresses, connect-timeout, "
            + "connection-pool, load-balancer, max-concurrent-requests, timeout]; did you mean 'load-balancer'?)");
    MeshConfig config = MeshConfig.fromMap(Map.of("services", Map.of("reviews", Map.of(
        "subsets", Map.of("canaryV2", Map.of("version", "v2")),
        "routes", java.util.List.of(Map.of("match", Map.of("headers", Map.of("End-User", Map.of("exact", "jason"))),
            "to", "canaryV2"))))));
    assertThat(config.service("reviews").subsets()).containsOnlyKeys("canaryV2");
    assertThat(config.service("reviews").routes().get(0).match().headers()).containsOnlyKeys("End-User");
  }

  @Test
  void negativeSplitWeightIsRefused() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              subsets: { v1: { version: v1 }, v3: { version: v3 } }
              routes:
                - split: { v1: -5, v3: 20 }
        """)).hasMessage("mesh.services.reviews.routes[0].split.v1: -5 (expected: a weight >= 0)");
  }

  @Test
  void splitWeightsSummingToZeroAreRefused() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              subsets: { v1: { version: v1 }, v3: { version: v3 } }
              routes:
                - split: { v1: 0, v3: 0 }
        """)).hasMessage("mesh.services.reviews.routes[0].split: {v1=0, v3=0} (expected: weights summing to more than 0)");
  }

  @Test
  void splitNamingAnUnknownSubsetIsRefused() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              subsets: { v1: { version: v1 }, v3: { version: v3 } }
              routes:
                - split: { v1: 80, v4: 20 }
        """)).hasMessage("mesh.services.reviews.routes[0].split: v4 (expected: one of the subsets [v1, v3])");
  }

  @Test
  void zeroRateAndZeroBurstAreRefused() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            ratings:
              rate-limit: { rate: 0/s, burst: 0 }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.ratings.rate-limit.rate: 0/s (expected: > 0, such as 200/s)",
            "mesh.services.ratings.rate-limit.burst: 0 (expected: > 0)"));
  }

  @Test
  void malformedDurationIsRefused() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          defaults: { timeout: 2 seconds }
        """)).hasMessage("mesh.defaults.timeout: 2 seconds (expected: a duration such as 300ms, 2s, 5m, 1h or PT2S)");
  }

  @Test
  void routeWithoutDestinationIsRefused() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              subsets: { v2: { version: v2 } }
              routes:
                - match: { headers: { end-user: { exact: jason } } }
        """)).hasMessage("mesh.services.reviews.routes[0]: no destination "
            + "(expected: 'to: <subset>', 'split: {<subset>: <weight>, ...}' or "
            + "'destinations: [{service: <name>, subset: <subset>, weight: <n>}, ...]')");
  }

  @Test
  void timeoutsOkHttpWouldRefuseAreRefusedHereNamingTheKey() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          defaults: { timeout: 30d }
          services:
            reviews: { connect-timeout: 1000h }
        """)).hasMessageContaining("mesh.defaults.timeout: 720h (expected: between 1ms and 596h, OkHttp's limit)")
        .hasMessageContaining("mesh.services.reviews.connect-timeout: 1000h (expected: between 1ms and 596h");
  }

  @Test
  void duplicateServiceNamesAreRefusedInYaml() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews: { timeout: 1s }
            reviews: { timeout: 2s }
        """)).hasMessage("mesh.services.reviews: defined twice (expected: each key once in a block)");
  }

  @Test
  void duplicateServiceNamesAreRefusedInTheBuilder() {
    MeshConfig.Builder builder = MeshConfig.builder()
        .service(ServiceConfig.builder("reviews").build())
        .service(ServiceConfig.builder("reviews").build());
    assertThatThrownBy(builder::build)
        .hasMessage("mesh.services.reviews: defined twice (expected: each service name once)");
  }

  /**
   * {@code 10 s} was read as 10 seconds, though the README's durations have no space and Spring Boot's
   * conversion refuses it (the starter's DurationPropertiesTest): refused, saying so, in a plain setting and in a rate's period.
   */
  @Test
  void aSpaceBetweenADurationsNumberAndItsUnitIsRefused() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          defaults: { timeout: 10 s }
          services:
            ratings:
              rate-limit: { rate: 100/10 s }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.defaults.timeout: 10 s (expected: a duration such as 300ms, 2s, 5m, 1h or PT2S, with no space "
                + "between the number and the unit)",
            "mesh.services.ratings.rate-limit.rate: 100/10 s (expected: a rate such as 200/s, 10/ms or 1000/m)"));
  }

  @Test
  void unknownKeysAreRefusedAndEveryProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              retyr: 3
              timeout: soon
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.retyr: unknown key (expected: one of "
                + new java.util.TreeSet<>(MeshKeys.SERVICES.names()) + "; did you mean 'retry'?)",
            "mesh.services.reviews.timeout: soon (expected: a duration such as 300ms, 2s, 5m, 1h or PT2S)"));
  }

  /** A value written where a policy block belongs ({@code rate-limit: 200/s}) is told the block's keys. */
  @Test
  void aValueWhereAPolicyBlockBelongsIsToldTheBlocksKeys() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              rate-limit: 200/s
              tls: true
              routes:
                - { to: { service: reviews }, retry: 3 }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.rate-limit: 200/s (expected: a block of settings with rate, burst, max-wait)",
            "mesh.services.reviews.tls: true (expected: a block of settings with enabled, trust, cert-chain, "
                + "private-key, peer-identity)",
            "mesh.services.reviews.routes[0].retry: 3 (expected: a block of settings with attempts, per-try-timeout, "
                + "deadline, on, backoff, budget, non-idempotent)"));
  }

  /** A misspelt header match kind says which was meant, as every other misspelt key does. */
  @Test
  void aMisspeltHeaderMatchKindSaysWhichWasMeant() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              subsets: { v2: { version: v2 } }
              routes:
                - { match: { headers: { end-user: { exat: jason } } }, to: v2 }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.routes[0].match.headers.end-user.exat: unknown key (expected: one of "
                + "[exact, prefix, regex, present]; did you mean 'exact'?)"));
  }

  @Test
  void invalidRegexNamesItsKey() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              subsets: { v2: { version: v2 } }
              routes:
                - { match: { path: { regex: "/api/(" } }, to: v2 }
        """)).hasMessageStartingWith("mesh.services.reviews.routes[0].match.path.regex: /api/( (expected: an RE2 regular expression (linear time, matched against the whole value); missing closing )");
  }

  @Test
  void aFullConfigurationIsReadWithEveryValue() throws Exception {
    MeshConfig config = yaml("""
        mesh:
          defaults:
            load-balancer: round-robin
            timeout: 2s
            connect-timeout: 250ms
            connection-pool: { max-idle-per-host: 8, max-requests-per-host: 64, keep-alive: 5m }
          services:
            reviews:
              subsets: { v1: { version: v1 }, v2: { version: v2 }, v3: { version: v3 } }
              routes:
                - name: jason
                  match: { headers: { end-user: { exact: jason } }, method: [get, POST], path: { prefix: /api } }
                  to: v2
                - split: { v1: 80, v3: 20 }
              rate-limit: { rate: 200/s, burst: 50, max-wait: 10ms }
              max-concurrent-requests: 512
        """);
    assertThat(config.defaults().loadBalancer().name()).isEqualTo("round-robin");
    assertThat(config.defaults().timeout()).hasSeconds(2);
    assertThat(config.defaults().connectTimeout()).hasMillis(250);
    assertThat(config.defaults().connectionPool()).isEqualTo(
        new ConnectionPoolConfig(8, 64, java.time.Duration.ofMinutes(5)));
    ServiceConfig reviews = config.service("reviews");
    assertThat(reviews.subsets()).containsEntry("v2", Map.of("version", "v2"));
    assertThat(reviews.routes().get(0).name()).isEqualTo("jason");
    assertThat(reviews.routes().get(0).match().methods()).containsExactlyInAnyOrder("GET", "POST");
    assertThat(reviews.routes().get(0).match().headers()).containsEntry("end-user", StringMatch.exact("jason"));
    assertThat(reviews.routes().get(0).match().path()).isEqualTo(StringMatch.prefix("/api"));
    assertThat(reviews.routes().get(1).split()).containsExactly(Map.entry("v1", 80), Map.entry("v3", 20));
    assertThat(reviews.rateLimit()).isEqualTo(new RateLimitConfig(200, java.time.Duration.ofSeconds(1), 50,
        java.time.Duration.ofMillis(10)));
    assertThat(reviews.maxConcurrentRequests()).isEqualTo(512);
  }

  @Test
  void placeholdersAreResolvedFromTheEnvironment() {
    assertThat(MeshConfigLoader.resolve("${TOKEN:none}-${HOST}", name -> name.equals("HOST") ? "h" : null))
        .isEqualTo("none-h");
  }

  @Test
  void springStyleIndexedMapsAreReadAsLists() {
    MeshConfig config = MeshConfig.fromMap(Map.of("mesh", Map.of("services", Map.of("reviews", Map.of(
        "subsets", Map.of("v1", Map.of("version", "v1")),
        "routes", Map.of("0", Map.of("to", "v1")))))));
    assertThat(config.service("reviews").routes()).hasSize(1);
  }

  /**
   * A route's limiter is named after the route: two rate-limited routes of one name shared one bucket (and with
   * different rates, every reload refilled both). Routes without a limit may share a name, as the routes Istio's
   * one http route with several matches becomes do.
   */
  @Test
  void twoRateLimitedRoutesOfOneNameAreRefused() throws Exception {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              routes:
                - { name: api, match: { path: { prefix: /a } }, to: { service: reviews }, rate-limit: { rate: 1/s } }
                - { name: api, match: { path: { prefix: /b } }, to: { service: reviews }, rate-limit: { rate: 1/s } }
                - { name: route-3, to: { service: reviews }, rate-limit: { rate: 5/s } }
                - { to: { service: reviews }, rate-limit: { rate: 5/s } }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.routes[1].name: api (expected: a name no other route with a rate-limit has "
                + "(routes[0] and routes[1] are both 'api'): each route's limiter is named after its route)",
            "mesh.services.reviews.routes[2].name: route-3 (expected: a name no other route with a rate-limit has "
                + "(routes[2] and routes[3] are both 'route-3'): each route's limiter is named after its route)"));
    assertThat(yaml("""
        mesh:
          services:
            reviews:
              routes:
                - { name: api, match: { path: { prefix: /a } }, to: { service: reviews } }
                - { name: api, match: { path: { prefix: /b } }, to: { service: reviews }, rate-limit: { rate: 1/s } }
        """).service("reviews").routes()).hasSize(2);
  }

  /** A route's and a subset's names tag metrics and spans: a line break in one would break a scrape or log line. */
  @Test
  void routeAndSubsetNamesWithLineBreaksAreRefused() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              subsets: { "v1\\n": { version: v1 } }
              routes: [{ name: "r\\r\\n1", to: "v1\\n" }]
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.subsets: v1\\n (expected: non-empty subset names without control characters (CR, "
                + "LF, tab...))",
            "mesh.services.reviews.routes[0].name: r\\r\\n1 (expected: a name without control characters (CR, LF, "
                + "tab...): a route's name tags its metrics and spans)"));
  }
}
