package io.meshclient.discovery.consul;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * Consul's documented {@code /v1/health/service/<name>}, served by {@link AgentFront}, with real blocking queries: a
 * request whose {@code index} is not below the service's current index is held until the index moves
 * past it or {@code wait} elapses. Each service has its own index, raised by every change, as in Consul. Answers
 * honour {@code ?passing} and {@code tag}, and carry {@code X-Consul-Index}.
 *
 * <p>Tests can also move the index by hand (backwards too), make it churn, make the agent answer an
 * error status, stop it (connections refused) and start it again on the same port.
 *
 * <p>Not WireMock, which STYLE.md names for the Consul API: its request pipeline cost about 2 ms of CPU
 * per request here, more than the mesh spent on the same request, so that {@code run.sh consul-scale}
 * measured the emulator as much as the mesh; and behind a relay (for the connection limit and the
 * black hole) each answer took several thread hand-offs. Answers are plain strings, written once per
 * change.
 */
final class ConsulEmulator implements AutoCloseable {
  /** One recorded request: the URL (path and query), its token header and index parameter. */
  record Recorded(String url, String token, long index) {
    /** The path, or {@link #CHECKS} for the health feed's filtered queries. */
    String path() {
      int query = url.indexOf('?');
      String path = query < 0 ? url : url.substring(0, query);
      return path.equals(ALL_CHECKS) && url.contains("filter=") ? CHECKS : path;
    }
  }

  /** Every check, which the discovery reads when the catalog moves. */
  static final String ALL_CHECKS = "/v1/health/state/any";
  /** The health feed: {@value #ALL_CHECKS} filtered to checks not passing, which the discovery blocks on. */
  static final String CHECKS = ALL_CHECKS + "?filter";
  /** The filter (Consul's filtering language) the health feed sends. */
  static final String NOT_PASSING = "Status != \"passing\"";
  /** The catalog feed, which moves on registrations. */
  static final String CATALOG = "/v1/catalog/services";

  private final SSLContext tls;
  private final boolean needClientAuth;
  private final Map<String, Map<String, Registration>> services = new HashMap<>();
  private final Map<String, Long> indexes = new HashMap<>();
  private final List<Recorded> requests = new ArrayList<>();
  private final Map<String, Boolean> churning = new HashMap<>();
  private long raftIndex = 10;
  private int failureStatus;
  private boolean stopping;
  private AgentFront front;
  private final java.util.concurrent.atomic.AtomicInteger concurrentFetches = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger maxConcurrentFetches = new java.util.concurrent.atomic.AtomicInteger();
  private long checksIndex = 10;
  private long catalogIndex = 10;
  private boolean churnChecks;
  /** Guards the gate of {@link #holdFirstFetchUntilConcurrent}. */
  private final Object fetchGate = new Object();
  private int gateCount;
  private Duration gateMax = Duration.ZERO;
  private boolean gateHeld;
  /**
   * Answers as written for the current registrations, by service and query (passing, tag), and for the
   * checks and the catalog: written once per change, not per request, so that serving 1,000 services
   * costs the emulator little beside the mesh it measures.
   */
  private final Map<String, Map<String, String>> serviceBodies = new HashMap<>();
  private final Map<String, String> checksBodies = new HashMap<>();
  private String catalogBody;
  /** What every {@code /v1/health/service/} request is answered instead of the registrations, or null. */
  private String fetchBodyOverride;
  /** The index such answers carry, or -1 for the service's. */
  private long fetchIndexOverride = -1;
  private boolean https;
  private int port;

  ConsulEmulator() {
    this(null, false);
  }

  /**
   * An agent that serves HTTPS with {@code tls} (plain HTTP if null), asking for a client certificate if
   * {@code needClientAuth}.
   */
  ConsulEmulator(SSLContext tls, boolean needClientAuth) {
    this.tls = tls;
    this.needClientAuth = needClientAuth;
    this.https = tls != null;
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
    if (port == 0) {
      port = freePortBelowEphemeralRange();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (true) {
      try {
        front = new AgentFront(port, tls, needClientAuth, this::serve);
        break;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("port " + port + " stays in use", e);
        }
        sleep(100);
      }
    }
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
    front.close(); // first, so that no new connection reaches a server that is stopping
    synchronized (this) {
      stopping = true;
      notifyAll();
    }
  }

