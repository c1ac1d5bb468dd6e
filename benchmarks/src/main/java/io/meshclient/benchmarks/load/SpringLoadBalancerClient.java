package io.meshclient.benchmarks.load;

import io.netty.channel.ChannelOption;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Spring Cloud LoadBalancer as a Boot 4 application uses it: a {@code @LoadBalanced RestClient.Builder},
 * the three backends listed under {@code spring.cloud.discovery.client.simple.instances.backend}, the
 * default (round-robin) balancer with its default (Caffeine) instance cache, calls to {@code
 * http://backend/...} that read the whole body. Only the builder's transport differs between the modes:
 * <ul>
 *   <li>{@code spring-lb}: the JDK {@link HttpClient} (HTTP/1.1), what {@code RestClient.builder()} uses
 *       when no other HTTP library is chosen (Spring Framework 7 has no OkHttp request factory);
 *   <li>{@code spring-lb-hc5}: Apache HttpClient 5 on a {@link PoolingHttpClientConnectionManager} sized
 *       for the load: {@code threads} connections per backend (a closed loop of N threads can have all N
 *       on one backend for a moment), {@code threads x backends} in all; its defaults (5 per route, 25 in
 *       all) would make 8 threads wait for a connection. Keep-alive as the server allows, idle connections
 *       evicted after 60 s, connect timeout 2 s, socket timeout 30 s;
 *   <li>{@code spring-lb-netty}: Reactor Netty under the same blocking {@code RestClient}, through Spring
 *       7's {@link ReactorClientHttpRequestFactory} (what Boot 4 itself picks for a {@code RestClient} when
 *       Reactor Netty is the HTTP library on the class path, as in a WebFlux application), on a named
 *       {@link ConnectionProvider} of {@code threads} connections per backend (Reactor Netty pools per
 *       remote address), idle connections closed after 60 s, connect timeout 2 s, 30 s response timeout.
 * </ul>
 * The {@code RestClient} API, not a {@code WebClient}, in every mode: the harness's callers are blocking
 * threads, and these modes are compared with {@code mesh-restclient}; the reactive path on Reactor Netty
 * is Boot's own {@code WebClient} in {@code mesh-webclient}/{@code webclient-okhttp}.
 */
final class SpringLoadBalancerClient implements LoadClient {
  private final ConfigurableApplicationContext context;
  private final RestClient restClient;
  private final URI uri;

  SpringLoadBalancerClient(Mode mode, List<Integer> ports, int threads, String path) {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("spring.main.web-application-type", "none");
    properties.put("spring.main.banner-mode", "off");
    properties.put("spring.main.log-startup-info", "false");
    properties.put("logging.level.root", "WARN");
    properties.put("mesh.enabled", "false"); // the starter is on the harness's classpath for other modes
    properties.put("benchmark.threads", threads);
    properties.put("benchmark.backends", ports.size());
    for (int i = 0; i < ports.size(); i++) {
      properties.put("spring.cloud.discovery.client.simple.instances.backend[" + i + "].uri",
          "http://127.0.0.1:" + ports.get(i));
    }
    Class<?> transport = switch (mode) {
      case SPRING_LB -> JdkTransport.class;
      case SPRING_LB_HC5 -> HttpComponentsTransport.class;
      case SPRING_LB_NETTY -> ReactorNettyTransport.class;
      default -> throw new IllegalArgumentException("mode: " + mode + " (expected: a spring-lb mode)");
    };
    this.context = new SpringApplicationBuilder(App.class, transport).properties(properties).run();
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

  /** The application: Boot's auto-configuration, Spring Cloud LoadBalancer's included. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  /** {@code spring-lb}: the JDK's HttpClient, HTTP/1.1. */
  @Configuration(proxyBeanMethods = false)
  static class JdkTransport {
    @Bean
    @LoadBalanced
    RestClient.Builder loadBalancedRestClientBuilder() {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      return RestClient.builder().requestFactory(new JdkClientHttpRequestFactory(http));
    }
  }

  /** {@code spring-lb-hc5}: Apache HttpClient 5, pooled and sized for the load threads. */
  @Configuration(proxyBeanMethods = false)
  static class HttpComponentsTransport {
    @Bean(destroyMethod = "close")
    CloseableHttpClient backendHttpClient(@Value("${benchmark.threads}") int threads,
        @Value("${benchmark.backends}") int backends) {
      PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
          .setMaxConnPerRoute(threads)
          .setMaxConnTotal(threads * backends)
          .setDefaultConnectionConfig(ConnectionConfig.custom()
              .setConnectTimeout(Timeout.ofSeconds(2))
              .setSocketTimeout(Timeout.ofSeconds(30))
              .build())
          .build();
      return HttpClients.custom()
          .setConnectionManager(pool)
          .evictIdleConnections(TimeValue.ofSeconds(60))
          .build();
    }

    @Bean
    @LoadBalanced
    RestClient.Builder loadBalancedRestClientBuilder(CloseableHttpClient backendHttpClient) {
      return RestClient.builder().requestFactory(new HttpComponentsClientHttpRequestFactory(backendHttpClient));
    }
  }

  /** {@code spring-lb-netty}: Reactor Netty with a connection pool sized for the load threads. */
  @Configuration(proxyBeanMethods = false)
  static class ReactorNettyTransport {
    @Bean(destroyMethod = "dispose")
    ConnectionProvider backendConnections(@Value("${benchmark.threads}") int threads) {
      return ConnectionProvider.builder("backend")
          .maxConnections(threads)
          .pendingAcquireTimeout(Duration.ofSeconds(5))
          .maxIdleTime(Duration.ofSeconds(60))
          .build();
    }

    @Bean
    @LoadBalanced
    RestClient.Builder loadBalancedRestClientBuilder(ConnectionProvider backendConnections) {
      reactor.netty.http.client.HttpClient http = reactor.netty.http.client.HttpClient.create(backendConnections)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
          .responseTimeout(Duration.ofSeconds(30));
      return RestClient.builder().requestFactory(new ReactorClientHttpRequestFactory(http));
    }
  }
}
