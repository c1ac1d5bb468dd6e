package io.meshclient.springtest.child;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Mesh;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * (In a package of its own, so that no other test's application scans it.)
 *
 * <p>A child context (SpringApplicationBuilder.child, as Spring Cloud makes them) under an application with
 * the mesh: the mesh is the parent's, and the client beans the child defines itself (a {@code
 * ClientHttpConnector}, a {@code ClientHttpRequestFactoryBuilder}) route mesh hosts through it as the
 * parent's do. The starter's bean post-processors belong to each context: the parent's do not
 * process the child's beans, so the child needs its own.
 */
@Timeout(60)
class ChildContextTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Parent {}

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Child {
    @Bean
    ClientHttpRequestFactoryBuilder<?> childRequestFactoryBuilder() {
      return ClientHttpRequestFactoryBuilder.jdk();
    }

    @Bean
    ClientHttpConnector childConnector() {
      return new JdkClientHttpConnector();
    }
  }

  @Test
  void theClientBeansOfAChildContextGoThroughTheParentsMesh() throws Exception {
    try (MockWebServer echo = new MockWebServer()) {
      echo.start(InetAddress.getLoopbackAddress(), 0);
      echo.enqueue(new MockResponse.Builder().body("blocking").build());
      echo.enqueue(new MockResponse.Builder().body("reactive").build());
      try (ConfigurableApplicationContext child = new SpringApplicationBuilder(Parent.class)
          .web(WebApplicationType.NONE)
          .properties("spring.config.name=none",
              "mesh.discovery.static.services.echo[0].url=http://127.0.0.1:" + echo.getPort())
          .child(Child.class).web(WebApplicationType.NONE).run()) {
        assertThat(child.getBeansOfType(Mesh.class)).as("the child's own").isEmpty();
        RestClient restClient = RestClient.builder()
            .requestFactory(child.getBean("childRequestFactoryBuilder", ClientHttpRequestFactoryBuilder.class).build())
            .build();
        assertThat(restClient.get().uri("http://echo/b").retrieve().body(String.class)).isEqualTo("blocking");
        WebClient webClient = WebClient.builder()
            .clientConnector(child.getBean("childConnector", ClientHttpConnector.class)).build();
        assertThat(webClient.get().uri("http://echo/r").retrieve().bodyToMono(String.class)
            .block(Duration.ofSeconds(10))).isEqualTo("reactive");
        ((ConfigurableApplicationContext) child.getParent()).close();
      }
      assertThat(echo.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("User-Agent")).startsWith("okhttp/");
      assertThat(echo.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("User-Agent")).startsWith("okhttp/");
    }
  }
}
