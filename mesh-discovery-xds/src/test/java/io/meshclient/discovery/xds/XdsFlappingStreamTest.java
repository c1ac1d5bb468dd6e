package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.spi.DiscoveryContext;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A control plane that answers each stream once and then ends it (a server in a crash loop, or a proxy
 * that closes streams): the client must not reconnect in a tight loop because the stream had answered.
 */
@Timeout(30)
class XdsFlappingStreamTest {
  final AtomicInteger streams = new AtomicInteger();
  Server server;

  @BeforeEach
  void start() throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase() {
          @Override
          public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> out) {
            streams.incrementAndGet();
            return new StreamObserver<>() {
              boolean answered;

              @Override
              public synchronized void onNext(DiscoveryRequest request) {
                if (!answered) {
                  answered = true;
                  out.onNext(DiscoveryResponse.newBuilder().setTypeUrl(request.getTypeUrl())
                      .setVersionInfo("1").setNonce("n").build());
                  out.onCompleted();
                }
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            };
          }
        })
        .build().start();
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void aStreamThatAnswersAndEndsIsReopenedAfterTheInitialBackoffNotInATightLoop() throws Exception {
    Map<String, Object> settings = new LinkedHashMap<>(Map.of("server-uri", "127.0.0.1:" + server.getPort(),
        "node-id", "test~reviews", "services", Map.of("reviews", 9080), "initial-wait", "0s",
        "reconnect", Map.of("initial", "1s", "multiplier", 1.6, "max", "2s")));
    XdsDiscoveryMetrics metrics = new XdsDiscoveryMetrics();
    try (ServiceDiscovery xds =
        new XdsDiscoveryProvider(metrics).create(new DiscoveryContext("mesh.discovery.xds", settings))) {
      Thread.sleep(3_000);
      int opened = streams.get();
      System.out.println("streams opened in 3 s against a server ending each after one answer: " + opened);
      // the first stream, then one per initial backoff (1 s +-20%) at most: 4 in 3 s, not thousands
      assertThat(opened).as("streams opened in 3 s").isBetween(2, 5);
      assertThat(metrics.reconnects()).isBetween(1L, 5L);
    }
  }
}
