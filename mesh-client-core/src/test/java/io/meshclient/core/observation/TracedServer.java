package io.meshclient.core.observation;

import io.meshclient.api.ServiceInstance;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A server on 127.0.0.1 that records the {@code traceparent} of every request it gets and answers with
 * the statuses it was given, in order (200 once they run out), after an optional delay.
 */
final class TracedServer implements AutoCloseable {
  private final MockWebServer server = new MockWebServer();
  private final ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
  private final List<String> traceparents = new CopyOnWriteArrayList<>();
  private volatile long delayMillis;

  TracedServer(Integer... statuses) throws IOException {
    this.statuses.addAll(List.of(statuses));
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        traceparents.add(String.valueOf(request.getHeaders().get("traceparent")));
        if (delayMillis > 0) {
          Thread.sleep(delayMillis);
        }
        Integer status = TracedServer.this.statuses.poll();
        return new MockResponse.Builder().code(status == null ? 200 : status).body("ok").build();
      }
    });
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  TracedServer delay(long millis) {
    this.delayMillis = millis;
    return this;
  }

  ServiceInstance instance(String service, Map<String, String> metadata) {
    return ServiceInstance.builder(service, "127.0.0.1", server.getPort()).id(service + "-" + server.getPort())
        .metadata(metadata).build();
  }

  /** The {@code traceparent} headers received, in arrival order ({@code "null"} for a request without one). */
  List<String> traceparents() {
    return traceparents;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
