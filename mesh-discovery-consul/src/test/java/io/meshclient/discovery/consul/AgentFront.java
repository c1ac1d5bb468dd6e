package io.meshclient.discovery.consul;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The TCP front of the emulated agent, relaying bytes to its HTTP server. It enforces Consul's limit on
 * concurrent connections per client IP ({@code limits.http_max_conns_per_client}, 200 by default): a
 * connection over the limit is answered {@code 429 Too Many Requests} and closed, as Consul's agent
 * does. It counts connections (now, at the peak, refused), and can black-hole the agent: every byte
 * in either direction is dropped and new connections are accepted but never served, as when the network
 * to the agent is cut.
 */
final class AgentFront implements AutoCloseable {
  static final int MAX_CONNS_PER_CLIENT = 200;

  private final ServerSocket server;
  private final int backendPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger peak = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private volatile boolean blackHoled;
  private volatile boolean closed;

  AgentFront(int port, int backendPort) throws IOException {
    this.backendPort = backendPort;
    server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
    Thread acceptor = new Thread(this::accept, "agent-front-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int openConnections() {
    return open.size();
  }

  int peakConnections() {
    return peak.get();
  }

  int refusedConnections() {
    return refused.get();
  }

  void blackHole(boolean on) {
    blackHoled = on;
  }

  private void accept() {
    try {
      while (true) {
        Socket client = server.accept();
        if (open.size() >= MAX_CONNS_PER_CLIENT) {
          refused.incrementAndGet();
          refuse(client);
          continue;
        }
        open.add(client);
        if (closed) {
          client.close(); // accepted as close() ran: it may have missed it
          continue;
        }
        peak.accumulateAndGet(open.size(), Math::max);
        Thread relay = new Thread(() -> relay(client), "agent-front-relay");
        relay.setDaemon(true);
        relay.start();
      }
    } catch (IOException closed) {
      // close() ends the loop
    }
  }

  private static void refuse(Socket client) {
    try (client) {
      client.getOutputStream().write(("HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    } catch (IOException ignored) {
      // the client went away
    }
  }

  private void relay(Socket client) {
    try (client; Socket backend = new Socket(InetAddress.getLoopbackAddress(), backendPort)) {
      // Relayed pieces go out at once: with Nagle and delayed ACKs each would wait up to 200 ms.
      client.setTcpNoDelay(true);
      backend.setTcpNoDelay(true);
      Thread back = new Thread(() -> pump(backend, client), "agent-front-pump");
      back.setDaemon(true);
      back.start();
      pump(client, backend);
    } catch (IOException ignored) {
      // either side closed
    } finally {
      open.remove(client);
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16_384];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (!blackHoled) {
          out.write(buffer, 0, n);
          out.flush();
        }
      }
    } catch (IOException ignored) {
      // either side closed
    } finally {
      try {
        from.close();
        to.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /** Stops accepting and closes every relayed connection. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket socket : open) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
