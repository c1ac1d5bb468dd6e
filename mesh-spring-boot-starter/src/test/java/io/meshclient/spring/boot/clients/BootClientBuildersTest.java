package io.meshclient.spring.boot.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.JdkClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.http.client.reactive.JdkClientHttpConnectorBuilder;
import org.springframework.boot.restclient.autoconfigure.RestClientSsl;
import org.springframework.boot.webclient.autoconfigure.WebClientSsl;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The clients built by Boot's {@code ClientHttpConnectorBuilder} and {@code ClientHttpRequestFactoryBuilder}
 * beans (chosen with {@code spring.http.clients.*}), by their
 * {@code withCustomizer(...)} variants, and by {@code WebClientSsl}/{@code RestClientSsl.fromBundle(...)}
 * send mesh hosts through the mesh and other hosts through the application's client, counted at loopback
 * servers by User-Agent.
 */
@Timeout(60)
class BootClientBuildersTest {
  @TempDir
  Path dir;
  private Loopback reviews;
  private Loopback other;

  @BeforeEach
  void start() throws Exception {
    reviews = new Loopback("reviews");
  }

  @AfterEach
  void stop() {
    reviews.close();
    if (other != null) {
      other.close();
    }
  }

  private static String get(WebClient client, String url) {
    return client.get().uri(url).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
  }

  private static String get(RestClient client, String url) {
    return client.get().uri(url).retrieve().body(String.class);
  }

  @Test
  void connectorsBootsConnectorBuilderBuildsSendMeshHostsThroughTheMesh() throws Exception {
    other = new Loopback("other");
    BootClients.application("mesh.discovery.static.services.reviews[0].url=" + reviews.url(),
        "spring.http.clients.reactive.connector=jdk").run(context -> {
          assertThat(context).hasNotFailed();
          ClientHttpConnectorBuilder<?> builder = context.getBean(ClientHttpConnectorBuilder.class);
          WebClient client = WebClient.builder().clientConnector(builder.build()).build();
          assertThat(get(client, "http://reviews/r")).isEqualTo("reviews");
          assertThat(get(client, other.url() + "/o")).isEqualTo("other");
          // Boot's ClientHttpConnector bean, which its WebClient.Builder uses, is built from the same builder
          assertThat(get(context.getBean(WebClient.Builder.class).build(), "http://reviews/r")).isEqualTo("reviews");
        });
    assertThat(reviews.userAgents()).hasSize(2).allSatisfy(agent -> assertThat(agent).startsWith("okhttp/"));
    assertThat(other.userAgents()).singleElement().asString().startsWith("Java-http-client/");
  }

  @Test
  @SuppressWarnings("unchecked")
  void withCustomizerOnBootsBuildersCustomizesTheApplicationsOwnClientOfItsOwnType() throws Exception {
    other = new Loopback("other");
    List<String> customized = new CopyOnWriteArrayList<>();
    BootClients.application("mesh.discovery.static.services.reviews[0].url=" + reviews.url(),
        "spring.http.clients.imperative.factory=jdk", "spring.http.clients.reactive.connector=jdk").run(context -> {
          ClientHttpRequestFactoryBuilder<ClientHttpRequestFactory> factories =
              context.getBean(ClientHttpRequestFactoryBuilder.class);
          RestClient rest = RestClient.builder().requestFactory(factories.withCustomizer(factory -> {
            ((JdkClientHttpRequestFactory) factory).setReadTimeout(Duration.ofSeconds(5));
            customized.add(factory.getClass().getSimpleName());
          }).build()).build();
          ClientHttpConnectorBuilder<ClientHttpConnector> connectors = context.getBean(ClientHttpConnectorBuilder.class);
          WebClient web = WebClient.builder().clientConnector(connectors.withCustomizers(List.of(connector ->
              customized.add(((JdkClientHttpConnector) connector).getClass().getSimpleName()))).build()).build();

          assertThat(get(rest, "http://reviews/r")).isEqualTo("reviews");
          assertThat(get(rest, other.url() + "/o")).isEqualTo("other");
          // a customizer of the JDK factory is given the JDK factory, not the mesh's routing around it (Boot
          // would skip it silently: it drops a customizer that throws ClassCastException)
          assertThat(customized).containsExactly("JdkClientHttpRequestFactory");
          assertThat(get(web, "http://reviews/r")).isEqualTo("reviews");
          assertThat(get(web, other.url() + "/o")).isEqualTo("other");
        });
    assertThat(customized).containsExactly("JdkClientHttpRequestFactory", "JdkClientHttpConnector");
    assertThat(reviews.userAgents()).hasSize(2).allSatisfy(agent -> assertThat(agent).startsWith("okhttp/"));
    assertThat(other.userAgents()).hasSize(2).allSatisfy(agent -> assertThat(agent).startsWith("Java-http-client/"));
  }

