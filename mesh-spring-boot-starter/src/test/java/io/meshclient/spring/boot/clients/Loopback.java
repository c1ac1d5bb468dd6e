package io.meshclient.spring.boot.clients;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLSocketFactory;
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
    this(name, null);
  }

  /** A server that speaks TLS with {@code tls}'s certificate, or plain HTTP when it is null. */
  Loopback(String name, SSLSocketFactory tls) throws IOException {
    if (tls != null) {
      server.useHttps(tls);
    }
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        userAgents.add(String.valueOf(request.getHeaders().get("User-Agent")));
        return new MockResponse.Builder().body(name).build();
      }
    });
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  int port() {
    return server.getPort();
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
