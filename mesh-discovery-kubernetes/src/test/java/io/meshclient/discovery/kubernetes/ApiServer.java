package io.meshclient.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.meshclient.api.ServiceDiscovery;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import io.fabric8.mockwebserver.http.WebSocketListener;

/**
 * fabric8's mock API server on 127.0.0.1 in CRUD mode (what is created can be listed and watched), or
 * in mixed mode (expectations first, then CRUD) for failures CRUD cannot produce. Builds the
 * EndpointSlices and pods the tests need.
 */
final class ApiServer implements AutoCloseable {
  static final String NAMESPACE = "test";

  final KubernetesMockServer server;
  final NamespacedKubernetesClient client;

  /** Paths of the requests answered so far. */
  final List<String> requests = new CopyOnWriteArrayList<>();

  /**
   * Watch events the CRUD mock has written so far (each write completed): a watch opened on existing objects
   * is sent an ADDED event for each. Closing a watch while the mock still writes one deadlocks the mock for
   * 30 s (see {@link CountingWatch}).
   */
  final AtomicInteger watchEventsSent = new AtomicInteger();

  /**
   * Answers a request before the mock does, as a hostile or strict API server would; null lets the mock
   * answer. The default answers nothing itself.
   */
  volatile java.util.function.Function<RecordedRequest, MockResponse> gate = request -> null;

