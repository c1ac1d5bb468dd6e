package io.meshclient.discovery.xds;

import io.grpc.ManagedChannel;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.core.AttachableDiscovery;
import io.meshclient.core.Mesh;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * The {@code xds} discovery: one ADS stream, one thread ({@code mesh-xds}) that owns all xDS state, and
 * the services' instances pushed to the mesh's watches. As an {@link AttachableDiscovery} it applies the
 * services' routes and clusters to the mesh it is attached to.
 *
 * <p>Building the mesh waits, at most {@link XdsSettings#initialWait()}, until every listed service's
 * listener, routes, clusters and endpoints are known or known not to exist; a service still undescribed
 * after that fails its calls with a {@link io.meshclient.api.NoHealthyInstanceException} until xDS
 * describes it. Thread-safe.
 */
final class XdsDiscovery implements ServiceDiscovery, AttachableDiscovery {
  private static final Logger LOG = Logger.getLogger(XdsDiscovery.class.getName());

  private final XdsSettings settings;
  /** The xDS thread (tests read its queue). */
  final XdsExecutor executor;
  private final ManagedChannel channel;
  private final XdsClient client;
  private final AdsStream stream;
  private final XdsDiscoveryMetrics metrics;
  private volatile Thread thread;
  private volatile boolean closed;

  XdsDiscovery(String name, XdsSettings settings, XdsDiscoveryMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
    this.channel = Channels.open(settings.bootstrap(), settings.keepalive()); // first: if it throws, nothing has started
    this.executor = new XdsExecutor(t -> thread = t);
    CompletableFuture<Void> settled = new CompletableFuture<>();
    Set<String> listed = settings.listeners().keySet();
    this.client = new XdsClient(name, settings.bootstrap(), listed, metrics, executor, () -> {
      metrics.updated();
      if (!settled.isDone() && clientSettled(listed)) {
        settled.complete(null);
      }
    });
    this.stream = new AdsStream(channel, settings.bootstrap().node(), executor, client, settings.reconnect(),
        settings.resourceTimeout().toMillis(), java.util.concurrent.ThreadLocalRandom.current(), metrics);
    onThread(() -> {
      client.stream(stream);
      settings.listeners().forEach(client::addService);
      stream.start();
      if (client.settled(listed)) {
        settled.complete(null);
      }
    });
    if (!listed.isEmpty()) { // with none listed there is nothing to wait for, nor to warn of
      awaitSettled(settled, listed);
    }
  }

  private void awaitSettled(CompletableFuture<Void> settled, Set<String> listed) {
    try {
      settled.get(settings.initialWait().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warning(() -> "xDS: " + settings.serverUri() + " has not described all of " + listed + " within "
          + settings.initialWait().toMillis() + " ms: calls to a service not yet described fail until it is");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  private boolean clientSettled(Set<String> listed) {
    return client.settled(listed);
  }

  @Override
  public Watch watch(String service, Listener listener) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(listener, "listener");
    String listenerName = settings.listeners().getOrDefault(service, service + ":80");
    // Never waits for the xDS thread: the mesh may call this holding the lock that thread's deliveries take.
    onThread(() -> {
      client.addService(service, listenerName);
      client.addListener(service, listener);
    });
    return () -> onThread(() -> client.removeListener(service, listener));
  }

  /** The ADS stream's state, ACK/NACK counts and versions per type, and what is not implemented. */
  @Override
  public io.meshclient.api.DiscoveryStatus status() {
    return metrics.status();
  }

  /**
   * Why a subset has no instance when it is because the control plane sent invalid (NACKed) what it needs
   * (its cluster, the cluster's endpoints, the service's listener or route configuration) and no version of
   * it was accepted before: that resource, the response's version and the problem.
   */
  @Override
  public String whyNoInstances(String service, java.util.Map<String, String> selector) {
    return client.whyNoInstances(service, selector);
  }

  @Override
  public Set<String> knownServices() {
    return settings.listeners().keySet();
  }

  @Override
  public void attach(Mesh mesh) {
    Objects.requireNonNull(mesh, "mesh");
    CompletableFuture<Void> done = new CompletableFuture<>();
    onThread(() -> {
      try {
        client.attach(mesh, this);
        done.complete(null);
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    try {
      done.get(settings.initialWait().toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      LOG.warning("xDS: applying the first configuration to the mesh took too long; it continues in the background");
    }
  }

  /**
   * Stops applying what xDS sends to {@code mesh}, which is closing; the stream stays open until this discovery
   * is closed. Never waits for the xDS thread (as {@link #watch}): the detaching runs on it before any response
   * that arrives after this returns, so none of those is laid over the closed mesh, or NACKed for its sake.
   */
  @Override
  public void detach(Mesh mesh) {
    onThread(() -> client.detach(mesh));
  }

  private void onThread(Runnable task) {
    if (closed) {
      return;
    }
    if (Thread.currentThread() == thread) {
      task.run();
    } else {
      executor.execute(task);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    onThread(() -> {
      stream.close();
      client.close();
      stopped.complete(null);
    });
    closed = true;
    if (Thread.currentThread() != thread) {
      try {
        stopped.get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // shutting down regardless
      }
    }
    executor.shutdownNow();
    channel.shutdownNow();
    metrics.connected(false);
    metrics.discoveryClosed();
  }

  @Override
  public String toString() {
    return "XdsDiscovery{" + settings + "}";
  }
}
