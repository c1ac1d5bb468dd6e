package io.meshclient.core;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on 127.0.0.1 that reads each request's head, then resets the connection (linger 0, close):
 * every request fails after it may have reached the server, on the connection it came on. Counts the
 * connections it accepts and the request heads it reads.
 */
final class ResettingServer implements AutoCloseable {
  private final ServerSocket server = new ServerSocket(0, 200, InetAddress.getByName("127.0.0.1"));
  private final AtomicInteger accepts = new AtomicInteger();
  private final AtomicInteger heads = new AtomicInteger();
  private final Thread acceptor;

  ResettingServer() throws IOException {
    acceptor = new Thread(this::acceptLoop, "resetting-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  int accepts() {
    return accepts.get();
  }

  int heads() {
    return heads.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try (Socket socket = server.accept()) {
        accepts.incrementAndGet();
        socket.setSoTimeout(5000);
        if (readHead(socket.getInputStream())) {
          heads.incrementAndGet();
        }
        socket.setSoLinger(true, 0);
      } catch (IOException e) {
        // closed by close(), or the client went away: next
      }
    }
  }

  /** Reads up to the blank line that ends a request head; false if the stream ended first. */
  private static boolean readHead(InputStream in) throws IOException {
    int matched = 0;
    for (int b; (b = in.read()) != -1; ) {
      matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
      if (matched == 4) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