  /** Cuts (true) or restores (false) the network to the agent: see {@link AgentFront#blackHole}. */
  void blackHole(boolean on) {
    front.blackHole(on);
  }

  /** The agent's connection counts, from its front. */
  AgentFront connections() {
    return front;
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
    catalogIndex = raftIndex + 1;
    changed(registration.service());
  }

  /** Removes every instance of {@code service} whose service ID is {@code id}. */
  synchronized void deregister(String service, String id) {
    services.getOrDefault(service, Map.of()).values().removeIf(r -> r.id().equals(id));
    catalogIndex = raftIndex + 1;
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

  /**
   * Answers every {@code /v1/health/service/} request with {@code body} (status 200, the service's index)
   * instead of its registrations, as a broken agent might; null answers normally again.
   */
  synchronized void answerFetchesWith(String body) {
    answerFetchesWith(body, -1);
  }

  /** As {@link #answerFetchesWith(String)}, with {@code index} (-1: the service's), as a server behind answers. */
  synchronized void answerFetchesWith(String body, long index) {
    fetchBodyOverride = body;
    fetchIndexOverride = index;
  }

  synchronized List<Recorded> requests() {
    return List.copyOf(requests);
  }

  /** The {@code index} parameter of every request so far, in order. */
  synchronized List<Long> requestedIndexes() {
    return requests.stream().map(Recorded::index).toList();
  }

  private void changed(String service) {
    serviceBodies.remove(service);
    checksBodies.clear();
    catalogBody = null;
    indexes.put(service, ++raftIndex);
    checksIndex = raftIndex;
    notifyAll();
  }

  /** The index of {@value #ALL_CHECKS}: moves on every change of a check. */
  synchronized long checksIndex() {
    return checksIndex;
  }

  /** Sets the index of {@value #CHECKS}, backwards or to 0 if a test wants, and wakes held requests. */
  synchronized void setChecksIndex(long index) {
    checksIndex = index;
    notifyAll();
  }

  /** Sets the index of {@value #CATALOG}, to 0 if a test wants, and wakes held requests. */
  synchronized void setCatalogIndex(long index) {
    catalogIndex = index;
    notifyAll();
  }

  /** Makes every answer of {@value #CHECKS} carry a new index, so no request of it blocks. */
  synchronized void churnChecks() {
    churnChecks = true;
    notifyAll();
  }

  /**
   * Holds the first {@code /v1/health/service/} request until {@code count} of them are in progress at
   * once, or {@code max} passes; later requests are not held. Without it, requests a client sends side by
   * side need not overlap here: the emulator answers one in a fraction of a millisecond, and on a loaded
   * machine the next (a new connection through {@link AgentFront} first) may well arrive after that.
   */
  void holdFirstFetchUntilConcurrent(int count, Duration max) {
    synchronized (fetchGate) {
      gateCount = count;
      gateMax = max;
    }
  }

  private void passFetchGate() throws InterruptedException {
    synchronized (fetchGate) {
      if (gateCount == 0) {
        return;
      }
      fetchGate.notifyAll(); // a held request counts this one
      if (gateHeld) {
        return;
      }
      gateHeld = true;
      long deadline = System.nanoTime() + gateMax.toNanos();
      try {
        while (concurrentFetches.get() < gateCount) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          TimeUnit.NANOSECONDS.timedWait(fetchGate, left);
        }
      } finally {
        gateCount = 0;
        gateHeld = false;
      }
    }
  }

  /** The most {@code /v1/health/service/} requests in progress at once so far. */
  int maxConcurrentFetches() {
    return maxConcurrentFetches.get();
  }

