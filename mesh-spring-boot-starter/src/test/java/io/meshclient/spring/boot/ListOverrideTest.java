package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.RouteConfig.Match;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * A list under {@code mesh.*} set in more than one place is replaced whole, as Spring Boot documents
 * ("Merging Complex Types") and binds a typed {@code List}: a profile's routes replace application.yml's
 * instead of overriding them element by element, which left application.yml's other routes live. Each
 * case starts a real application (config files in a directory, a profile, system properties or
 * environment variables) and checks the mesh's reading against Spring's Binder binding the same list as
 * a typed {@code List}.
 */
class ListOverrideTest {

  /** application.yml: two instances, two subsets and two routes, the first matching a header. */
  private static final String APPLICATION_YML = """
      mesh:
        discovery.static.services.reviews:
          - { url: "http://127.0.0.1:9081", metadata: { version: v1 } }
          - { url: "http://127.0.0.1:9083", metadata: { version: v3 } }
        services:
          reviews:
            subsets: { v1: { version: v1 }, v3: { version: v3 } }
            retry: { attempts: 2, "on": [connect-failure, 503] }
            routes:
              - name: jason
                match: { headers: { end-user: { exact: jason } } }
                to: v3
              - name: everyone
                to: v1
      """;

  @TempDir
  Path config;

  /** A typed list of blocks, as a {@code @ConfigurationProperties} record's {@code List<Map<String, Object>>}. */
  private static final Bindable<List<Map<String, Object>>> BLOCKS = Bindable.of(ResolvableType.forClassWithGenerics(
      List.class, ResolvableType.forClassWithGenerics(Map.class, String.class, Object.class)));

  @SpringBootConfiguration
  static class App {}

  @Test
  void aProfileReplacesTheWholeRoutesListAndNoBlockOfALowerSourcesRouteLeaksIn() throws IOException {
    String prod = """
        mesh.services.reviews.routes:
          - name: canary
            match: { headers: { x-canary: { exact: "yes" } } }
            to: v3
        """;
    try (ConfigurableApplicationContext context = run(prod, new StandardEnvironment())) {
      List<RouteConfig> routes = MeshConfigBinder.bind(context.getEnvironment()).service("reviews").routes();

      assertThat(routes).extracting(RouteConfig::name).containsExactly("canary");
      assertThat(routes.get(0).match().headers()).as("not also end-user: jason").containsOnlyKeys("x-canary");
      assertThat(springs(context, "mesh.services.reviews.routes")).containsExactly(Map.of("name", "canary",
          "match", Map.of("headers", Map.of("x-canary", Map.of("exact", "yes"))), "to", "v3"));
    }
  }

  /** Spring binds {@code routes[0].to} from a system property as a list of that one route: so does the mesh. */
  @Test
  void aSystemPropertySettingOneElementReplacesTheWholeList() throws IOException {
    System.setProperty("mesh.services.reviews.routes[0].to", "v1");
    try (ConfigurableApplicationContext context = run("", new StandardEnvironment())) {
      List<RouteConfig> routes = MeshConfigBinder.bind(context.getEnvironment()).service("reviews").routes();

      assertThat(routes).hasSize(1);
      assertThat(routes.get(0).name()).as("no name, not jason").isNull();
      assertThat(routes.get(0).match()).as("not the header match of application.yml's jason").isEqualTo(Match.ANY);
      assertThat(routes.get(0).destinations()).containsExactly(new RouteConfig.Destination(null, "v1", 1));
      assertThat(springs(context, "mesh.services.reviews.routes")).containsExactly(Map.of("to", "v1"));
    } finally {
      System.clearProperty("mesh.services.reviews.routes[0].to");
    }
  }

