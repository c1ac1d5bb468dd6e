package io.meshclient.discovery.consul;

import io.meshclient.api.spi.SettingValues;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;

/**
 * Watches every service of one discovery on a fixed number of threads and agent connections, whatever
 * the number of services ({@value #THREADS} threads, at most that many connections):
 *
 * <ul>
 *   <li>two change feeds hold blocking queries: {@code /v1/health/state/any} filtered to the checks
 *       that are not passing (small, and moved by every check change), and {@code /v1/catalog/services}
 *       (moved by every registration);
 *   <li>a check that changed names its service, which alone is fetched ({@code /v1/health/service/<name>},
 *       not blocking) on a pool of {@value #FETCH_THREADS} threads; when the catalog moves, one read of
 *       every check names the services whose checks came or went. A move no check explains, and answers
 *       after a failure, fetch every watched service again (only changed lists are delivered);
 *   <li>a liveness probe ({@code /v1/status/leader}, 5 s timeouts) every {@link #PROBE_INTERVAL} ends
 *       the held queries of an agent that no longer answers, so that its loss is noticed within 15 s
 *       whatever {@code wait} is.
 * </ul>
 *
 * The health feed reports failures (to every watched service) and owns the backoff; the catalog feed
 * waits for the health feed to get an answer again. Thread-safe.
 */
