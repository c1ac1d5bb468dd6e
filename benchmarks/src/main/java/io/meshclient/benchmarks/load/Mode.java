package io.meshclient.benchmarks.load;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The client modes of the load harness, in their default run order. */
enum Mode {
  OKHTTP("okhttp", "raw OkHttp 5, keep-alive, client-side round-robin over the 3 backends (the floor)"),
  OKHTTP_AA("okhttp-aa", "the same as okhttp, run again: the A/A pair whose spread is the noise floor"),
  MESH("mesh", "mesh-client: static discovery, least-request, rate limit (never triggers), metrics on"),
  MESH_MIRROR("mesh-mirror", "mesh, mirroring 10% of calls to a target that accepts and never answers"),
  SIDECAR("sidecar", "raw OkHttp through a local nginx reverse proxy (1 worker, upstream keepalive)"),
  SPRING_LB("spring-lb", "Spring Cloud LoadBalancer + @LoadBalanced RestClient (JDK HttpClient), Boot 4"),
  ARMERIA("armeria", "Armeria WebClient with a static EndpointGroup (own Netty transport)"),
  ARMERIA_RAW("armeria-raw", "Armeria WebClient per backend, client-side round-robin (Armeria's floor)"),
  STORK("stork", "SmallRye Stork static list + least-requests, in front of OkHttp"),
  MESH_RESTCLIENT("mesh-restclient", "@MeshClient over Boot's RestClient on the mesh (starter, Boot 4)"),
  RESTCLIENT_OKHTTP("restclient-okhttp", "Boot's RestClient on the starter's OkHttp request factory, plain OkHttpClient"),
  MESH_WEBCLIENT("mesh-webclient", "Boot's WebClient.Builder to http://backend, routed to the mesh's connector"),
  WEBCLIENT_OKHTTP("webclient-okhttp", "Boot's WebClient on the mesh's connector class over a plain OkHttpClient"),
  // run.sh spring only (issue 20, the Spring user's path): not in the load harness's default list.
  SPRING_LB_HC5("spring-lb-hc5", "Spring Cloud LoadBalancer + @LoadBalanced RestClient on Apache HttpClient 5,"
      + " pooled (threads per backend)", true),
  SPRING_LB_NETTY("spring-lb-netty", "Spring Cloud LoadBalancer + @LoadBalanced RestClient on Reactor Netty"
      + " (ReactorClientHttpRequestFactory, threads per backend)", true),
  // run.sh tail only (issue 20): not in the load harness's default list.
  HAPROXY("haproxy", "raw OkHttp through a local HAProxy (1 thread, balance leastconn, http-reuse always,"
      + " retry-on 503 with redispatch)", true),
  MESH_LEAST_REQUEST("mesh-least-request", "mesh-client: least-request, retries on 503 within the budget,"
      + " no outlier ejection", true),
  MESH_PEAK_EWMA("mesh-peak-ewma", "mesh-client: peak-ewma (decay 10s), retries on 503 within the budget,"
      + " no outlier ejection", true),
  MESH_OUTLIER("mesh-outlier", "mesh-client: least-request with outlier ejection (the defaults: 5 failures in a"
      + " row, 30s; slow-ejection factor 5; failure-percentage 10% over 1s), retries on 503 within the budget",
      true);

  final String id;
  final String description;
  /**
   * Whether the mode is only run by a scenario ({@code run.sh tail}, {@code run.sh spring}), not by default
   * in {@code run.sh load}.
   */
  final boolean scenarioOnly;

  Mode(String id, String description) {
    this(id, description, false);
  }

  Mode(String id, String description, boolean scenarioOnly) {
    this.id = id;
    this.description = description;
    this.scenarioOnly = scenarioOnly;
  }

  /** The modes {@code run.sh load} runs when {@code --modes} is not given. */
  static List<Mode> loadModes() {
    return Arrays.stream(values()).filter(m -> !m.scenarioOnly).toList();
  }

  static Mode of(String id) {
    for (Mode m : values()) {
      if (m.id.equals(id)) {
        return m;
      }
    }
    throw new IllegalArgumentException("--modes: " + id + " (expected: some of " + ids(Arrays.asList(values())) + ")");
  }

  static String ids(List<Mode> modes) {
    return modes.stream().map(m -> m.id).collect(Collectors.joining(","));
  }

  @Override
  public String toString() {
    return id;
  }
}