  /**
   * A dotted index, {@code routes.0.to}, is an index to Spring's Binder as {@code routes[0].to} is: the
   * list is that one route. The mesh read it as a name, so application.yml's second route (everyone to
   * v1) stayed live under the system property's.
   */
  @Test
  void aDottedIndexReplacesTheWholeListAsABracketedOneDoes() throws IOException {
    System.setProperty("mesh.services.reviews.routes.0.to", "v3");
    System.setProperty("mesh.services.reviews.retry.on.0", "504");
    try (ConfigurableApplicationContext context = run("", new StandardEnvironment())) {
      io.meshclient.core.config.ServiceConfig reviews = MeshConfigBinder.bind(context.getEnvironment()).service(
          "reviews");

      assertThat(reviews.routes()).hasSize(1);
      assertThat(reviews.routes().get(0).match()).isEqualTo(Match.ANY);
      assertThat(reviews.routes().get(0).destinations()).containsExactly(new RouteConfig.Destination(null, "v3", 1));
      assertThat(reviews.retry().statuses()).containsExactly(504);
      assertThat(reviews.retry().on()).as("not application.yml's connect-failure").isEmpty();
      assertThat(springs(context, "mesh.services.reviews.routes")).containsExactly(Map.of("to", "v3"));
      assertThat(Binder.get(context.getEnvironment()).bind("mesh.services.reviews.retry.on",
          Bindable.listOf(String.class)).get()).containsExactly("504");
    } finally {
      System.clearProperty("mesh.services.reviews.routes.0.to");
      System.clearProperty("mesh.services.reviews.retry.on.0");
    }
  }

  /**
   * Where the schema has free names, a number is a name, not an index: a subset {@code 2} set by a system
   * property merges with application.yml's subsets, as Spring merges a map, and nothing is refused as a
   * list with a gap.
   */
  @Test
  void aNumberWhereTheSchemaHasNamesStaysAName() throws IOException {
    System.setProperty("mesh.services.reviews.subsets.2.version", "v3");
    try (ConfigurableApplicationContext context = run("", new StandardEnvironment())) {
      io.meshclient.core.config.ServiceConfig reviews = MeshConfigBinder.bind(context.getEnvironment()).service(
          "reviews");

      assertThat(reviews.subsets()).containsOnlyKeys("v1", "v3", "2");
      assertThat(Binder.get(context.getEnvironment()).bind("mesh.services.reviews.subsets",
          Bindable.mapOf(String.class, Object.class)).get()).containsOnlyKeys("v1", "v3", "2");
    } finally {
      System.clearProperty("mesh.services.reviews.subsets.2.version");
    }
  }

