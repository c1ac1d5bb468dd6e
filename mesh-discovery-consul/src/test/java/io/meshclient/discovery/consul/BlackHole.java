package io.meshclient.discovery.consul;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A TCP server on 127.0.0.1 that accepts connections and never answers: a hung agent. */
final class BlackHole implements AutoCloseable {
  private final ServerSocket server;
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  BlackHole(int port) throws IOException {
    server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    acceptor = new Thread(() -> {
      try {
        while (true) {
          held.add(server.accept());
        }
      } catch (IOException closed) {
        // close() ends the loop
      }
    }, "black-hole-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int accepted() {
    return held.size();
  }

  @Override
  public void close() throws IOException {
    server.close();
    try {
      acceptor.join(1_000); // so that no socket accepted during close() is left open
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Socket socket : held) {
      socket.close();
    }
  }
}
