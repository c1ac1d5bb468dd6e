package io.meshclient.discovery.consul;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.FatalStartupException;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.QueryParameter;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/**
 * Consul's documented {@code /v1/health/service/<name>} on WireMock, with real blocking queries: a
 * request whose {@code index} is not below the service's current index is held until the index moves
 * past it or {@code wait} elapses. Each service has its own index, raised by every change, as in Consul. Answers
 * honour {@code ?passing} and {@code tag}, and carry {@code X-Consul-Index}.
 *
 * <p>Tests can also move the index by hand (backwards too), make it churn, make the agent answer an
 * error status, stop it (connections refused) and start it again on the same port.
 */
final class ConsulEmulator implements AutoCloseable {
  /** One recorded request: the URL (path and query), its token header and index parameter. */
  record Recorded(String url, String token, long index) {}

  private final UnaryOperator<WireMockConfiguration> customizer;
  private final Map<String, Map<String, Registration>> services = new HashMap<>();
  private final Map<String, Long> indexes = new HashMap<>();
  private final List<Recorded> requests = new ArrayList<>();
  private final Map<String, Boolean> churning = new HashMap<>();
  private long raftIndex = 10;
  private int failureStatus;
  private boolean stopping;
  private WireMockServer server;
  private boolean https;
  private int port;

  ConsulEmulator() {
    this(UnaryOperator.identity());
  }

  /** An emulator whose WireMock configuration (such as HTTPS) {@code customizer} adjusts. */
  ConsulEmulator(UnaryOperator<WireMockConfiguration> customizer) {
    this.customizer = customizer;
    start();
  }

  /**
   * Starts serving, on the port of the previous start if there was one. The port is chosen below the
   * kernel's ephemeral range, so that no outgoing connection on this busy machine can take it while the
   * emulator is stopped; a port still being released is retried for a few seconds.
   */
  void start() {
    synchronized (this) {
      stopping = false;
    }
    WireMockConfiguration options = customizer.apply(WireMockConfiguration.options()
        .bindAddress("127.0.0.1").containerThreads(40).extensions(new Health())
        .stubRequestLoggingDisabled(true));
    https = options.getHttpDisabled();
    if (port == 0) {
      port = freePortBelowEphemeralRange();
    }
    if (https) {
      options.httpsPort(port);
    } else {
      options.port(port);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (true) {
      server = new WireMockServer(options);
      try {
        server.start();
        break;
      } catch (FatalStartupException e) {
        server.stop();
        if (System.nanoTime() > deadline) {
          throw e;
        }
        sleep(100);
      }
    }
    server.stubFor(get(urlPathMatching("/v1/health/service/[^/]+"))
        .willReturn(aResponse().withTransformers(Health.NAME)));
  }

  private static int freePortBelowEphemeralRange() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int candidate = ThreadLocalRandom.current().nextInt(20_000, 32_000);
      try (ServerSocket probe = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
        return candidate;
      } catch (IOException inUse) {
        // try another
      }
    }
    throw new IllegalStateException("no free port in 20000..31999");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Stops serving: held requests end, new connections are refused. */
  void stop() {
    synchronized (this) {
      stopping = true;
      notifyAll();
    }
    server.stop();
  }

  @Override
  public void close() {
    stop();
  }

  int port() {
    return port;
  }

  String url() {
    return (https ? "https" : "http") + "://127.0.0.1:" + port;
  }

  synchronized void register(Registration registration) {
    services.computeIfAbsent(registration.service(), s -> new LinkedHashMap<>())
        .put(registration.node() + "/" + registration.id(), registration);
    changed(registration.service());
  }

  /** Removes every instance of {@code service} whose service ID is {@code id}. */
  synchronized void deregister(String service, String id) {
    services.getOrDefault(service, Map.of()).values().removeIf(r -> r.id().equals(id));
    changed(service);
  }

