package io.meshclient.spring.boot.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.client.match.MockRestRequestMatchers.requestTo;
import static org.springframework.test.web.client.response.MockRestResponseCreators.withSuccess;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.MediaType;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.web.client.MockRestServiceServer;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * What the application does with Boot's clients after they are built keeps the mesh: {@code mutate()} of a
 * built {@code RestClient} / {@code WebClient} followed by its own request factory / connector, a {@code
 * RestTemplateBuilder} given its own request factory, and a {@code RestTemplateCustomizer} bean that sets its
 * own. Mesh hosts (a service, its name with DNS's trailing dot) go through the mesh, other hosts through what
 * the application set; counted at loopback servers by User-Agent.
 */
@Timeout(60)
class BuiltClientsTest {
  private Loopback reviews;
  private Loopback other;

  @BeforeEach
  void start() throws Exception {
    reviews = new Loopback("reviews");
    other = new Loopback("other");
  }

  @AfterEach
  void stop() {
    reviews.close();
    other.close();
  }

  private ApplicationContextRunner application() {
    return BootClients.application("mesh.discovery.static.services.reviews[0].url=" + reviews.url())
        .withConfiguration(AutoConfigurations.of(RestTemplateAutoConfiguration.class));
  }

  private static String get(RestClient client, String url) {
    return client.get().uri(url).retrieve().body(String.class);
  }

  private static String get(WebClient client, String url) {
    return client.get().uri(url).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
  }

  @Test
  void aMutatedRestClientGivenItsOwnRequestFactoryKeepsTheMesh() {
    application().run(context -> {
      RestClient built = context.getBean(RestClient.Builder.class).defaultHeader("X-Kept", "yes").build();
      RestClient mutated = built.mutate().requestFactory(new SimpleClientHttpRequestFactory()).build();
      assertThat(get(mutated, "http://reviews/r")).isEqualTo("reviews");
      assertThat(get(mutated, "http://reviews./r")).isEqualTo("reviews");
      assertThat(get(mutated.mutate().build(), "http://reviews/r")).isEqualTo("reviews");
      assertThat(get(mutated, other.url() + "/o")).isEqualTo("other");
    });
    assertThat(reviews.userAgents()).hasSize(3).allSatisfy(agent -> assertThat(agent).startsWith("okhttp/"));
    assertThat(other.userAgents()).singleElement().asString().as("HttpURLConnection").startsWith("Java/");
  }

  @Test
  void aMutatedWebClientGivenItsOwnConnectorKeepsTheMesh() {
    application().run(context -> {
      WebClient built = context.getBean(WebClient.Builder.class).build();
      WebClient mutated = built.mutate().clientConnector(new JdkClientHttpConnector()).build();
      assertThat(get(mutated, "http://reviews/r")).isEqualTo("reviews");
      assertThat(get(mutated, "http://reviews./r")).isEqualTo("reviews");
      assertThat(get(mutated, other.url() + "/o")).isEqualTo("other");
    });
    assertThat(reviews.userAgents()).hasSize(2).allSatisfy(agent -> assertThat(agent).startsWith("okhttp/"));
    assertThat(other.userAgents()).singleElement().asString().startsWith("Java-http-client/");
  }

  @Test
  void aRestTemplateBuilderGivenItsOwnRequestFactoryKeepsTheMesh() {
    application().run(context -> {
      RestTemplate template = context.getBean(RestTemplateBuilder.class)
          .requestFactory(SimpleClientHttpRequestFactory::new).build();
      assertThat(template.getForObject("http://reviews/r", String.class)).isEqualTo("reviews");
      assertThat(template.getForObject(other.url() + "/o", String.class)).isEqualTo("other");
    });
    assertThat(reviews.userAgents()).singleElement().asString().startsWith("okhttp/");
    assertThat(other.userAgents()).singleElement().asString().as("HttpURLConnection").startsWith("Java/");
  }

  @Test
  void aRestTemplateCustomizerThatSetsItsOwnRequestFactoryKeepsTheMesh() {
    RestTemplateCustomizer own = template -> template.setRequestFactory(new SimpleClientHttpRequestFactory());
    application().withBean("ownRequestFactory", RestTemplateCustomizer.class, () -> own).run(context -> {
      RestTemplate template = context.getBean(RestTemplateBuilder.class)
          .additionalInterceptors((request, body, execution) -> {
            request.getHeaders().add("X-Intercepted", "yes");
            return execution.execute(request, body);
          }).build();
      assertThat(template.getForObject("http://reviews/r", String.class)).isEqualTo("reviews");
      assertThat(template.getForObject(other.url() + "/o", String.class)).isEqualTo("other");
    });
    assertThat(reviews.userAgents()).singleElement().asString().startsWith("okhttp/");
    assertThat(other.userAgents()).singleElement().asString().as("HttpURLConnection").startsWith("Java/");
  }

  /** A test's MockRestServiceServer bound to Boot's builder answers every host, mesh hosts among them. */
  @Test
  void aMockRestServiceServerBoundToBootsBuilderAnswersMeshHostsToo() {
    application().run(context -> {
      RestClient.Builder builder = context.getBean(RestClient.Builder.class);
      MockRestServiceServer server = MockRestServiceServer.bindTo(builder).build();
      server.expect(requestTo("http://reviews/r")).andRespond(withSuccess("mocked", MediaType.TEXT_PLAIN));
      assertThat(get(builder.build(), "http://reviews/r")).isEqualTo("mocked");
      server.verify();
    });
    assertThat(reviews.userAgents()).isEmpty();
  }
}