  private ApiServer(boolean mixed, int port) {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    Dispatcher dispatcher = mixed ? new KubernetesMixedDispatcher(expectations) {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        MockResponse gated = gate.apply(request);
        MockResponse response = gated != null ? gated : super.dispatch(request);
        requests.add(request.getPath());
        return response;
      }
    } : new KubernetesCrudDispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        MockResponse gated = gate.apply(request);
        MockResponse response = gated != null ? gated : super.dispatch(request);
        requests.add(request.getPath());
        return response;
      }

      @Override
      public MockResponse handleWatch(String path) {
        MockResponse response = super.handleWatch(path);
        WebSocketListener events = response.getWebSocketListener();
        return events == null ? response : response.withWebSocketUpgrade(new CountingWatch(events, watchEventsSent));
      }
    };
    server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations, dispatcher, false);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    client = server.createClient();
  }

  /** An API server whose state is what the tests create. */
  static ApiServer crud() {
    return new ApiServer(false, 0);
  }

  /** An API server that answers expectations first and keeps state for everything else. */
  static ApiServer mixed() {
    return new ApiServer(true, 0);
  }

  /** A new CRUD-mode API server on {@code port}, as after a restart (its state starts empty). */
  static ApiServer crudOn(int port) {
    return new ApiServer(false, port);
  }

  /**
   * Refuses every list (not watch) of {@code path} with {@code code}, a Status saying too many requests, and
   * {@code retryAfter} (no Retry-After if null), adding the time of each ({@link System#nanoTime()}) to {@code
   * refusedAtNanos}.
   */
  void refuseTheList(String path, int code, String retryAfter, List<Long> refusedAtNanos) {
    gate = request -> {
      if (!request.getPath().startsWith(path + "?") || request.getPath().contains("watch=true")) {
        return null;
      }
      refusedAtNanos.add(System.nanoTime());
      MockResponse response = new MockResponse().setResponseCode(code).setBody(
          "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"too many "
              + "requests, please try again later\",\"reason\":\"TooManyRequests\",\"code\":" + code + "}");
      return retryAfter == null ? response : response.setHeader("Retry-After", retryAfter);
    };
  }

  /**
   * Waits until {@code discovery}'s informers watch and this server has been asked for {@code count}
   * watches: the CRUD mock, unlike an API server, cannot replay what changed before a watch opened.
   */
  void awaitWatches(ServiceDiscovery discovery, int count) {
    RecordingListener.await(() -> requests.stream().filter(p -> p.contains("watch=true")).count() >= count
        && ((KubernetesDiscovery) discovery).watching(), Duration.ofSeconds(10), count + " watches");
    try {
      Thread.sleep(200); // the upgrade to a websocket, after the request
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A kubeconfig whose one context points at {@code server} in namespace {@value #NAMESPACE} with {@code token}. */
  static String kubeconfig(String server, String token) {
    return """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "%s"}}]
        users: [{name: u, user: {token: %s}}]
        contexts: [{name: x, context: {cluster: c, user: u, namespace: %s}}]
        current-context: x
        """.formatted(server, token, NAMESPACE);
  }

  String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  int port() {
    return server.getPort();
  }

  /** Settings pointing at this server, in namespace {@value #NAMESPACE}. */
  KubernetesDiscoverySettings.Builder settings() {
    return KubernetesDiscoverySettings.builder().masterUrl(java.net.URI.create(url())).namespace(NAMESPACE)
        .firstSyncWait(Duration.ofSeconds(20)); // a cold JVM on a loaded machine
  }

  /** Discovery settings as configuration reads them. */
  Map<String, Object> settingsMap() {
    return Map.of("master-url", url(), "namespace", NAMESPACE, "first-sync-wait", "20s");
  }

  /** Creates or replaces an EndpointSlice of {@code service} with port {@code http} at {@code port}. */
  EndpointSlice slice(String name, String service, int port, Endpoint... endpoints) {
    return slice(name, service, "IPv4", "http", port, endpoints);
  }

  EndpointSlice slice(String name, String service, String addressType, String portName, int port,
      Endpoint... endpoints) {
    EndpointSlice slice = sliceObject(name, service, addressType, portName, port, endpoints);
    return client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).resource(slice).createOr(
        existing -> existing.update());
  }

  /** An EndpointSlice of {@code service}, not sent anywhere. */
  EndpointSlice sliceObject(String name, String service, int port, Endpoint... endpoints) {
    return sliceObject(name, service, "IPv4", "http", port, endpoints);
  }

  private static EndpointSlice sliceObject(String name, String service, String addressType, String portName,
      int port, Endpoint... endpoints) {
    return new EndpointSliceBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE)
        .addToLabels("kubernetes.io/service-name", service).endMetadata()
        .withAddressType(addressType)
        .addNewPort().withName(portName).withPort(port).withProtocol("TCP").endPort()
        .withEndpoints(List.of(endpoints)).build();
  }

  void deleteSlice(String name) {
    client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).withName(name).delete();
  }

  /** A ready endpoint of pod {@code pod} at {@code address} in {@code zone}. */
  static Endpoint endpoint(String address, String pod, String zone) {
    return endpoint(address, pod, zone, true, null);
  }

  static Endpoint endpoint(String address, String pod, String zone, Boolean ready, Boolean terminating) {
    return endpoint(address, pod, zone, ready, ready, terminating);
  }

  /** An endpoint with these conditions; null leaves a condition out. */
  static Endpoint endpoint(String address, String pod, String zone, Boolean ready, Boolean serving,
      Boolean terminating) {
    EndpointBuilder b = new EndpointBuilder().withAddresses(address).withZone(zone).withNodeName("node-" + zone)
        .withNewConditions().withReady(ready).withServing(serving).withTerminating(terminating).endConditions();
    if (pod != null) {
      b.withTargetRef(new ObjectReferenceBuilder().withKind("Pod").withName(pod).withNamespace(NAMESPACE).build());
    }
    return b.build();
  }

  /**
   * {@code endpoint} with topology-aware hints ({@code hints.forZones}) for {@code zones}, as the EndpointSlice
   * controller sets them for a Service with topology-aware routing on.
   */
  static Endpoint hinted(Endpoint endpoint, String... zones) {
    return new EndpointBuilder(endpoint).withNewHints().withForZones(java.util.Arrays.stream(zones)
        .map(io.fabric8.kubernetes.api.model.discovery.v1.ForZone::new).toList()).endHints().build();
  }

  /** Creates or replaces pod {@code name} with {@code labels}. */
  Pod pod(String name, Map<String, String> labels) {
    Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).withLabels(labels)
        .endMetadata().build();
    return client.pods().inNamespace(NAMESPACE).resource(pod).createOr(existing -> existing.update());
  }

  @Override
  public void close() {
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // "Unable to close MockWebServer": it waits 10 s for open connections, and on Java 17 the JDK
      // HttpClient of a discovery already closed has no close() of its own, so an idle keep-alive
      // connection can outlive it until the client is collected. The server has stopped accepting by
      // then; a slow teardown is not what these tests check.
    }
  }
}
