package io.meshclient.discovery.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An ADS server on 127.0.0.1 that answers nothing by itself: the test sends, on the stream open now, exactly the
 * responses it wants (any type, version, nonce and resources, well-formed or not), as a faulty or hostile control
 * plane would. Every request is recorded.
 */
final class ScriptedControlPlane implements AutoCloseable {
  private final List<DiscoveryRequest> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger nonces = new AtomicInteger();
  private volatile StreamObserver<DiscoveryResponse> stream;
  private final Server server;

  ScriptedControlPlane() {
    try {
      server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
          .addService(new AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase() {
            @Override
            public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> out) {
              stream = out;
              return new StreamObserver<>() {
                @Override
                public void onNext(DiscoveryRequest request) {
                  requests.add(request);
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {}
              };
            }
          })
          .build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String target() {
    return "127.0.0.1:" + server.getPort();
  }

  /** Sends a response of {@code type} holding {@code resources}, each packed; returns its nonce. */
  String send(ResourceType type, String version, Message... resources) {
    return send(type, version, java.util.Arrays.stream(resources).map(Any::pack).toArray(Any[]::new));
  }

  /** Sends a response of {@code type} holding {@code resources} exactly as given; returns its (fresh) nonce. */
  String send(ResourceType type, String version, Any... resources) {
    return sendWithNonce(type, version, "n" + nonces.incrementAndGet(), resources);
  }

  /** Sends a response of {@code type} with {@code nonce}, holding {@code resources}, each packed; returns the nonce. */
  synchronized String sendWithNonce(ResourceType type, String version, String nonce, Message... resources) {
    return sendWithNonce(type, version, nonce, java.util.Arrays.stream(resources).map(Any::pack).toArray(Any[]::new));
  }

  private String sendWithNonce(ResourceType type, String version, String nonce, Any... resources) {
    return sendOfType(type.typeUrl(), version, nonce, resources);
  }

  /** Sends a response of the type {@code typeUrl}, any string, holding no resource; returns its nonce. */
  String sendOfType(String typeUrl, String version) {
    return sendOfType(typeUrl, version, "n" + nonces.incrementAndGet());
  }

  private synchronized String sendOfType(String typeUrl, String version, String nonce, Any... resources) {
    stream.onNext(DiscoveryResponse.newBuilder().setTypeUrl(typeUrl).setVersionInfo(version)
        .setNonce(nonce).addAllResources(List.of(resources)).build());
    return nonce;
  }

  List<DiscoveryRequest> requests() {
    return List.copyOf(requests);
  }

  /** The requests of {@code type}, in order. */
  List<DiscoveryRequest> requests(ResourceType type) {
    return requests.stream().filter(r -> r.getTypeUrl().equals(type.typeUrl())).toList();
  }

  /** Waits until the client has sent a request of {@code type} (it has opened its stream and subscribed). */
  void awaitRequest(ResourceType type) throws InterruptedException {
    Load.await(() -> !requests(type).isEmpty(), Duration.ofSeconds(10), "a " + type + " request");
  }

  /** Waits for the request answering the response of {@code nonce}: its ACK or NACK. */
  DiscoveryRequest awaitAnswer(String nonce) throws InterruptedException {
    Load.await(() -> answer(nonce) != null, Duration.ofSeconds(10), "the ACK or NACK of the response " + nonce);
    return answer(nonce);
  }

  private DiscoveryRequest answer(String nonce) {
    return requests.stream().filter(r -> r.getResponseNonce().equals(nonce)).findFirst().orElse(null);
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
