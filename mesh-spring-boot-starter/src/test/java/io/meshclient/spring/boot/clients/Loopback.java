package io.meshclient.spring.boot.clients;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A MockWebServer on loopback that answers every request {@code 200 <name>} and records the User-Agent of
 * each, so that a test tells the mesh's OkHttp client ({@code okhttp/...}) from the application's own.
 */
final class Loopback implements AutoCloseable {
  private final MockWebServer server = new MockWebServer();
  private final List<String> userAgents = new CopyOnWriteArrayList<>();

  Loopback(String name) throws IOException {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        userAgents.add(String.valueOf(request.getHeaders().get("User-Agent")));
        return new MockResponse.Builder().body(name).build();
      }
    });
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** The User-Agent of every request received so far, in order. */
  List<String> userAgents() {
    return List.copyOf(userAgents);
  }

  @Override
  public void close() {
    server.close();
  }
}
