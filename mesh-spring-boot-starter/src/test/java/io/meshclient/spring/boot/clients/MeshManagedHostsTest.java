package io.meshclient.spring.boot.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.UnknownServiceException;
import io.meshclient.discovery.staticlist.StaticServiceDiscovery;
import io.meshclient.spring.boot.autoconfigure.MeshBuilderCustomizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Boot's {@code WebClient.Builder} and {@code RestClient.Builder} send every host the mesh manages through
 * the mesh, not only the names under {@code mesh.services}: a service's Istio cluster name
 * ({@code reviews.default.svc.cluster.local}), a service only a discovery lists, and a mistyped service,
 * which the mesh refuses instead of letting the application's client resolve it. Counted at a loopback
 * backend by User-Agent (the mesh's OkHttp client, or the application's own).
 */
@Timeout(60)
class MeshManagedHostsTest {
  static final String CLUSTER_NAME = "reviews.default.svc.cluster.local";

  @TempDir
  Path dir;
  private Loopback reviews;
  private Loopback ratings;

  @BeforeEach
  void start() throws Exception {
    reviews = new Loopback("reviews");
    ratings = new Loopback("ratings");
  }

  @AfterEach
  void stop() {
    reviews.close();
    ratings.close();
  }

  private ApplicationContextRunner application() throws Exception {
    Path istio = dir.resolve("istio.yaml");
    Files.writeString(istio, """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews }
        spec:
          host: reviews
        """);
    // "ratings" is listed by a discovery the application supplies, and named nowhere in the properties
    MeshBuilderCustomizer registry = builder -> builder.discovery("registry",
        StaticServiceDiscovery.builder().instance("ratings", ratings.url()).build());
    return BootClients.application("mesh.discovery.static.services.reviews[0].url=" + reviews.url(),
            "mesh.istio.files=" + istio)
        .withBean(MeshBuilderCustomizer.class, () -> registry);
  }

  @Test
  void bootsWebClientBuilderSendsClusterNamesAndDiscoveredServicesThroughTheMesh() throws Exception {
    application().run(context -> {
      assertThat(context).hasNotFailed();
      WebClient client = context.getBean(WebClient.Builder.class).build();
      for (String url : new String[] {"http://" + CLUSTER_NAME + ":9080/r", "http://reviews.default/r"}) {
        assertThat(client.get().uri(url).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10)))
            .as(url).isEqualTo("reviews");
      }
      assertThat(client.get().uri("http://ratings/r").retrieve().bodyToMono(String.class)
          .block(Duration.ofSeconds(10))).isEqualTo("ratings");
    });
    assertThat(reviews.userAgents()).hasSize(2).allSatisfy(agent -> assertThat(agent).startsWith("okhttp/"));
    assertThat(ratings.userAgents()).hasSize(1).allSatisfy(agent -> assertThat(agent).startsWith("okhttp/"));
  }

  @Test
  void bootsWebClientBuilderRefusesAMistypedServiceInsteadOfResolvingIt() throws Exception {
    application().run(context -> {
      WebClient client = context.getBean(WebClient.Builder.class).build();
      assertThatThrownBy(() -> client.get().uri("http://reviewz/r").retrieve().bodyToMono(String.class)
              .block(Duration.ofSeconds(10)))
          .rootCause().isInstanceOf(UnknownServiceException.class)
          .hasMessageStartingWith("GET http://reviewz/... refused: 'reviewz' is not a mesh service");
      assertThatThrownBy(() -> client.get().uri("http://details.default.svc.cluster.local/r").retrieve()
              .bodyToMono(String.class).block(Duration.ofSeconds(10)))
          .rootCause().isInstanceOf(UnknownServiceException.class)
          .hasMessageContaining("'details.default.svc.cluster.local' is not a mesh service");
    });
  }

  @Test
  void bootsRestClientBuilderSendsClusterNamesThroughTheMesh() throws Exception {
    application().run(context -> {
      RestClient client = context.getBean(RestClient.Builder.class).build();
      assertThat(client.get().uri("http://" + CLUSTER_NAME + "/r").retrieve().body(String.class)).isEqualTo("reviews");
      assertThat(client.get().uri(reviews.url() + "/direct").retrieve().body(String.class)).isEqualTo("reviews");
    });
    assertThat(reviews.userAgents()).hasSize(2);
    assertThat(reviews.userAgents().get(0)).startsWith("okhttp/");
    assertThat(reviews.userAgents().get(1)).as("another host: the application's factory").doesNotStartWith("okhttp/");
  }

  /** java.net.URI gives no host for a name with '_' (getHost() is null): the mesh still judges it. */
  @Test
  void aSingleLabelNameWithAnUnderscoreIsRefusedByTheMeshInsteadOfResolved() throws Exception {
    application().run(context -> {
      RestClient rest = context.getBean(RestClient.Builder.class)
          .requestFactory(new SimpleClientHttpRequestFactory()).build();
      assertThatThrownBy(() -> rest.get().uri("http://review_s/r").retrieve().body(String.class))
          .rootCause().isInstanceOf(UnknownServiceException.class)
          .hasMessageStartingWith("GET http://review_s/... refused: 'review_s' is not a mesh service");
      WebClient web = context.getBean(WebClient.Builder.class).build();
      assertThatThrownBy(() -> web.get().uri("http://review_s/r").retrieve().bodyToMono(String.class)
              .block(Duration.ofSeconds(10)))
          .rootCause().isInstanceOf(UnknownServiceException.class)
          .hasMessageStartingWith("GET http://review_s/... refused: 'review_s' is not a mesh service");
    });
  }
}
