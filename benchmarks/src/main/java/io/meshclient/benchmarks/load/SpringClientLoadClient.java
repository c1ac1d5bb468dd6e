package io.meshclient.benchmarks.load;

import io.meshclient.spring.boot.MeshClient;
import io.meshclient.spring.boot.client.MeshClientHttpConnector;
import io.meshclient.spring.boot.client.MeshClientHttpRequestFactory;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.service.annotation.GetExchange;

/**
 * The Spring user's path, in a Boot 4 application with the starter (issue 15), and its plain twins:
 * <ul>
 *   <li>{@code mesh-restclient}: a {@code @MeshClient} interface over Boot's RestClient on the mesh;
 *   <li>{@code restclient-okhttp}: Boot's RestClient on the starter's OkHttp request factory over a plain
 *       OkHttpClient (Spring 7 has no OkHttp factory), client-side round-robin;
 *   <li>{@code mesh-webclient}: Boot's {@code WebClient.Builder} calling {@code http://backend/...}
 *       (routed to the mesh's connector);
 *   <li>{@code webclient-okhttp}: the same WebClient on the same connector over a plain OkHttpClient.
 * </ul>
 * Every call reads the whole body as bytes. The plain twins run with {@code mesh.enabled=false}.
 */
final class SpringClientLoadClient implements LoadClient {
  private final Mode mode;
  private final ConfigurableApplicationContext context;
  private final OkHttpClient plain;
  private final URI[] uris;
  private final BackendClient meshClient;
  private final RestClient restClient;
  private final WebClient webClient;

  SpringClientLoadClient(Mode mode, List<Integer> ports, int threads, String path) {
    this.mode = mode;
    boolean meshMode = mode == Mode.MESH_RESTCLIENT || mode == Mode.MESH_WEBCLIENT;
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("spring.main.web-application-type", "none");
    properties.put("spring.main.banner-mode", "off");
    properties.put("spring.main.log-startup-info", "false");
    properties.put("logging.level.root", "WARN");
    properties.put("mesh.enabled", Boolean.toString(meshMode));
    for (int i = 0; i < ports.size(); i++) {
      properties.put("mesh.discovery.static.services." + MeshLoadClient.SERVICE + "[" + i + "].url",
          "http://127.0.0.1:" + ports.get(i));
    }
    properties.put("mesh.services." + MeshLoadClient.SERVICE + ".load-balancer", "least-request");
    properties.put("mesh.defaults.connection-pool.max-idle-per-host", Integer.toString(threads));
    this.context = new SpringApplicationBuilder(App.class).properties(properties).run();
    this.plain = meshMode ? null : new OkHttpClient.Builder()
        .connectionPool(new ConnectionPool(threads * ports.size(), 5, TimeUnit.MINUTES)).build();
    this.uris = meshMode ? new URI[] {URI.create("http://" + MeshLoadClient.SERVICE + path)}
        : ports.stream().map(p -> URI.create("http://127.0.0.1:" + p + path)).toArray(URI[]::new);
    this.meshClient = mode == Mode.MESH_RESTCLIENT ? context.getBean(BackendClient.class) : null;
    this.restClient = mode == Mode.RESTCLIENT_OKHTTP ? context.getBean(RestClient.Builder.class)
        .requestFactory(new MeshClientHttpRequestFactory(plain)).build() : null;
    WebClient.Builder web = mode == Mode.MESH_WEBCLIENT || mode == Mode.WEBCLIENT_OKHTTP
        ? context.getBean(WebClient.Builder.class) : null;
    this.webClient = web == null ? null
        : mode == Mode.WEBCLIENT_OKHTTP ? web.clientConnector(new MeshClientHttpConnector(plain)).build() : web.build();
  }

  @Override
  public boolean call(int thread, long seq) {
    URI uri = uris[(int) ((thread + seq) % uris.length)];
    byte[] body = switch (mode) {
      case MESH_RESTCLIENT -> meshClient.get(uri);
      case RESTCLIENT_OKHTTP -> restClient.get().uri(uri).retrieve().body(byte[].class);
      default -> webClient.get().uri(uri).retrieve().bodyToMono(byte[].class).block(Duration.ofSeconds(30));
    };
    return body != null; // a non-2xx status throws
  }

  @Override
  public Map<String, Object> afterRun(long calls) {
    return plain == null ? Map.of() : Map.of("connections", plain.connectionPool().connectionCount());
  }

  @Override
  public void close() {
    context.close();
    if (plain != null) {
      plain.dispatcher().executorService().shutdown();
      plain.connectionPool().evictAll();
    }
  }

  /** The backend as a {@code @MeshClient}: the URI argument carries the path ({@code http://backend/...}). */
  @MeshClient(MeshLoadClient.SERVICE)
  interface BackendClient {
    @GetExchange
    byte[] get(URI uri);
  }

  /** Boot's auto-configuration (the starter's included); the @MeshClient is found in this package. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}
}
