package io.meshclient.discovery.xds;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Envoy's java-control-plane (V3DiscoveryServer over a SimpleCache) on 127.0.0.1, recording every request. */
final class ControlPlane implements AutoCloseable {
  private final SimpleCache<String> cache = new SimpleCache<>(node -> "mesh");
  private final List<DiscoveryRequest> requests = new CopyOnWriteArrayList<>();
  private final List<Long> streamOpens = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.atomic.AtomicInteger streamCloses = new java.util.concurrent.atomic.AtomicInteger();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final int port;
  private final Path socket;
  private final ConfigWatcher watcher;
  private Server server;
  private EpollEventLoopGroup loops;

  ControlPlane() {
    this(false, null);
  }

  /**
   * A server that answers every request with all resources of its type in the snapshot, whatever names
   * the client asked for, as a state-of-the-world server that sends its whole state does. (The SimpleCache
   * alone does not answer a request naming a resource its snapshot lacks, so it never shows a deletion.)
   */
  static ControlPlane sendingEveryResource() {
    return new ControlPlane(true, null);
  }

  /** A server on the unix domain socket {@code socket} (epoll), as Istio's agent serves its XDS proxy. */
  static ControlPlane onUnixSocket(Path socket) {
    return new ControlPlane(false, socket);
  }

  private ControlPlane(boolean everyResource, Path socket) {
    this.socket = socket;
    watcher = !everyResource ? cache : new ConfigWatcher() {
      @Override
      public Watch createWatch(boolean ads, XdsRequest request, Set<String> knownNames,
          Consumer<Response> responses, boolean hasClusterChanged, boolean allowDefaultEmptyEdsUpdate) {
        XdsRequest all = XdsRequest.create(request.v3Request().toBuilder().clearResourceNames().build());
        return cache.createWatch(ads, all, knownNames, responses, hasClusterChanged, allowDefaultEmptyEdsUpdate);
      }

      @Override
      public DeltaWatch createDeltaWatch(DeltaXdsRequest request, String version, Map<String, String> resourceVersions,
          Set<String> pending, boolean wildcard, Consumer<DeltaResponse> responses, boolean hasClusterChanged) {
        return cache.createDeltaWatch(request, version, resourceVersions, pending, wildcard, responses, hasClusterChanged);
      }
    };
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    start();
  }

  /** Starts serving (again) on the same port, from the same cache. */
  void start() {
    DiscoveryServerCallbacks callbacks = new DiscoveryServerCallbacks() {
      @Override
      public void onStreamOpen(long streamId, String typeUrl) {
        streamOpens.add(System.nanoTime());
      }

      @Override
      public void onStreamClose(long streamId, String typeUrl) {
        streamCloses.incrementAndGet();
      }

      @Override
      public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
        streamCloses.incrementAndGet();
      }

      @Override
      public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
        requests.add(request);
      }

      @Override
      public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {}
    };
    try {
      NettyServerBuilder builder;
      if (socket == null) {
        builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port));
      } else {
        loops = new EpollEventLoopGroup(1);
        builder = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class).bossEventLoopGroup(loops).workerEventLoopGroup(loops);
      }
      io.grpc.ServerInterceptor recordAuthorization = new io.grpc.ServerInterceptor() {
        @Override
        public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call,
            io.grpc.Metadata headers, io.grpc.ServerCallHandler<Q, R> next) {
          String authorization = headers.get(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER));
          if (authorization != null) {
            authorizations.add(authorization);
          }
          return next.startCall(call, headers);
        }
      };
      server = builder.addService(io.grpc.ServerInterceptors.intercept(
              new V3DiscoveryServer(callbacks, watcher).getAggregatedDiscoveryServiceImpl(), recordAuthorization))
          .build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills the server and every stream, as a crashed control plane would. */
  void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    if (loops != null) {
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }

  void set(Snapshot snapshot) {
    cache.setSnapshot("mesh", snapshot);
  }

  /** The gRPC target: {@code 127.0.0.1:<port>} or {@code unix://<path>}. */
  String target() {
    return socket != null ? "unix://" + socket : "127.0.0.1:" + port;
  }

  /** Requests that carried an error_detail (NACKs). */
  List<DiscoveryRequest> nacks() {
    return requests.stream().filter(DiscoveryRequest::hasErrorDetail).toList();
  }

  List<DiscoveryRequest> requests() {
    return List.copyOf(requests);
  }

  /** The {@code authorization} header of each ADS stream that carried one, in order. */
  List<String> authorizations() {
    return List.copyOf(authorizations);
  }

  /** When each ADS stream opened, System.nanoTime(). */
  List<Long> streamOpens() {
    return List.copyOf(streamOpens);
  }

  /** How many ADS streams have ended, closed by the client or broken. */
  int streamCloses() {
    return streamCloses.get();
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