final class AgentWatch implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AgentWatch.class.getPackageName());
  static final int FETCH_THREADS = 5;
  /** Two feeds, the fetch pool, and the probe (which also schedules fetch retries). */
  static final int THREADS = 2 + FETCH_THREADS + 1;
  static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);
  /**
   * With stale reads, how long after a fetch the service is read again: any server answers, and one behind may
   * have answered with the list from before the change that asked for the fetch (Consul: stale results are
   * "generally consistent to within 50 milliseconds of the leader").
   */
  static final Duration STALE_REREAD = Duration.ofSeconds(1);
  /** With stale reads, older answers passed over in a row before an index gone back is believed. */
  static final int STALE_OLDER_MAX = 3;
  static final String HEALTH_PATH = "/v1/health/state/any";
  /** The health feed lists only checks that are not passing: small, yet any status change moves it. */
  static final String NOT_PASSING = "Status != \"passing\"";
  static final String CATALOG_PATH = "/v1/catalog/services";

  private final ConsulDiscoverySettings settings;
  private final HealthEndpoint endpoint;
  private final ConsulWatchListener events;
  private final WatchClock clock;
  private final WatchSet watches;
  private final Backoff backoff;
  private final ChangeFeed health;
  private final ChangeFeed catalog;
  private final ThreadPoolExecutor fetchers;
  private final ScheduledThreadPoolExecutor scheduler;
  /** Guards {@link #upGeneration}: the catalog feed waits on it for the health feed's next answer. */
  private final Object up = new Object();
  private long upGeneration;
  /** The checks not passing, as the health feed last listed them (health feed thread only). */
  private CheckStates checks;
  /** Every check, as last read when the catalog moved: names the services of a node and of a registration. */
  private volatile CheckStates allChecks = CheckStates.NONE;
  private long catalogIndex;
  /** Whether the catalog feed has had an answer (catalog feed thread only): not catalogIndex != 0, see onCatalog. */
  private boolean catalogSeen;
  private volatile ConsulUnavailableException probeFailure;
  private volatile boolean closed;

  AgentWatch(ConsulDiscoverySettings settings, HealthEndpoint endpoint, ConsulWatchListener events,
      WatchClock clock, DoubleSupplier random, WatchSet watches) {
    this.settings = settings;
    this.endpoint = endpoint;
    this.events = events;
    this.clock = clock;
    this.watches = watches;
    this.backoff = new Backoff(settings.backoffInitial(), settings.backoffMax(), random);
    this.health = new ChangeFeed("health", HEALTH_PATH, NOT_PASSING, endpoint, this, clock, settings.minInterval(),
        this::onChecks);
    this.catalog = new ChangeFeed("catalog", CATALOG_PATH, null, endpoint, this, clock, settings.minInterval(),
        this::onCatalog);
    this.fetchers = new ThreadPoolExecutor(FETCH_THREADS, FETCH_THREADS, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), daemons("mesh-consul-fetch-"));
    fetchers.allowCoreThreadTimeOut(true);
    this.scheduler = new ScheduledThreadPoolExecutor(1, daemons("mesh-consul-probe-"));
    scheduler.setRemoveOnCancelPolicy(true);
  }

  private static ThreadFactory daemons(String prefix) {
    AtomicInteger ids = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + ids.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  void start() {
    health.start();
    catalog.start();
    long probeMillis = PROBE_INTERVAL.toMillis();
    scheduler.scheduleWithFixedDelay(this::probe, probeMillis, probeMillis, TimeUnit.MILLISECONDS);
  }

  /** Fetches {@code watch}'s service soon, unless a fetch of it is already due. */
  void fetch(ServiceWatch watch) {
    if (closed || !watch.wantFetch()) {
      return;
    }
    try {
      fetchers.execute(() -> runFetches(watch));
    } catch (RejectedExecutionException shutDown) {
      // closing
    }
  }

  private void fetchAll() {
    watches.all().forEach(this::fetch);
  }

  private void runFetches(ServiceWatch watch) {
    do {
      watch.fetchStarting(System.nanoTime());
      if (closed || watch.isClosed()) {
        return;
      }
      fetchOnce(watch);
    } while (watch.fetchAgain());
  }

  private void fetchOnce(ServiceWatch watch) {
    String service = watch.service();
    long start = clock.nanoTime();
    HealthEndpoint.Answer answer;
    try {
      answer = endpoint.fetch(service);
    } catch (ConsulUnavailableException e) {
      if (closed || watch.isClosed()) {
        return;
      }
      ConsulUnavailableException probed = probeFailure;
      if (probed != null) {
        e = probed; // the probe aborted the query: its failure says why
      }
      events.onFailure(service, since(start), e.failure());
      watch.firstFailed(e.getMessage());
      Duration delay = watch.backoff.next();
      log(watch.backoff.failures(), e.getMessage() + "; " + kept(watch.knownInstances()), delay, e);
      try {
        scheduler.schedule(() -> fetch(watch), delay.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException shutDown) {
        // closing
      }
      return;
    }
    events.onResponse(service, since(start), answer.instances().size());
    if (watch.backoff.failures() > 0) {
      LOG.log(Level.INFO, "Consul query of ''{0}'' recovered after {1} failed attempts", service,
          watch.backoff.failures());
      watch.backoff.reset();
    }
    if (settings.stale()) {
      boolean reread = watch.takeReread();
      boolean usable = watch.useStaleAnswer(answer.index(), STALE_OLDER_MAX);
      if (!reread || !usable) {
        rereadLater(watch);
      }
      if (!usable) {
        return;
      }
    }
    watch.offer(answer.instances());
  }

  /** Stale reads: fetches {@code watch}'s service again {@link #STALE_REREAD} from now. */
  private void rereadLater(ServiceWatch watch) {
    try {
      scheduler.schedule(() -> {
        watch.rereadDue();
        fetch(watch);
      }, STALE_REREAD.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shutDown) {
      // closing
    }
  }

  private void onChecks(HealthEndpoint.Raw answer, boolean afterFailure) throws ConsulUnavailableException {
    probeFailure = null; // the agent answers again
    CheckStates next = parseChecks(answer);
    CheckStates previous = checks;
    checks = next;
    synchronized (up) {
      upGeneration++;
      up.notifyAll();
    }
    if (afterFailure) {
      fetchAll();
    } else if (previous == null) {
      refetchFetchedBefore(System.nanoTime());
    } else {
      fetchServices(next.changedServices(previous, allChecks));
    }
  }

  /**
   * The first list of a feed is the base of every later comparison. A service fetched (or being fetched)
   * before it came may have changed between its answer and this one: fetch it again.
   */
  private void refetchFetchedBefore(long received) {
    watches.all().stream().filter(w -> w.lastFetchStart() != 0 && w.lastFetchStart() - received < 0)
        .forEach(this::fetch);
  }

  private void fetchServices(Set<String> services) {
    for (String service : services) {
      watches.of(service).forEach(this::fetch);
    }
  }

  private static CheckStates parseChecks(HealthEndpoint.Raw answer) throws ConsulUnavailableException {
    try {
      return CheckStates.parse(answer.content());
    } catch (IOException | RuntimeException e) {
      throw new ConsulUnavailableException(ConsulWatchListener.Failure.MALFORMED_RESPONSE,
          "Consul query " + HEALTH_PATH + " answered unreadable JSON: " + e.getMessage(), e);
    }
  }

  /**
   * The catalog moved (a registration, a deregistration): every check, listed once, names the services
   * whose checks came or went. A move that no check explains (an instance without checks, an address
   * changed in place) fetches every watched service.
   */
  private void onCatalog(HealthEndpoint.Raw answer, boolean afterFailure) throws ConsulUnavailableException {
    long previousIndex = catalogIndex;
    // Not previousIndex == 0: an agent whose index stays 0 (the bug Consul's documentation warns of) made every
    // answer a first one, and every watched service was fetched again at each.
    boolean first = !catalogSeen;
    if (!first && !afterFailure && previousIndex == answer.index()) {
      return;
    }
    long received = System.nanoTime();
    CheckStates all = parseChecks(endpoint.read(HEALTH_PATH));
    CheckStates previous = allChecks;
    allChecks = all;
    catalogIndex = answer.index();
    catalogSeen = true;
    if (first) {
      refetchFetchedBefore(received);
      return;
    }
    Set<String> changed = all.changedServices(previous, CheckStates.NONE);
    if (changed.isEmpty() || afterFailure) {
      fetchAll();
    } else {
      fetchServices(changed);
    }
  }

  /**
   * A feed query failed. The health feed reports it to every watched service and backs off; the catalog
   * feed waits for the health feed's next answer.
   */
  void feedFailed(ChangeFeed feed, ConsulUnavailableException failure, Duration latency)
      throws InterruptedException {
    if (feed != health) {
      long seen;
      synchronized (up) {
        seen = upGeneration;
        while (!closed && upGeneration == seen) {
          up.wait();
        }
      }
      return;
    }
    ConsulUnavailableException probed = probeFailure;
    if (probed != null) {
      failure = probed; // the probe aborted the query: its failure says why
    }
    List<ServiceWatch> watching = watches.all();
    for (ServiceWatch watch : watching) {
      events.onFailure(watch.service(), latency, failure.failure());
    }
    Duration delay = backoff.next();
    log(backoff.failures(), failure.getMessage() + "; keeping the last known instances of "
        + watches.services() + " watched services", delay, failure);
    clock.sleep(delay);
  }

  /** A feed answered after failing. */
  void feedRecovered(ChangeFeed feed) {
    if (feed == health) {
      LOG.log(Level.INFO, "Consul agent {0} answered again after {1} failed attempts", settings.url(),
          backoff.failures());
      backoff.reset();
    }
  }

  private void probe() {
    if (closed) {
      return;
    }
    try {
      endpoint.probe();
      probeFailure = null;
    } catch (ConsulUnavailableException e) {
      if (closed) {
        return;
      }
      LOG.log(Level.DEBUG, "{0}; ending the queries held by the agent", e.getMessage());
      probeFailure = e;
      endpoint.abortInFlight();
    }
  }

  private void log(int failures, String message, Duration delay, Exception e) {
    String text = message + ", retry " + failures + " in "
        + SettingValues.formatDuration(delay.withNanos(delay.getNano() / 1_000_000 * 1_000_000));
    if (failures == 1) {
      LOG.log(Level.WARNING, text);
    } else {
      LOG.log(Level.DEBUG, text, e);
    }
  }

  private static String kept(int known) {
    return known < 0 ? "no instances known yet" : "keeping the " + known + " last known instances";
  }

  private Duration since(long startNanos) {
    return Duration.ofNanos(clock.nanoTime() - startNanos);
  }

  /** Whether no fetch runs or waits to run, for tests. */
  boolean fetchesIdle() {
    return fetchers.getActiveCount() == 0 && fetchers.getQueue().isEmpty();
  }

  /** The feed threads, for tests. */
  List<Thread> feedThreads() {
    return List.of(health.thread(), catalog.thread());
  }

  /** Stops every thread, cutting held queries short, and waits for them until {@code deadlineNanos}. */
  void close(long deadlineNanos) {
    closed = true;
    synchronized (up) {
      up.notifyAll();
    }
    health.close();
    catalog.close();
    fetchers.shutdownNow();
    scheduler.shutdownNow();
    endpoint.abortInFlight();
    try {
      for (Thread thread : feedThreads()) {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0 && thread != Thread.currentThread()) {
          thread.join(Math.max(1, left / 1_000_000));
        }
      }
      fetchers.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(System.nanoTime() + Duration.ofSeconds(2).toNanos());
  }
}
