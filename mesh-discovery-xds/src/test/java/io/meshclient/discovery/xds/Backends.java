package io.meshclient.discovery.xds;

import java.io.IOException;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** Named backends on 127.0.0.1, each answering every request with its own name and counting them. */
final class Backends implements AutoCloseable {
  private final Map<String, MockWebServer> servers = new LinkedHashMap<>();

  Backends(String... names) throws IOException {
    for (String name : names) {
      MockWebServer server = new MockWebServer();
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return new MockResponse.Builder().body(name).build();
        }
      });
      server.start(InetAddress.getByName("127.0.0.1"), 0);
      servers.put(name, server);
    }
  }

  int port(String name) {
    return servers.get(name).getPort();
  }

  /** Requests each backend has served, by name. */
  Map<String, Integer> counts() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    servers.forEach((name, server) -> counts.put(name, server.getRequestCount()));
    return counts;
  }

  @Override
  public void close() {
    servers.values().forEach(MockWebServer::close);
  }
}
