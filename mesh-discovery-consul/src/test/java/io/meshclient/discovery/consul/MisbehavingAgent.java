package io.meshclient.discovery.consul;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An agent on 127.0.0.1 that answers its feeds and liveness probe plainly (nothing ever changes; a
 * blocking query is held for a second) and every {@code /v1/health/service/} request with whatever its
 * {@link Fetch} writes, raw: a body that trickles, one too large, a bad header. One thread per
 * connection; each connection is closed after one answer.
 */
final class MisbehavingAgent implements AutoCloseable {

  /** Writes the whole HTTP answer to a fetch, status line included. */
  interface Fetch {
    void answer(OutputStream out) throws IOException, InterruptedException;
  }

  private final ServerSocket server;
  private final Fetch fetch;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  MisbehavingAgent(Fetch fetch) throws IOException {
    this.fetch = fetch;
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    acceptor = new Thread(this::accept, "misbehaving-agent");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Connections accepted and not yet closed by either side. */
  long openConnections() {
    return open.stream().filter(s -> !s.isClosed()).count();
  }

  private void accept() {
    try {
      while (true) {
        Socket client = server.accept();
        open.add(client);
        Thread connection = new Thread(() -> serve(client), "misbehaving-agent-connection");
        connection.setDaemon(true);
        connection.start();
      }
    } catch (IOException closed) {
      // close() ends the loop
    }
  }

  private void serve(Socket client) {
    try (client) {
      BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
          StandardCharsets.ISO_8859_1));
      String requestLine = in.readLine();
      String line;
      while ((line = in.readLine()) != null && !line.isEmpty()) {
        // headers: not needed
      }
      if (requestLine == null) {
        return;
      }
      String url = requestLine.split(" ")[1];
      OutputStream out = client.getOutputStream();
      if (url.startsWith("/v1/health/service/")) {
        fetch.answer(out);
      } else if (url.startsWith("/v1/status/leader")) {
        write(out, "\"127.0.0.1:8300\"");
      } else {
        if (!url.contains("index=0")) {
          Thread.sleep(1_000); // a blocking query on an agent where nothing changes
        }
        write(out, url.startsWith("/v1/catalog/services") ? "{\"reviews\": []}" : "[]");
      }
      out.flush();
    } catch (IOException ignored) {
      // the client went away
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(client);
    }
  }

  private static void write(OutputStream out, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Consul-Index: 5\r\nContent-Length: "
        + bytes.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
  }

  @Override
  public void close() throws IOException {
    server.close();
    try {
      acceptor.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Socket socket : open) {
      socket.close();
    }
  }
}
