package io.meshclient.benchmarks.load;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * Spring Cloud LoadBalancer as a Boot 4 application uses it: a {@code @LoadBalanced RestClient.Builder},
 * the three backends listed under {@code spring.cloud.discovery.client.simple.instances.backend}, the
 * default (round-robin) balancer with its default instance cache, calls to {@code http://backend/...}.
 * The transport is the JDK {@link HttpClient} (HTTP/1.1), what {@code RestClient} uses when no other
 * HTTP library is chosen: Spring Framework 7 has no OkHttp request factory.
 */
final class SpringLoadBalancerClient implements LoadClient {
  private final ConfigurableApplicationContext context;
  private final RestClient restClient;
  private final URI uri;

  SpringLoadBalancerClient(List<Integer> ports, String path) {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("spring.main.web-application-type", "none");
    properties.put("spring.main.banner-mode", "off");
    properties.put("spring.main.log-startup-info", "false");
    properties.put("logging.level.root", "WARN");
    properties.put("mesh.enabled", "false"); // the starter is on the harness's classpath for other modes
    for (int i = 0; i < ports.size(); i++) {
      properties.put("spring.cloud.discovery.client.simple.instances.backend[" + i + "].uri",
          "http://127.0.0.1:" + ports.get(i));
    }
    this.context = new SpringApplicationBuilder(App.class).properties(properties).run();
    this.restClient = context.getBean("loadBalancedRestClientBuilder", RestClient.Builder.class).build();
    this.uri = URI.create("http://backend" + path);
  }

  @Override
  public boolean call(int thread, long seq) {
    Boolean ok = restClient.get().uri(uri).exchange((request, response) -> {
      response.getBody().transferTo(OutputStream.nullOutputStream());
      return response.getStatusCode().value() == 200;
    });
    return Boolean.TRUE.equals(ok);
  }

  @Override
  public void close() {
    context.close();
  }

  /** The application: Boot's auto-configuration (Spring Cloud LoadBalancer's included) plus one builder. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    @LoadBalanced
    RestClient.Builder loadBalancedRestClientBuilder() {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      return RestClient.builder().requestFactory(new JdkClientHttpRequestFactory(http));
    }
  }
}
