package io.meshclient.discovery.xds;

import com.google.protobuf.Any;
import com.google.rpc.Status;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

/**
 * One state-of-the-world ADS stream: subscriptions per type, ACK/NACK with {@code version_info} and
 * {@code response_nonce} per type, the does-not-exist timer, and reconnects with backoff that resend the
 * last ACKed versions and every subscription.
 *
 * <p>Confined to one thread: every method is called on, and every callback runs on, the executor given.
 */
final class AdsStream implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(AdsStream.class.getName());
  /** google.rpc.Code.INVALID_ARGUMENT, sent in a NACK's error_detail. */
  private static final int INVALID_ARGUMENT = 3;

  /** What the stream tells its owner; runs on the stream's thread. */
  interface Handler {
    /**
     * Validates and applies a response's resources (the whole state of the world of {@code type}); its valid
     * resources are applied even when some are invalid (gRFC A46).
     *
     * @return null to ACK, or the error detail to NACK with (naming each invalid resource and its field)
     */
    String onResponse(ResourceType type, String version, List<Any> resources);

    /** {@code name} was subscribed and not sent within the resource timeout. */
    void onDoesNotExist(ResourceType type, String name);

    /** The stream opened (a response arrived; {@code why} null) or broke ({@code why} it ended). */
    void onConnection(boolean connected, String why);
  }

  private final ManagedChannel channel;
  private final io.envoyproxy.envoy.config.core.v3.Node node;
  private final ScheduledExecutorService executor;
  private final Handler handler;
  private final Backoff backoff;
  private final long resourceTimeoutMillis;
  private final RandomGenerator random;
  private final XdsDiscoveryMetrics metrics;
  private final Map<ResourceType, TypeState> types = new EnumMap<>(ResourceType.class);
  private ClientCallStreamObserver<DiscoveryRequest> requests;
  private int generation;
  private int failedAttempts;
  private boolean receivedOnThisStream;
  /** Whether the current stream is ready: connected, so what it sends reaches the server. */
  private boolean ready;
  /** When the current stream was opened, {@link System#nanoTime()}. */
  private long streamStart;
  private ScheduledFuture<?> reconnect;
  private boolean closed;

  AdsStream(ManagedChannel channel, io.envoyproxy.envoy.config.core.v3.Node node, ScheduledExecutorService executor,
      Handler handler, Backoff backoff, long resourceTimeoutMillis, RandomGenerator random, XdsDiscoveryMetrics metrics) {
    this.channel = channel;
    this.node = node;
    this.executor = executor;
    this.handler = handler;
    this.backoff = backoff;
    this.resourceTimeoutMillis = resourceTimeoutMillis;
    this.random = random;
    this.metrics = metrics;
    for (ResourceType t : ResourceType.values()) {
      types.put(t, new TypeState());
    }
  }

  /** Opens the stream. */
  void start() {
    connect();
  }

  /**
   * Subscribes to exactly {@code names} of {@code type} (an empty set unsubscribes; null subscribes to
   * every resource of the type, a wildcard). Sends a request only if the set changed, and never an empty
   * resource_names list that is not an unsubscription: as the first request of a type on a stream, an
   * empty list is the legacy wildcard (every resource of the type), so a type with no name yet is not asked
   * for at all, and an empty list goes only to a stream that was sent names of that type.
   */
  void subscribe(ResourceType type, Set<String> names) {
    TypeState s = types.get(type);
    Set<String> next = names == null ? null : new LinkedHashSet<>(names);
    if (s.subscribed && Objects.equals(s.names, next)) {
      return;
    }
    s.subscribed = true;
    s.names = next;
    if (next != null) { // what an unsubscribed name left behind goes with it
      s.known.retainAll(next);
      s.absent.retainAll(next);
      s.timers.keySet().stream().filter(n -> !next.contains(n)).toList().forEach(n -> s.timers.remove(n).cancel(false));
    }
    if (requests != null) {
      send(type, null);
    }
  }

  /** The version last ACKed for {@code type}, or the empty string. */
  String ackedVersion(ResourceType type) {
    return types.get(type).version;
  }

  private void connect() {
    if (closed) {
      return;
    }
    int gen = ++generation;
    if (failedAttempts > 0) {
      channel.resetConnectBackoff(); // this stream's backoff governs, not the channel's own (up to 120 s)
    }
    receivedOnThisStream = false;
    ready = false;
    streamStart = System.nanoTime();
    AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub stub =
        AggregatedDiscoveryServiceGrpc.newStub(channel);
    stub.streamAggregatedResources(new ClientResponseObserver<DiscoveryRequest, DiscoveryResponse>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> requestStream) {
        // As gRPC's client: the does-not-exist timers start once the stream is ready, not while it is still
        // connecting (a control plane that does not answer the handshake is not one that sent no resource)
        requestStream.setOnReadyHandler(() -> run(() -> {
          if (gen == generation && !closed && requests != null) {
            becameReady();
          }
        }));
        run(() -> {
          if (gen == generation && !closed) {
            requests = requestStream;
            types.values().forEach(s -> {
              s.nonce = "";
              s.namedOnThisStream = false;
            });
            for (ResourceType t : ResourceType.values()) {
              if (types.get(t).subscribed) {
                send(t, null);
              }
            }
          } else {
            requestStream.cancel("superseded", null);
          }
        });
      }

      @Override
      public void onNext(DiscoveryResponse response) {
        run(() -> {
          if (gen == generation && !closed) {
            onResponse(response);
          }
        });
      }

      @Override
      public void onError(Throwable t) {
        run(() -> {
          if (gen == generation) {
            io.grpc.Status status = io.grpc.Status.fromThrowable(t); // the description may be the server's
            onStreamEnd(status.getCode() + ": " + (status.getDescription() == null ? "null"
                : ServerStrings.printable(status.getDescription())));
          }
        });
      }

      @Override
      public void onCompleted() {
        run(() -> {
          if (gen == generation) {
            onStreamEnd("closed by the server");
          }
        });
      }
    });
  }

  /** Runs {@code task} on the stream's thread, unless the discovery has been closed meanwhile. */
  private void run(Runnable task) {
    try {
      executor.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
      // the discovery is closed: nothing to do
    }
  }

  private void onResponse(DiscoveryResponse response) {
    becameReady(); // an answer proves it, were the ready callback late
    if (!receivedOnThisStream) {
      receivedOnThisStream = true;
      failedAttempts = 0;
      metrics.connected(true);
      handler.onConnection(true, null);
    }
    ResourceType type = ResourceType.of(response.getTypeUrl());
    if (type == null) {
      LOG.warning(() -> "xDS: ignoring a response of the unsubscribed type "
          + ServerStrings.printable(response.getTypeUrl()));
      return;
    }
    TypeState s = types.get(type);
    if (!s.subscribed) { // as gRPC: an ACK would be this type's first request, naming nothing: the wildcard
      if (!s.unsolicited) {
        s.unsolicited = true;
        LOG.warning(() -> "xDS: ignoring responses of " + type + ", which this client has not asked for");
      }
      return;
    }
    String version = response.getVersionInfo();
    // A nonce over the bound is not kept, nor sent back: the NACK carries the one before, which a server that
    // checks nonces takes as stale; it is answered once it sends one within the bound.
    if (response.getNonce().length() <= ServerStrings.MAX_LENGTH) {
      s.nonce = response.getNonce();
    }
    String error = ServerStrings.tooLong(type, version, response.getNonce());
    if (error == null) {
      try {
        error = handler.onResponse(type, version, response.getResourcesList());
      } catch (RuntimeException e) {
        error = type + " version " + ServerStrings.printable(version) + ": "
            + ServerStrings.printable(e.toString(), ResourceUpdate.MAX_DETAIL);
      }
    }
    if (error == null) {
      s.lastError = null;
      s.version = version;
      metrics.acked(type, version);
      send(type, null);
    } else {
      String detail = error;
      String shown = "NACK " + type + " version " + ServerStrings.printable(version) + ": "
          + ServerStrings.printable(detail, 2 * ResourceUpdate.MAX_DETAIL); // a refusal's reason, then the problems
      if (!detail.equals(s.lastError)) { // a server that resends what was refused is not logged again
        LOG.warning(() -> "xDS: " + shown);
      }
      s.lastError = detail;
      metrics.nacked(type, shown);
      send(type, detail);
    }
  }

  /** Records which names a response of {@code type} carried, for the does-not-exist timer. */
  void received(ResourceType type, Set<String> names) {
    TypeState s = types.get(type);
    if (type.missingMeansDeleted()) {
      s.known.clear();
    }
    s.known.addAll(names);
  }

  private void send(ResourceType type, String errorDetail) {
    TypeState s = types.get(type);
    if (s.names != null && s.names.isEmpty() && !s.namedOnThisStream) {
      return; // would be a wildcard: nothing to unsubscribe from on this stream
    }
    s.namedOnThisStream |= s.names != null && !s.names.isEmpty();
    DiscoveryRequest.Builder r = DiscoveryRequest.newBuilder()
        .setTypeUrl(type.typeUrl())
        .setNode(node)
        .setVersionInfo(s.version)
        .setResponseNonce(s.nonce);
    if (s.names != null) {
      r.addAllResourceNames(s.names);
    }
    if (errorDetail != null) {
      r.setErrorDetail(Status.newBuilder().setCode(INVALID_ARGUMENT).setMessage(errorDetail));
    }
    requests.onNext(r.build());
    if (ready) {
      armTimers(type);
    }
  }

  /** The current stream is ready: the timers of what it asked for start, once. */
  private void becameReady() {
    if (!ready) {
      ready = true;
      types.keySet().forEach(this::armTimers);
    }
  }

  /** Starts the does-not-exist timer of each subscribed name not yet received. */
  private void armTimers(ResourceType type) {
    TypeState s = types.get(type);
    if (s.names == null) {
      return;
    }
    int gen = generation;
    for (String name : s.names) {
      if (!s.known.contains(name) && !s.timers.containsKey(name) && !s.absent.contains(name)) {
        s.timers.put(name, executor.schedule(() -> {
          s.timers.remove(name);
          if (gen == generation && !closed && s.names != null && s.names.contains(name) && !s.known.contains(name)) {
            s.absent.add(name);
            handler.onDoesNotExist(type, name);
          }
        }, resourceTimeoutMillis, TimeUnit.MILLISECONDS));
      }
    }
  }

  /** Whether {@code name} was taken not to exist (its timer fired and it has not arrived since). */
  boolean absent(ResourceType type, String name) {
    TypeState s = types.get(type);
    if (s.known.contains(name)) {
      s.absent.remove(name);
      return false;
    }
    return s.absent.contains(name);
  }

  private void onStreamEnd(String why) {
    requests = null;
    types.values().forEach(s -> {
      s.timers.values().forEach(f -> f.cancel(false));
      s.timers.clear();
    });
    if (closed) {
      return;
    }
    metrics.connected(false);
    handler.onConnection(false, why);
    if (receivedOnThisStream) {
      failedAttempts = 0;
    }
    failedAttempts++;
    // As gRPC's xDS client: a stream that answered resets the backoff, but the next one still opens no
    // sooner than the first delay after this one opened, or a server that answers and ends every stream
    // (a crash loop, a proxy closing streams) gets reconnected to in a tight loop.
    long wait = backoff.delayMillis(failedAttempts, random);
    long delay = !receivedOnThisStream ? wait
        : Math.max(0, wait - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - streamStart));
    metrics.reconnectScheduled(delay, String.valueOf(why));
    LOG.warning(() -> "xDS: stream to the server ended (" + why + "); reconnecting in " + delay + " ms");
    reconnect = executor.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    closed = true;
    if (reconnect != null) {
      reconnect.cancel(false);
    }
    if (requests != null) {
      requests.cancel("closed", null);
      requests = null;
    }
    types.values().forEach(s -> s.timers.values().forEach(f -> f.cancel(false)));
  }

  /** Per-type protocol state. */
  private static final class TypeState {
    boolean subscribed;
    /** Subscribed names; null for a wildcard. */
    Set<String> names;
    String version = "";
    String nonce = "";
    String lastError;
    /** Whether a response of the type came before it was subscribed to (logged once). */
    boolean unsolicited;
    /** Whether a request naming resources of the type was sent on the current stream. */
    boolean namedOnThisStream;
    final Set<String> known = new HashSet<>();
    final Set<String> absent = new HashSet<>();
    final Map<String, ScheduledFuture<?>> timers = new HashMap<>();
  }
}
