package io.meshclient.discovery.consul;

import io.meshclient.api.ServiceDiscovery;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import javax.net.ssl.SSLContext;

/**
 * Discovery from Consul: every watched service on one {@link AgentWatch} (a fixed set of threads and
 * agent connections, however many services), started with the first watch and stopped with the last.
 * Thread-safe.
 */
final class ConsulDiscovery implements ServiceDiscovery {
  private static final Duration JOIN_ON_CLOSE = Duration.ofSeconds(2);
  /** How long {@link #watch} waits for Consul's first answer, so that it can deliver it at once. */
  static final Duration FIRST_ANSWER_WAIT = Duration.ofSeconds(2);

  private final ConsulDiscoverySettings settings;
  private final HealthEndpoint endpoint;
  private final ConsulWatchListener events;
  private final WatchClock clock;
  private final DoubleSupplier random;
  private final WatchSet watches = new WatchSet();
  private AgentWatch agent;
  private boolean closed;

  ConsulDiscovery(ConsulDiscoverySettings settings, SSLContext sslContext, ConsulWatchListener events,
      WatchClock clock, DoubleSupplier random) {
    this.settings = settings;
    this.endpoint = new HealthEndpoint(settings, sslContext);
    this.events = events;
    this.clock = clock;
    this.random = random;
  }

  /**
   * Starts watching {@code service} and waits up to {@link #FIRST_ANSWER_WAIT} for Consul's first
   * answer, which it delivers on the calling thread before returning. A failed first query ends the
   * wait at once.
   *
   * @throws IllegalStateException if this discovery is closed
   */
  @Override
  public Watch watch(String service, Listener listener) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(listener, "listener");
    return watchAll(Map.of(service, listener)).get(service);
  }

  /**
   * Starts watching every service of {@code listeners}, fetches their first answers in parallel (on the
   * fetch pool, so within the connection bound) and waits up to {@link #FIRST_ANSWER_WAIT} in all for
   * them, delivering each on the calling thread before returning.
   *
   * @throws IllegalStateException if this discovery is closed
   */
  @Override
  public Map<String, Watch> watchAll(Map<String, Listener> listeners) {
    listeners.forEach((service, listener) -> {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(listener, "listener");
    });
    long deadline = System.nanoTime() + FIRST_ANSWER_WAIT.toNanos();
    // First fetches do not wait for the feeds' first lists (a cold round trip more before build()
    // returns): a service fetched before the health feed's first list is fetched again when it comes.
    AgentWatch running = agent();
    Map<String, Watch> out = new LinkedHashMap<>();
    List<ServiceWatch> started = listeners.entrySet().stream().map(e -> {
      ServiceWatch[] self = new ServiceWatch[1];
      self[0] = new ServiceWatch(e.getKey(), e.getValue(), settings.backoffInitial(), settings.backoffMax(),
          random, () -> stopped(self[0]));
      return self[0];
    }).toList();
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("closed: " + this);
      }
      started.forEach(watches::add);
    }
    for (ServiceWatch watch : started) {
      events.onWatchStarted(watch.service());
      running.fetch(watch);
      out.put(watch.service(), watch);
    }
    started.forEach(watch -> watch.awaitFirstAnswer(deadline));
    return out;
  }

  private synchronized AgentWatch agent() {
    if (closed) {
      throw new IllegalStateException("closed: " + this);
    }
    if (agent == null) {
      agent = new AgentWatch(settings, endpoint, events, clock, random, watches);
      agent.start();
    }
    return agent;
  }

  private void stopped(ServiceWatch watch) {
    AgentWatch idle = null;
    synchronized (this) {
      if (watches.remove(watch) && agent != null) {
        idle = agent;
        agent = null;
      }
    }
    events.onWatchStopped(watch.service());
    if (idle != null) {
      idle.close(System.nanoTime() + JOIN_ON_CLOSE.toNanos());
    }
  }

  /**
   * Why a watched service has no instance while Consul has never answered for it: the last query's failure
   * (an agent refusing connections, a TLS or ACL problem), which the call's {@code NoHealthyInstanceException}
   * ends with, rather than "its discovery lists no instance of it". Null once Consul has answered, even with
   * no instance: then that is what it lists.
   */
  @Override
  public String whyNoInstances(String service, Map<String, String> selector) {
    for (ServiceWatch watch : watches.of(service)) {
      String why = watch.whyNoAnswer();
      if (why != null) {
        return "Consul has not answered for it yet (" + why + ")";
      }
    }
    return null;
  }

  /** The running agent watch, or null when nothing is watched: for tests. */
  synchronized AgentWatch agentWatch() {
    return agent;
  }

  /** Stops every watch, waits briefly for their threads, and closes the connections to the agent. */
  @Override
  public void close() {
    AgentWatch running;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      running = agent;
      agent = null;
    }
    watches.all().forEach(ServiceWatch::close);
    if (running != null) {
      running.close(System.nanoTime() + JOIN_ON_CLOSE.toNanos());
    }
    endpoint.close();
  }

  @Override
  public String toString() {
    return "ConsulDiscovery[" + settings.url() + "]";
  }
}
