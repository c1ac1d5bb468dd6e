package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.observation.MeshAttemptContext;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A GET whose pooled connection the server closes as it reads the request is sent again, uncounted against
 * {@code retry.attempts}, the budget and the instance. It is still a request sent: the call's record, its attempt
 * events and its trace say two were.
 */
@Timeout(30)
class FreeResendRecordTest {
  private final List<RoutingDecision> decisions = new CopyOnWriteArrayList<>();
  private final List<CallRecord> records = new CopyOnWriteArrayList<>();
  /** The attempt observations started, as "kind number". */
  private final List<String> attempts = new CopyOnWriteArrayList<>();

  private final CallListener.Factory listeners = (service, request) -> new CallListener() {
    @Override
    public void onAttempt(RoutingDecision decision) {
      decisions.add(decision);
    }

    @Override
    public void onEnd(CallRecord record) {
      records.add(record);
    }
  };

  private ObservationRegistry observations() {
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(new ObservationHandler<MeshAttemptContext>() {
      @Override
      public void onStart(MeshAttemptContext context) {
        attempts.add(context.attemptKind().tagValue() + " " + context.attempt());
      }

      @Override
      public boolean supportsContext(Observation.Context context) {
        return context instanceof MeshAttemptContext;
      }
    });
    return registry;
  }

  @Test
  void aResendAfterADeadPooledConnectionIsAnAttemptInTheRecordTheAttemptEventsAndTheTrace() throws Exception {
    // The resend was made with the attempt number taken back: a record of 1 attempt, two attempt events both
    // numbered 1, and two spans both "first 1", for two requests on the wire.
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().body("first").build());
      server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
      server.enqueue(new MockResponse.Builder().body("again").build());
      server.start(InetAddress.getByName("127.0.0.1"), 0);
      InMemoryDiscovery discovery = new InMemoryDiscovery()
          .set("orders", List.of(ServiceInstance.of("orders", "127.0.0.1", server.getPort())));
      try (Mesh mesh = Mesh.builder().discovery("memory", discovery).callListenerFactory(listeners)
          .observationRegistry(observations())
          .config(MeshConfig.builder().service(ServiceConfig.builder("orders").build()).build()).build()) {
        try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://orders/a").build()).execute()) {
          assertThat(r.body().string()).isEqualTo("first");
        }
        decisions.clear();
        records.clear();
        attempts.clear();
        try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://orders/b").build()).execute()) {
          assertThat(r.body().string()).isEqualTo("again");
        }
      }
      assertThat(server.getRequestCount()).isEqualTo(3);
    }
    assertThat(records).hasSize(1);
    assertThat(records.get(0).attempts()).isEqualTo(2);
    assertThat(decisions).extracting(RoutingDecision::attempt).containsExactly(1, 2);
    assertThat(records.get(0).lastAttempt()).isSameAs(decisions.get(1));
    assertThat(attempts).containsExactly("first 1", "retry 2");
  }
}
