package io.meshclient.discovery.consul;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * The HTTP/1.1 front of the emulated agent: one thread per connection reads each request and writes
 * its answer itself, so that a request costs the agent one thread wake-up, as a real agent's would
 * (a relay to a separate server cost four more, which on a loaded machine made each answer wait for
 * the scheduler several times). It enforces Consul's limit on concurrent connections per client IP
 * ({@code limits.http_max_conns_per_client}, 200 by default): a connection over the limit is answered
 * {@code 429 Too Many Requests} and closed, as Consul's agent does. It counts connections (now, at the
 * peak, refused), and can black-hole the agent: as when the network to it is cut, no request is
 * answered (new connections are accepted but not served) until the network is back, when what was
 * sent meanwhile goes through, as TCP's retransmissions would carry it. Requests are GETs without bodies; keep-alive is honoured.
 */
final class AgentFront implements AutoCloseable {
  static final int MAX_CONNS_PER_CLIENT = 200;
  private static final int MAX_LINE = 64 * 1024;

  /** One answer: status, body and {@code X-Consul-Index} (none if null). */
  record Reply(int status, String body, Long index) {}

  /** Answers one request, given its URL (raw path and query) and its {@code X-Consul-Token} header. */
  interface Handler {
    Reply answer(String url, String token) throws InterruptedException;
  }

  private final ServerSocket server;
  private final Handler handler;
  private final Thread acceptor;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger peak = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private volatile boolean blackHoled;
  private volatile boolean closed;

  /** Serves {@code handler} on {@code port}, over TLS with {@code tls} unless it is null. */
  AgentFront(int port, SSLContext tls, boolean needClientAuth, Handler handler) throws IOException {
    this.handler = handler;
    server = tls == null ? new ServerSocket() : tls.getServerSocketFactory().createServerSocket();
    if (server instanceof SSLServerSocket secure) {
      secure.setNeedClientAuth(needClientAuth);
    }
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
    acceptor = new Thread(this::accept, "agent-front-" + port);
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
        Thread connection = new Thread(() -> serve(client), "agent-front-connection");
        connection.setDaemon(true);
        connection.start();
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

  private void serve(Socket client) {
    try (client) {
      client.setTcpNoDelay(true);
      PushbackInputStream in = new PushbackInputStream(new BufferedInputStream(client.getInputStream()));
      OutputStream out = new BufferedOutputStream(client.getOutputStream());
      String requestLine;
      while ((requestLine = readLine(in)) != null) {
        if (requestLine.isEmpty()) {
          continue;
        }
        String token = null;
        boolean close = false;
        long bodyLength = 0;
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
          int colon = line.indexOf(':');
          String name = colon < 0 ? line : line.substring(0, colon).trim();
          String value = colon < 0 ? "" : line.substring(colon + 1).trim();
          if (name.equalsIgnoreCase(AgentHttpClients.TOKEN_HEADER)) {
            token = value;
          } else if (name.equalsIgnoreCase("Connection")) {
            close = value.equalsIgnoreCase("close");
          } else if (name.equalsIgnoreCase("Content-Length")) {
            bodyLength = Long.parseLong(value);
          }
        }
        if (line == null) {
          return;
        }
        in.skipNBytes(bodyLength);
        awaitReachable();
        String[] parts = requestLine.split(" ");
        String url = parts.length > 1 ? parts[1] : "/";
        Thread watcher = blocking(url) ? watchPeer(client, in) : null;
        Reply reply = handler.answer(url, token);
        awaitReachable();
        write(out, reply, close);
        if (watcher != null) {
          watcher.join(); // it holds the first byte of the next request, or saw the peer go
        }
        if (close || !open.contains(client)) {
          return;
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // the client went away, or the front closed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(client);
    }
  }

  /** Whether {@code url} is a blocking query (a non-zero {@code index}), which the agent may hold for minutes. */
  private static boolean blocking(String url) {
    int query = url.indexOf('?');
    if (query < 0) {
      return false;
    }
    for (String parameter : url.substring(query + 1).split("&")) {
      if (parameter.startsWith("index=")) {
        return !parameter.equals("index=0") && !parameter.equals("index=");
      }
    }
    return false;
  }

  /**
   * While a blocking query is held, notices a client that goes away, as Consul does, so that its
   * connection no longer counts: reads one byte (the next request's first, pushed back) or the end.
   */
  private Thread watchPeer(Socket client, PushbackInputStream in) {
    Thread watcher = new Thread(() -> {
      try {
        int first = in.read();
        if (first >= 0) {
          in.unread(first);
          return;
        }
      } catch (IOException gone) {
        // the same as the end of the stream
      }
      open.remove(client);
    }, "agent-front-peer");
    watcher.setDaemon(true);
    watcher.start();
    return watcher;
  }

  private static void write(OutputStream out, Reply reply, boolean close) throws IOException {
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder("HTTP/1.1 ").append(reply.status()).append(' ')
        .append(reason(reply.status())).append("\r\nContent-Length: ").append(body.length).append("\r\n");
    if (reply.status() == 200) {
      head.append("Content-Type: application/json\r\nX-Consul-Knownleader: true\r\n");
    }
    if (reply.index() != null) {
      head.append("X-Consul-Index: ").append(Long.toUnsignedString(reply.index())).append("\r\n");
    }
    if (close) {
      head.append("Connection: close\r\n");
    }
    out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 403 -> "Forbidden";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      default -> "Status " + status;
    };
  }

  /**
   * Waits while the agent is black-holed. Bytes sent meanwhile are not lost, as TCP retransmits them
   * once the network is back: the request (or the answer) goes through then, unless the peer gave up.
   */
  private void awaitReachable() throws InterruptedException {
    while (blackHoled && !closed) {
      Thread.sleep(5);
    }
  }

  /** One line without its CRLF, or null at the end of the stream. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        break;
      }
      if (line.size() >= MAX_LINE) {
        throw new IOException("request line or header over " + MAX_LINE + " bytes");
      }
      line.write(b);
    }
    if (b < 0 && line.size() == 0) {
      return null;
    }
    String text = line.toString(StandardCharsets.ISO_8859_1);
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }

  /**
   * Stops accepting and closes every connection. Returns once the port is free: the listening socket
   * is released only when the thread blocked in accept() has returned.
   */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
      acceptor.join(2_000);
    } catch (IOException ignored) {
      // closing anyway
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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