  /** Sets the status of the service check of instance {@code id}: passing, warning or critical. */
  synchronized void setStatus(String service, String id, String status) {
    services.get(service).replaceAll((key, r) -> r.id().equals(id) ? r.withStatus(status) : r);
    changed(service);
  }

  /** Runs {@code changes} as one: no held query is answered half-way through them. */
  synchronized void atomically(Runnable changes) {
    changes.run();
  }

  /** Raises the index without changing the passing set, as a changed check output does in Consul. */
  synchronized void touch(String service) {
    changed(service);
  }

  /** Sets the index of {@code service}, backwards or to 0 if a test wants, and wakes held requests. */
  synchronized void setIndex(String service, long index) {
    indexes.put(service, index);
    notifyAll();
  }

  synchronized long index(String service) {
    return indexes.getOrDefault(service, 1L);
  }

  /** Makes every answer about {@code service} carry a new index, so no request blocks. */
  synchronized void churn(String service) {
    churning.put(service, true);
    changed(service);
  }

  /** Answers every request with {@code status} (0: answer normally), held requests included. */
  synchronized void failWith(int status) {
    failureStatus = status;
    notifyAll();
  }

  synchronized List<Recorded> requests() {
    return List.copyOf(requests);
  }

  /** The {@code index} parameter of every request so far, in order. */
  synchronized List<Long> requestedIndexes() {
    return requests.stream().map(Recorded::index).toList();
  }

  private void changed(String service) {
    indexes.put(service, ++raftIndex);
    notifyAll();
  }

  private synchronized ResponseDefinition answer(LoggedRequest request) throws InterruptedException {
    String service = request.getUrl().replaceFirst("^/v1/health/service/([^?]+).*$", "$1");
    long index = Long.parseUnsignedLong(param(request, "index", "0"));
    requests.add(new Recorded(request.getUrl(), request.getHeader("X-Consul-Token"), index));
    long deadline = System.nanoTime() + parseWait(param(request, "wait", "5m")).toNanos();
    // Consul holds a query until the index moves past the one asked for; 0 never blocks.
    while (index != 0 && Long.compareUnsigned(index(service), index) <= 0 && failureStatus == 0 && !stopping
        && !churning.getOrDefault(service, false)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    if (failureStatus != 0 || stopping) {
      return ResponseDefinitionBuilder.responseDefinition().withStatus(failureStatus != 0 ? failureStatus : 503)
          .withBody("No cluster leader").build();
    }
    if (churning.getOrDefault(service, false)) {
      changed(service);
    }
    String tag = param(request, "tag", null);
    boolean passingOnly = request.queryParameter("passing").isPresent();
    List<Object> entries = new ArrayList<>();
    for (Registration r : services.getOrDefault(service, Map.of()).values()) {
      if ((!passingOnly || r.status().equals("passing")) && (tag == null || r.tags().contains(tag))) {
        entries.add(r.toHealthEntry());
      }
    }
    return ResponseDefinitionBuilder.responseDefinition().withStatus(200)
        .withHeader("Content-Type", "application/json")
        .withHeader("X-Consul-Index", Long.toUnsignedString(index(service)))
        .withHeader("X-Consul-Knownleader", "true")
        .withBody(Json.write(entries)).build();
  }

  private static String param(LoggedRequest request, String name, String absent) {
    QueryParameter p = request.queryParameter(name);
    return p.isPresent() ? p.firstValue() : absent;
  }

  private static Duration parseWait(String wait) {
    Duration d = io.meshclient.api.spi.SettingValues.parseDuration(wait);
    return d == null ? Duration.ofMinutes(5) : d;
  }

  /** Serves health requests through {@link #answer}. */
  private final class Health implements ResponseDefinitionTransformerV2 {
    static final String NAME = "consul-health";

    @Override
    public ResponseDefinition transform(ServeEvent event) {
      try {
        return answer(event.getRequest());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ResponseDefinitionBuilder.responseDefinition().withStatus(503).build();
      }
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }

    @Override
    public String getName() {
      return NAME;
    }
  }
}