  /** The requests of {@code path} so far. */
  synchronized List<Recorded> requests(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  /** The {@code index} parameter of every request of {@code path} so far, in order. */
  synchronized List<Long> requestedIndexes(String path) {
    return requests(path).stream().map(Recorded::index).toList();
  }

  private synchronized AgentFront.Reply answer(String url, String token, Map<String, String> query)
      throws InterruptedException {
    long index = Long.parseUnsignedLong(query.getOrDefault("index", "0"));
    requests.add(new Recorded(url, token, index));
    String path = url.replaceFirst("\\?.*$", "");
    if (path.equals("/v1/status/leader")) {
      return failureStatus != 0 || stopping ? failure() : json("\"127.0.0.1:8300\"", raftIndex);
    }
    if (path.equals(ALL_CHECKS)) {
      hold(index, query, () -> churnChecks ? Long.MAX_VALUE : checksIndex);
      if (failureStatus != 0 || stopping) {
        return failure();
      }
      if (churnChecks) {
        checksIndex = ++raftIndex;
      }
      String filter = query.get("filter");
      if (filter != null && !filter.equals(NOT_PASSING)) {
        return new AgentFront.Reply(400, "the emulator knows only the filter " + NOT_PASSING, null);
      }
      String body = checksBodies.computeIfAbsent(filter == null ? "" : filter, f -> {
        List<Object> checks = new ArrayList<>();
        // A registration's node check always passes: one whose service check passes adds nothing here.
        services.values().forEach(instances -> instances.values().stream()
            .filter(r -> filter == null || !r.status().equals("passing"))
            .forEach(r -> r.checks().stream()
                .filter(c -> filter == null || !"passing".equals(c.get("Status"))).forEach(checks::add)));
        return Json.write(checks);
      });
      return json(body, checksIndex);
    }
    if (path.equals(CATALOG)) {
      hold(index, query, () -> catalogIndex);
      if (failureStatus != 0 || stopping) {
        return failure();
      }
      if (catalogBody == null) {
        Map<String, Object> names = new LinkedHashMap<>();
        services.forEach((name, instances) -> names.put(name, instances.values().stream()
            .flatMap(r -> r.tags().stream()).distinct().toList()));
        catalogBody = Json.write(names);
      }
      return json(catalogBody, catalogIndex);
    }
    String service = path.replaceFirst("^/v1/health/service/", "");
    hold(index, query, () -> churning.getOrDefault(service, false) ? Long.MAX_VALUE : index(service));
    if (failureStatus != 0 || stopping) {
      return failure();
    }
    if (churning.getOrDefault(service, false)) {
      changed(service);
    }
    if (fetchBodyOverride != null) {
      return json(fetchBodyOverride, fetchIndexOverride != -1 ? fetchIndexOverride : index(service));
    }
    String tag = query.get("tag");
    boolean passingOnly = query.containsKey("passing");
    String body = serviceBodies.computeIfAbsent(service, s -> new HashMap<>())
        .computeIfAbsent(passingOnly + "/" + tag, q -> {
          List<Object> entries = new ArrayList<>();
          for (Registration r : services.getOrDefault(service, Map.of()).values()) {
            if ((!passingOnly || r.status().equals("passing")) && (tag == null || r.tags().contains(tag))) {
              entries.add(r.toHealthEntry());
            }
          }
          return Json.write(entries);
        });
    return json(body, index(service));
  }

  /** Consul holds a query until the index moves past the one asked for, or wait elapses; 0 never blocks. */
  private void hold(long index, Map<String, String> query, java.util.function.LongSupplier current)
      throws InterruptedException {
    long deadline = System.nanoTime() + parseWait(query.getOrDefault("wait", "5m")).toNanos();
    while (index != 0 && Long.compareUnsigned(current.getAsLong(), index) <= 0 && failureStatus == 0
        && !stopping) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  private AgentFront.Reply failure() {
    return new AgentFront.Reply(failureStatus != 0 ? failureStatus : 503, "No cluster leader", null);
  }

  private static AgentFront.Reply json(String body, long index) {
    return new AgentFront.Reply(200, body, index);
  }

  /** The query parameters of {@code url}, decoded, the first value of each; "" for a bare name. */
  private static Map<String, String> parameters(String url) {
    int question = url.indexOf('?');
    String rawQuery = question < 0 ? null : url.substring(question + 1);
    Map<String, String> out = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.putIfAbsent(name, value);
    }
    return out;
  }

  private static Duration parseWait(String wait) {
    Duration d = io.meshclient.api.spi.SettingValues.parseDuration(wait);
    return d == null ? Duration.ofMinutes(5) : d;
  }

  /** Serves one request through {@link #answer}, counting the health fetches in progress. */
  private AgentFront.Reply serve(String url, String token) throws InterruptedException {
    boolean fetch = url.startsWith("/v1/health/service/");
    if (!fetch) {
      return answer(url, token, parameters(url));
    }
    maxConcurrentFetches.accumulateAndGet(concurrentFetches.incrementAndGet(), Math::max);
    try {
      passFetchGate();
      return answer(url, token, parameters(url));
    } finally {
      concurrentFetches.decrementAndGet();
    }
  }
}