  /**
   * {@code routes[1].split.v3=80} alone, meant to change application.yml's second route, would be a list
   * of one route sending everything to v3. Spring refuses it for a typed list (the element is left
   * unbound); the mesh refuses it naming the key and the missing element.
   */
  @Test
  void aSystemPropertySettingOnlyTheSecondElementIsRefusedAsSpringRefusesIt() throws IOException {
    System.setProperty("mesh.services.reviews.routes[1].split.v3", "80");
    try (ConfigurableApplicationContext context = run("", new StandardEnvironment())) {
      assertThatThrownBy(() -> springs(context, "mesh.services.reviews.routes"))
          .hasRootCauseInstanceOf(UnboundConfigurationPropertiesException.class);
      assertThatThrownBy(() -> MeshConfigBinder.bind(context.getEnvironment()))
          .isInstanceOf(ConfigurationException.class)
          .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
              "mesh.services.reviews.routes[1]: set without mesh.services.reviews.routes[0] (expected: the "
                  + "list's elements from [0] on, in the property source that sets it: a list set in two "
                  + "sources is the higher one's, whole, not merged)"));
    } finally {
      System.clearProperty("mesh.services.reviews.routes[1].split.v3");
    }
  }

  /**
   * Environment variables: {@code ROUTES_0_TO} replaces the routes as an indexed property does, and a
   * list set as one value ({@code RETRY_ON=504}) replaces application.yml's list too.
   */
  @Test
  void environmentVariablesReplaceWholeListsIndexedOrAsOneValue() throws IOException {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
        new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            Map.of("MESH_SERVICES_REVIEWS_ROUTES_0_TO", "v3", "MESH_SERVICES_REVIEWS_RETRY_ON", "504")));
    try (ConfigurableApplicationContext context = run("", environment)) {
      io.meshclient.core.config.ServiceConfig reviews = MeshConfigBinder.bind(context.getEnvironment()).service(
          "reviews");

      assertThat(reviews.routes()).hasSize(1);
      assertThat(reviews.routes().get(0).match()).isEqualTo(Match.ANY);
      assertThat(reviews.routes().get(0).destinations()).containsExactly(new RouteConfig.Destination(null, "v3", 1));
      assertThat(reviews.retry().statuses()).containsExactly(504);
      assertThat(reviews.retry().on()).isEmpty();
      assertThat(reviews.retry().attempts()).as("the block merges key by key").isEqualTo(2);
      assertThat(springs(context, "mesh.services.reviews.routes")).containsExactly(Map.of("to", "v3"));
      assertThat(Binder.get(context.getEnvironment()).bind("mesh.services.reviews.retry.on",
          Bindable.listOf(String.class)).get()).containsExactly("504");
    }
  }

  /** A comma-separated value is a list of its items, as Spring binds it into a {@code List<String>}. */
  @Test
  void aCommaSeparatedEnvironmentVariableIsAListAsSpringBindsIt() throws IOException {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
        new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            Map.of("MESH_SERVICES_REVIEWS_RETRY_ON", "503,504, reset")));
    try (ConfigurableApplicationContext context = run("", environment)) {
      io.meshclient.core.config.RetryConfig retry = MeshConfigBinder.bind(context.getEnvironment()).service(
          "reviews").retry();

      assertThat(retry.statuses()).containsExactlyInAnyOrder(503, 504);
      assertThat(retry.on()).containsExactly(io.meshclient.core.config.RetryConfig.Condition.RESET);
      assertThat(Binder.get(context.getEnvironment()).bind("mesh.services.reviews.retry.on",
          Bindable.listOf(String.class)).get()).containsExactly("503", "504", "reset");
    }
  }

  /** {@code routes: []} in a profile: Spring binds an empty list (application.yml's routes gone), and so does the mesh. */
  @Test
  void anEmptyListInAProfileLeavesNoRoutes() throws IOException {
    try (ConfigurableApplicationContext context = run("mesh.services.reviews.routes: []\n", new StandardEnvironment())) {
      assertThat(MeshConfigBinder.bind(context.getEnvironment()).service("reviews").routes()).isEmpty();
      assertThat(springs(context, "mesh.services.reviews.routes")).isEmpty();
    }
  }

  /**
   * A profile that replaces the instance list and sets a block's other keys: application.yml's routes,
   * which the profile does not set, are kept whole.
   */
  @Test
  void aListThatOnlyApplicationYmlSetsIsKeptWhenAProfileSetsOtherKeysAndLists() throws IOException {
    String prod = """
        mesh:
          discovery.static.services.reviews: [ { url: "http://127.0.0.1:9084", metadata: { version: v3 } } ]
          services.reviews.timeout: 2s
        """;
    try (ConfigurableApplicationContext context = run(prod, new StandardEnvironment())) {
      MeshConfig mesh = MeshConfigBinder.bind(context.getEnvironment());

      assertThat(mesh.service("reviews").routes()).extracting(RouteConfig::name).containsExactly("jason", "everyone");
      assertThat(mesh.service("reviews").routes().get(0).match().headers()).containsOnlyKeys("end-user");
      assertThat(mesh.service("reviews").timeout()).hasSeconds(2);
      assertThat(mesh.discovery().get("static").toString()).contains("127.0.0.1:9084").doesNotContain("9081", "9083");
      assertThat(springs(context, "mesh.discovery.static.services.reviews")).containsExactly(
          Map.of("url", "http://127.0.0.1:9084", "metadata", Map.of("version", "v3")));
      assertThat(springs(context, "mesh.services.reviews.routes")).extracting(route -> route.get("name"))
          .containsExactly("jason", "everyone");
    }
  }

  /**
   * Spring's own binding of the list {@code name} as a typed {@code List}, as it binds one in a {@code
   * ConfigurationProperties} record (a record here would also make the test build's configuration metadata).
   */
  private static List<Map<String, Object>> springs(ConfigurableApplicationContext context, String name) {
    return Binder.get(context.getEnvironment()).bind(name, BLOCKS).get();
  }

  /** Starts {@link App} with application.yml and, under the active profile prod, application-prod.yml of {@code prod}. */
  private ConfigurableApplicationContext run(String prod, StandardEnvironment environment) throws IOException {
    Files.writeString(config.resolve("application.yml"), APPLICATION_YML);
    Files.writeString(config.resolve("application-prod.yml"), prod);
    return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).environment(environment)
        .properties("spring.config.location=file:" + config + "/", "spring.profiles.active=prod").run();
  }
}
