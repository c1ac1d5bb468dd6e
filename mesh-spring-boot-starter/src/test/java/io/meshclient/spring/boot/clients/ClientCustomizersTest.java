package io.meshclient.spring.boot.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.ExchangeFunctions;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * An application's {@code RestClientCustomizer} or {@code WebClientCustomizer} that sets its own request
 * factory or connector, and an application that sets one on Boot's builder itself, keep the mesh: mesh
 * hosts go through the mesh, other hosts through what the application set. An exchange function, which
 * sends without any connector, is refused for mesh hosts with a message that says so. Counted at loopback
 * servers by User-Agent.
 */
@Timeout(60)
class ClientCustomizersTest {
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
    return BootClients.application("mesh.discovery.static.services.reviews[0].url=" + reviews.url());
  }

  private static String get(WebClient client, String url) {
    return client.get().uri(url).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
  }

  private static String get(RestClient client, String url) {
    return client.get().uri(url).retrieve().body(String.class);
  }

  @Test
  void aRestClientCustomizerThatSetsItsOwnRequestFactoryKeepsTheMesh() {
    RestClientCustomizer own = builder -> builder.requestFactory(new SimpleClientHttpRequestFactory());
    application().withBean("ownRequestFactory", RestClientCustomizer.class, () -> own).run(context -> {
      assertThat(context).hasNotFailed();
      RestClient client = context.getBean(RestClient.Builder.class).build();
      assertThat(get(client, "http://reviews/r")).isEqualTo("reviews");
      assertThat(get(client, other.url() + "/o")).isEqualTo("other");
      // and a factory set on Boot's builder by the application itself
      RestClient later = context.getBean(RestClient.Builder.class)
          .requestFactory(new SimpleClientHttpRequestFactory()).build();
      assertThat(get(later, "http://reviews/r")).isEqualTo("reviews");
    });
    assertThat(reviews.userAgents()).hasSize(2).allSatisfy(agent -> assertThat(agent).startsWith("okhttp/"));
    assertThat(other.userAgents()).singleElement().asString().as("HttpURLConnection").startsWith("Java/");
  }

  @Test
  void aWebClientCustomizerThatSetsItsOwnConnectorKeepsTheMesh() {
    WebClientCustomizer own = builder -> builder.clientConnector(new JdkClientHttpConnector());
    application().withBean("ownConnector", WebClientCustomizer.class, () -> own).run(context -> {
      assertThat(context).hasNotFailed();
      WebClient client = context.getBean(WebClient.Builder.class).build();
      assertThat(get(client, "http://reviews/r")).isEqualTo("reviews");
      assertThat(get(client, other.url() + "/o")).isEqualTo("other");
      WebClient later = context.getBean(WebClient.Builder.class).clientConnector(new JdkClientHttpConnector()).build();
      assertThat(get(later, "http://reviews/r")).isEqualTo("reviews");
    });
    assertThat(reviews.userAgents()).hasSize(2).allSatisfy(agent -> assertThat(agent).startsWith("okhttp/"));
    assertThat(other.userAgents()).singleElement().asString().startsWith("Java-http-client/");
  }

  /** An application's customizer class, ordered, that other beans may inject by its class. */
  @Order(Ordered.HIGHEST_PRECEDENCE)
  public static class OwnConnector implements WebClientCustomizer {
    private final List<String> ran = new CopyOnWriteArrayList<>();

    public List<String> ran() {
      return ran;
    }

    @Override
    public void customize(WebClient.Builder builder) {
      ran.add("own");
      builder.clientConnector(new JdkClientHttpConnector());
    }
  }

  @Test
  void aCustomizerKeepsItsTypeAndItsOrderAndItsConnectorKeepsTheMesh() {
    OwnConnector own = new OwnConnector();
    WebClientCustomizer last = builder -> own.ran().add("last");
    application().withBean("ownConnector", OwnConnector.class, () -> own)
        .withBean("last", WebClientCustomizer.class, () -> last).run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(OwnConnector.class).ran()).isEmpty();
          WebClient client = context.getBean(WebClient.Builder.class).build();
          // Boot's own customizer (order 0) sets its ClientHttpConnector bean after this one: still routed
          assertThat(own.ran()).containsExactly("own", "last");
          assertThat(get(client, "http://reviews/r")).isEqualTo("reviews");
          assertThat(get(client, other.url() + "/o")).isEqualTo("other");
        });
    assertThat(reviews.userAgents()).singleElement().asString().startsWith("okhttp/");
    assertThat(other.userAgents()).singleElement().asString().startsWith("ReactorNetty/");
  }

  @Test
  void anExchangeFunctionIsRefusedForMeshHostsAndKeptForOthers() {
    WebClientCustomizer own = builder -> builder.exchangeFunction(ExchangeFunctions.create(new JdkClientHttpConnector()));
    application().withBean("ownExchange", WebClientCustomizer.class, () -> own).run(context -> {
      WebClient client = context.getBean(WebClient.Builder.class).build();
      assertThatThrownBy(() -> get(client, "http://reviews/r"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("GET http://reviews/... refused: 'reviews' is managed by the mesh, but this"
              + " WebClient was given an exchange function (")
          .hasMessageEndingWith("), which sends without the mesh; give it a connector with clientConnector(...)"
              + " instead, which the mesh wraps");
      assertThat(get(client, other.url() + "/o")).isEqualTo("other");
    });
    assertThat(reviews.userAgents()).isEmpty();
    assertThat(other.userAgents()).singleElement().asString().startsWith("Java-http-client/");
  }

  /** An application's customizer whose customize method is final, as some code style checkers ask. */
  public static class FinalCustomize implements RestClientCustomizer {
    private final String agent;

    public FinalCustomize(String agent) {
      this.agent = agent;
    }

    @Override
    public final void customize(RestClient.Builder builder) {
      builder.defaultHeader("X-Agent", agent.toUpperCase(java.util.Locale.ROOT))
          .requestFactory(new SimpleClientHttpRequestFactory());
    }
  }

  @Test
  void aCustomizerWithAFinalCustomizeMethodRunsAsWrittenAndKeepsTheMesh() {
    application().withBean("finalCustomize", FinalCustomize.class, () -> new FinalCustomize("own-agent")).run(context -> {
      assertThat(context).hasNotFailed();
      RestClient client = context.getBean(RestClient.Builder.class).build();
      assertThat(get(client, "http://reviews/r")).isEqualTo("reviews");
      assertThat(get(client, other.url() + "/o")).isEqualTo("other");
    });
    assertThat(reviews.userAgents()).singleElement().asString().startsWith("okhttp/");
    assertThat(other.userAgents()).singleElement().asString().as("HttpURLConnection").startsWith("Java/");
  }
}
