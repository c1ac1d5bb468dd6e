package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.config.MeshConfig;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ByteArrayResource;

/**
 * The starter reads {@code mesh.*} in one pass; the tree must be exactly what Spring's Binder makes of
 * it (blocks as a {@code Map}, lists as a {@code List}), with every kind of source and name Spring
 * applications use.
 */
class MeshConfigBinderTest {

  /**
   * Spring's Binder makes of {@code mesh} bound as a {@code Map<String, Object>} what the mesh reads,
   * but for one intended difference: the map binding merges a list set in two sources element by element
   * (application.yml's route jason would stay, named from-env by an environment variable), where the
   * binding of a typed {@code List}, as Spring Boot documents for lists, takes the list whole from the
   * source with the highest precedence that sets it. The mesh reads lists as a {@code List} is bound.
   */
  @Test
  void theTreeIsWhatSpringsBinderMakesOfTheSameEnvironment() throws Exception {
    // Highest precedence: a list element, a bracketed key with a dot, single overrides, the starter's own key.
    Map<String, Object> overrides = Map.of(
        "mesh.services.reviews.routes[0].split.v3", "80",
        "mesh.services.reviews.routes[0].split.v1", "20",
        "mesh.services[reviews.prod].timeout", "3s",
        "mesh.services.reviews.load-balancer", "random",
        "mesh.enabled", "true");
    // Environment variables, as Spring maps them (MESH_SERVICES_DETAILS_TIMEOUT).
    Map<String, Object> variables = Map.of(
        "MESH_SERVICES_DETAILS_TIMEOUT", "2s",
        "MESH_SERVICES_REVIEWS_ROUTES_0_NAME", "from-env",
        "PATH", "/usr/bin");
    // application.yml: lists, nested maps, typed scalars, a placeholder.
    String yaml = """
        test.v1: http://127.0.0.1:9081
        mesh:
          discovery:
            static:
              services:
                reviews:
                  - { url: "${test.v1}", metadata: { version: v1 }, weight: 2 }
                  - { url: "http://127.0.0.1:9082", metadata: { version: v3 } }
          services:
            reviews:
              load-balancer: round-robin
              subsets: { v1: { version: v1 }, v3: { version: v3 } }
              routes:
                - name: jason
                  match: { headers: { end-user: { exact: jason } } }
                  to: v3
                - split: { v1: 80, v3: 20 }
              retry: { attempts: 3, budget: { percent: 20%, min-per-second: 10 } }
              outlier-detection: { enabled: false }
        """;
    StandardEnvironment environment = environment(overrides, variables, yaml);

    Map<String, Object> ours = MeshConfigBinder.tree(environment);
    Binder binder = Binder.get(environment);
    Map<String, Object> springs = binder.bind("mesh", Bindable.mapOf(String.class, Object.class)).get();
    Map<String, Object> springsReviews = reviews(springs);
    assertThat(springsReviews.get("routes").toString()).as("the map binding merges the list")
        .contains("v3=80", "name=from-env", "jason");
    List<Map<String, Object>> springsRoutes = binder.bind("mesh.services.reviews.routes", Bindable.<List<Map<String,
        Object>>>of(ResolvableType.forClassWithGenerics(List.class, ResolvableType.forClassWithGenerics(Map.class,
            String.class, Object.class)))).get();
    Map<String, Object> indexed = new java.util.LinkedHashMap<>();
    springsRoutes.forEach(route -> indexed.put(String.valueOf(indexed.size()), route));
    springsReviews.put("routes", indexed);

    assertThat(ours).isEqualTo(springs);
    assertThat(ours).extractingByKey("services").asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsKeys("reviews", "reviews.prod", "details");
    // The pieces that make the test mean something: precedence per key, env-var names, placeholders, and
    // the list taken whole from the overrides.
    Map<String, Object> reviews = reviews(ours);
    assertThat(reviews.get("load-balancer")).isEqualTo("random");
    assertThat(reviews.get("routes")).isEqualTo(Map.of("0", Map.of("split", Map.of("v3", "80", "v1", "20"))));
    assertThat(ours.toString()).contains("url=http://127.0.0.1:9081", "weight=2").doesNotContain("PATH");
    assertThat(MeshConfigBinder.bind(environment).services()).containsKeys("reviews", "reviews.prod", "details");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> reviews(Map<String, Object> tree) {
    return (Map<String, Object>) ((Map<String, Object>) tree.get("services")).get("reviews");
  }

  /**
   * What Spring users write beyond the reference's spelling: an environment variable for a dashed key,
   * and {@code on:} in application.yml, which YAML 1.1 reads as the key {@code true}.
   */
  @Test
  void environmentVariablesForDashedKeysAndTheYamlKeyOnAreRead() throws Exception {
    StandardEnvironment environment = environment(Map.of(), Map.of(
        "MESH_SERVICES_REVIEWS_LOADBALANCER", "random",
        "MESH_DEFAULTS_CONNECTTIMEOUT", "2s"),
        """
        mesh:
          discovery.static.services.reviews: [ { url: "http://127.0.0.1:9081" } ]
          services:
            reviews:
              load-balancer: round-robin
              retry: { attempts: 3, on: [connect-failure, 503] }
        """);

    io.meshclient.core.config.MeshConfig config = MeshConfigBinder.bind(environment);
    assertThat(config.service("reviews").loadBalancer().name()).as("the environment variable wins").isEqualTo("random");
    assertThat(config.defaults().connectTimeout()).hasSeconds(2);
    assertThat(config.service("reviews").retry().statuses()).containsExactly(503);
    assertThat(config.service("reviews").retry().attempts()).isEqualTo(3);
  }

  /**
   * A block or a name written one way in application.yml and another in an environment variable is one
   * node, spelled as application.yml spells it, with the environment variable's value. The variable
   * {@code ROUTES_0_SPLIT_V1} replaces the routes list whole, with its split subset spelled {@code V1} as
   * application.yml spells the same name; application.yml's {@code V3} is not kept.
   */
  @Test
  void aBlockOrNameSpelledDifferentlyInTwoSourcesIsOneNode() throws Exception {
    StandardEnvironment environment = environment(Map.of(), Map.of(
        "MESH_SERVICES_REVIEWS_OUTLIERDETECTION_ENABLED", "false",
        "MESH_SERVICES_REVIEWSPROD_TIMEOUT", "5s",
        "MESH_SERVICES_REVIEWS_ROUTES_0_SPLIT_V1", "60"),
        """
        mesh:
          discovery.static.services.reviews: [ { url: "http://127.0.0.1:9081", metadata: { version: v1 } } ]
          services:
            reviews-prod: { timeout: 1s }
            reviews:
              outlier-detection: { consecutive-failures: 7 }
              subsets: { V1: { version: v1 }, V3: { version: v3 } }
              routes:
                - split: { V1: 80, V3: 20 }
        """);

    io.meshclient.core.config.MeshConfig config = MeshConfigBinder.bind(environment);
    assertThat(config.services()).containsOnlyKeys("reviews", "reviews-prod");
    assertThat(config.service("reviews-prod").timeout()).as("the environment variable wins").hasSeconds(5);
    assertThat(config.service("reviews").outlierDetection())
        .isEqualTo(io.meshclient.core.config.ServiceConfig.OUTLIER_DETECTION_OFF);
    assertThat(config.service("reviews").routes().get(0).split()).containsExactly(Map.entry("V1", 60));
  }

  /**
   * One file that spells a block or a service name two ways: Spring reads the two as one name, so one of
   * them was dropped in silence (here the 6/s limit and the 3s timeout). Both are named, as mesh.yaml's
   * reader names a key set twice, with the mesh's own problems in the same report.
   */
  @Test
  void aBlockOrNameSpelledTwoWaysInOneSourceIsRefusedNamingBothSpellings() throws Exception {
    StandardEnvironment environment = environment(Map.of(), Map.of(), """
        mesh:
          discovery.static.services.reviews: [ { url: "http://127.0.0.1:9081" } ]
          services:
            reviews:
              rateLimit: { rate: 5/s }
              rate-limit: { rate: 6/s }
              timeout: fast
            Reviews:
              timeout: 3s
        """);

    assertThatThrownBy(() -> MeshConfigBinder.bind(environment)).isInstanceOf(ConfigurationException.class)
        .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
            "mesh.services.reviews.rate-limit: set twice (expected: one spelling of mesh.services.reviews.rateLimit)",
            "mesh.services.Reviews: set twice (expected: one spelling of mesh.services.reviews)",
            "mesh.services.reviews.timeout: fast (expected: a duration such as 300ms, 2s, 5m, 1h or PT2S)"));
  }

  /** {@code reviews:} with nothing under it is an empty string to Spring: a service with every default. */
  @Test
  void aServiceWrittenWithNothingUnderItInApplicationYmlIsAServiceWithEveryDefault() throws Exception {
    StandardEnvironment environment = environment(Map.of(), Map.of(), """
        mesh:
          discovery.static.services.reviews: [ { url: "http://127.0.0.1:9081" } ]
          services:
            reviews:
            ratings: {}
        """);

    MeshConfig config = MeshConfigBinder.bind(environment);
    assertThat(config.services()).containsKeys("reviews");
    assertThat(config.service("reviews").timeout()).isEqualTo(MeshConfig.fromYaml(
        "mesh: { services: { reviews: {} } }", name -> null).service("reviews").timeout());
  }

  /** Two spellings in two sources stay one block, the higher source's value winning, as Spring reads them. */
  @Test
  void aSpellingInAnotherSourceIsAnOverrideNotADuplicate() throws Exception {
    StandardEnvironment environment = environment(Map.of("mesh.services.reviews.rateLimit.rate", "9/s"), Map.of(), """
        mesh:
          discovery.static.services.reviews: [ { url: "http://127.0.0.1:9081" } ]
          services.reviews.rate-limit: { rate: 5/s, burst: 7 }
        """);

    io.meshclient.core.config.RateLimitConfig limit = MeshConfigBinder.bind(environment).service("reviews").rateLimit();
    assertThat(limit.permits()).isEqualTo(9);
    assertThat(limit.burst()).isEqualTo(7);
  }

  /**
   * Outside brackets Spring drops every character of a name but letters, digits, '-' and '_': a label
   * {@code example/version} was read as {@code exampleversion} and a header {@code end user} as {@code
   * enduser}, in silence, so the subset and the match named what no instance or request carries.
   */
  @Test
  void aNameSpringWouldReadAsAnotherIsRefusedAndTheBracketedFormKeepsIt() throws Exception {
    String expected = " (expected: letters, digits, '-' and '_' in a name outside brackets; write any other "
        + "name in brackets, such as \"[example.com/version]\")";
    StandardEnvironment unbracketed = labelAndHeader("example/version", "end user");
    assertThatThrownBy(() -> MeshConfigBinder.bind(unbracketed)).isInstanceOf(ConfigurationException.class)
        .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
            "mesh.services.reviews.subsets.v1.example/version: read by Spring as 'exampleversion'" + expected,
            "mesh.services.reviews.routes[0].match.headers.end user: read by Spring as 'enduser'" + expected));

    io.meshclient.core.config.ServiceConfig reviews =
        MeshConfigBinder.bind(labelAndHeader("[example/version]", "[x~user]")).service("reviews");
    assertThat(reviews.subsets()).containsExactly(Map.entry("v1", Map.of("example/version", "v1")));
    assertThat(reviews.routes().get(0).match().toString()).contains("x~user=exact:jason");
  }

  /** A subset selecting on the metadata {@code label} and a route matching the header {@code header}, as written. */
  private static StandardEnvironment labelAndHeader(String label, String header) throws java.io.IOException {
    return environment(Map.of(), Map.of(), """
        mesh:
          discovery.static.services.reviews: [ { url: "http://127.0.0.1:9081", metadata: { "[example/version]": v1 } } ]
          services:
            reviews:
              subsets: { v1: { "%s": v1 } }
              routes:
                - match: { headers: { "%s": { exact: jason } } }
                  to: v1
        """.formatted(label, header));
  }

  /**
   * Spring leaves a placeholder that nothing sets in the value as written: the Consul token became the
   * text "${CONSUL_TOKEN_UNSET}" and a url or header match its literal spelling. As in mesh.yaml, it
   * is refused naming the key and the variable, the value redacted at a secret key; a default or a set
   * variable resolves as before.
   */
  @Test
  void aPlaceholderThatNothingSetsIsRefusedNamingTheKeyAndTheVariable() throws Exception {
    StandardEnvironment environment = environment(Map.of(), Map.of("REVIEWS_V1_URL", "http://127.0.0.1:9081"), """
        mesh:
          discovery:
            static.services.reviews: [ { url: "${REVIEWS_V1_URL}" } ]
            consul: { url: "http://127.0.0.1:8500", acl-token: "s3cr3t-${CONSUL_TOKEN_UNSET}" }
          services:
            reviews: { discovery: static, timeout: "${TIMEOUT_UNSET:2s}", connect-timeout: "${CONNECT_TIMEOUT_UNSET}" }
        """);

    assertThatThrownBy(() -> MeshConfigBinder.bind(environment)).isInstanceOf(ConfigurationException.class)
        .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
            "mesh.discovery.consul.acl-token: <redacted> (expected: the property or environment variable "
                + "CONSUL_TOKEN_UNSET to be set, or a default such as ${CONSUL_TOKEN_UNSET:value})",
            "mesh.services.reviews.connect-timeout: ${CONNECT_TIMEOUT_UNSET} (expected: the property or environment "
                + "variable CONNECT_TIMEOUT_UNSET to be set, or a default such as ${CONNECT_TIMEOUT_UNSET:value})"));
  }

  /**
   * An environment of three sources, highest precedence first: {@code overrides}, environment
   * {@code variables} and an application.yml of {@code yaml}; none of the machine's variables or
   * properties.
   */
  private static StandardEnvironment environment(Map<String, Object> overrides, Map<String, Object> variables,
      String yaml) throws java.io.IOException {
    StandardEnvironment environment = new StandardEnvironment();
    var sources = environment.getPropertySources();
    sources.remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
    sources.remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
    sources.addLast(new MapPropertySource("overrides", overrides));
    sources.addLast(new SystemEnvironmentPropertySource("test-systemEnvironment", variables));
    List<PropertySource<?>> loaded = new YamlPropertySourceLoader()
        .load("application.yml", new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8), "application.yml"));
    loaded.forEach(sources::addLast);
    ConfigurationPropertySources.attach(environment);
    return environment;
  }
}
