package io.meshclient.discovery.kubernetes;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** Named HTTP backends on 127.0.0.1 that answer 200 with their name and count what they serve. */
final class Backends implements AutoCloseable {
  private final Map<String, MockWebServer> servers = new LinkedHashMap<>();
  private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();

  Backends(String... names) throws IOException {
    for (String name : names) {
      MockWebServer server = new MockWebServer();
      AtomicInteger count = new AtomicInteger();
      served.put(name, count);
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          count.incrementAndGet();
          return new MockResponse.Builder().code(200).body(name).build();
        }
      });
      server.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
      servers.put(name, server);
    }
  }

  int port(String name) {
    return servers.get(name).getPort();
  }

  int served(String name) {
    return served.get(name).get();
  }

  @Override
  public void close() throws IOException {
    for (MockWebServer server : servers.values()) {
      server.close();
    }
  }
}
