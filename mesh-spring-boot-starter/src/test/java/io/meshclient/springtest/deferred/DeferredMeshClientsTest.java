package io.meshclient.springtest.deferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.spring.boot.EnableMeshClients;
import io.meshclient.spring.boot.MeshClient;
import io.meshclient.springtest.badclient.BadApp;
import io.meshclient.springtest.badclient.BadApp.BadClient;
import jakarta.annotation.PostConstruct;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.service.annotation.GetExchange;

/**
 * (In a package of its own, so that the other tests' applications do not scan these clients.)
 *
 * <p>{@code @MeshClient} implementations are built off the main thread, yet a client used during start-up
 * works, and an interface Spring cannot implement still fails the start-up, naming the interface.
 */
@Timeout(60)
class DeferredMeshClientsTest {
  private final MockWebServer server = new MockWebServer();

  @MeshClient("echo")
  public interface EchoClient { // public: Spring calls default methods only on accessible interfaces
    @GetExchange("/echo/{word}")
    String echo(@org.springframework.web.bind.annotation.PathVariable String word);

    default String twice(String word) {
      return echo(word) + echo(word);
    }
  }

  /** A second client, built by the same background thread after the first. */
  @MeshClient("echo")
  public interface ShoutClient {
    @GetExchange("/shout/{word}")
    String shout(@org.springframework.web.bind.annotation.PathVariable String word);
  }

  /** Calls its client while the context is still being refreshed. */
  static class EarlyCaller {
    final EchoClient client;
    String answer;

    EarlyCaller(EchoClient client) {
      this.client = client;
    }

    @PostConstruct
    void callDuringStartUp() {
      answer = client.echo("early");
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableMeshClients(clients = EchoClient.class)
  static class GoodApp {
    @Bean
    EarlyCaller earlyCaller(EchoClient client) {
      return new EarlyCaller(client);
    }
  }

  @BeforeEach
  void start() throws Exception {
    server.start(InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private SpringApplicationBuilder app(Class<?> type) {
    return new SpringApplicationBuilder(type).web(WebApplicationType.NONE)
        .properties("spring.config.name=none", "mesh.discovery.static.services.echo[0].url=http://127.0.0.1:" + server.getPort());
  }

  @Test
  void aClientCalledDuringStartUpAndAfterItGoesThroughTheMesh() throws Exception {
    for (int i = 0; i < 4; i++) {
      server.enqueue(new MockResponse.Builder().body("e" + i).build());
    }
    try (ConfigurableApplicationContext context = app(GoodApp.class).run()) {
      assertThat(context.getBean(EarlyCaller.class).answer).isEqualTo("e0");
      EchoClient client = context.getBean(EchoClient.class);
      assertThat(client.twice("x")).as("a default method, through the built client").isEqualTo("e1e2");
      assertThat(client.toString()).isEqualTo("@MeshClient " + EchoClient.class.getName());
      assertThat(client).isEqualTo(client).isNotEqualTo(context.getBean(EarlyCaller.class));
      assertThat(context.getBean(ShoutClient.class).shout("y")).isEqualTo("e3");
    }
    assertThat(server.takeRequest(1, TimeUnit.SECONDS).getTarget()).isEqualTo("/echo/early");
    assertThat(server.takeRequest(1, TimeUnit.SECONDS).getHeaders().get("User-Agent"))
        .as("sent by the mesh's OkHttpClient").startsWith("okhttp/");
  }

  /** With lazy initialisation, a client first asked for after start-up is built by that caller. */
  @Test
  void aLazyClientIsBuiltWhenFirstAskedForAfterStartUp() throws Exception {
    server.enqueue(new MockResponse.Builder().body("late").build());
    try (ConfigurableApplicationContext context = app(GoodApp.class)
        .properties("spring.main.lazy-initialization=true").run()) {
      assertThat(server.getRequestCount()).as("nothing called during start-up").isZero();
      assertThat(context.getBean(ShoutClient.class).shout("z")).isEqualTo("late");
    }
    assertThat(server.takeRequest(1, TimeUnit.SECONDS).getTarget()).isEqualTo("/shout/z");
  }

  @Test
  void anInterfaceSpringCannotImplementFailsTheStartUp() {
    // The failure is asserted here; Boot's "Application run failed" log would print its stack trace.
    assertThatThrownBy(() -> app(BadApp.class).properties("logging.level.org.springframework.boot.SpringApplication=off")
        .run().close())
        .hasStackTraceContaining("@MeshClient " + BadClient.class.getName() + " could not be created")
        .satisfies(e -> assertThat(findCause(e, BeanCreationException.class)).isNotNull());
  }

  private static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