  @Test
  void bootsBuilderCustomizerBeansConfigureTheConcreteBuildersAndTheMeshStays() throws Exception {
    other = new Loopback("other");
    List<String> customized = new CopyOnWriteArrayList<>();
    ClientHttpRequestFactoryBuilderCustomizer<JdkClientHttpRequestFactoryBuilder> factories = builder ->
        builder.withHttpClientCustomizer(client -> customized.add("factory's HttpClient"));
    ClientHttpConnectorBuilderCustomizer<JdkClientHttpConnectorBuilder> connectors = builder ->
        builder.withHttpClientCustomizer(client -> customized.add("connector's HttpClient"));
    BootClients.application("mesh.discovery.static.services.reviews[0].url=" + reviews.url(),
            "spring.http.clients.imperative.factory=jdk", "spring.http.clients.reactive.connector=jdk")
        .withBean(ClientHttpRequestFactoryBuilderCustomizer.class, () -> factories)
        .withBean(ClientHttpConnectorBuilderCustomizer.class, () -> connectors)
        .run(context -> {
          assertThat(context).hasNotFailed();
          RestClient rest = context.getBean(RestClient.Builder.class).build();
          WebClient web = context.getBean(WebClient.Builder.class).build();
          assertThat(get(rest, "http://reviews/r")).isEqualTo("reviews");
          assertThat(get(rest, other.url() + "/o")).isEqualTo("other");
          assertThat(get(web, "http://reviews/r")).isEqualTo("reviews");
          assertThat(get(web, other.url() + "/o")).isEqualTo("other");
        });
    assertThat(customized).contains("factory's HttpClient", "connector's HttpClient");
    assertThat(reviews.userAgents()).hasSize(2).allSatisfy(agent -> assertThat(agent).startsWith("okhttp/"));
    assertThat(other.userAgents()).hasSize(2).allSatisfy(agent -> assertThat(agent).startsWith("Java-http-client/"));
  }

  @Test
  void anSslBundleAppliedToBootsBuildersKeepsTheMeshForMeshHosts() throws Exception {
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).build();
    HeldCertificate server = new HeldCertificate.Builder().signedBy(ca).addSubjectAlternativeName("localhost").build();
    other = new Loopback("tls", new HandshakeCertificates.Builder().heldCertificate(server).build().sslSocketFactory());
    Path caPem = Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());
    String tlsUrl = "https://localhost:" + other.port() + "/o";
    BootClients.application("mesh.discovery.static.services.reviews[0].url=" + reviews.url(),
        "spring.ssl.bundle.pem.peer.truststore.certificate=file:" + caPem).run(context -> {
          assertThat(context).hasNotFailed();
          WebClient web = context.getBean(WebClient.Builder.class)
              .apply(context.getBean(WebClientSsl.class).fromBundle("peer")).build();
          assertThat(get(web, "http://reviews/r")).isEqualTo("reviews");
          assertThat(get(web, tlsUrl)).as("the bundle's trust, for other hosts").isEqualTo("tls");
          RestClient rest = context.getBean(RestClient.Builder.class)
              .apply(context.getBean(RestClientSsl.class).fromBundle("peer")).build();
          assertThat(get(rest, "http://reviews/r")).isEqualTo("reviews");
          assertThat(get(rest, tlsUrl)).isEqualTo("tls");
        });
    assertThat(reviews.userAgents()).hasSize(2).allSatisfy(agent -> assertThat(agent).startsWith("okhttp/"));
    assertThat(other.userAgents()).hasSize(2).noneSatisfy(agent -> assertThat(agent).startsWith("okhttp/"));
  }
}
