package io.meshclient.core;

import io.meshclient.api.ServiceInstance;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on a raw socket on 127.0.0.1 that answers each connection with a script, each on its own
 * daemon thread (so a connection the script holds does not stop the next one), after reading the request
 * head. Counts connections. For tests that play a broken or hostile peer.
 */
public final class HostilePeer implements AutoCloseable {
  /** What the peer does with one connection, given the request head it read (request line and headers). */
  public interface Script {
    void answer(Socket socket, String head) throws IOException, InterruptedException;
  }

  private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
  /** Connections accepted so far. */
  public final AtomicInteger connections = new AtomicInteger();

  public HostilePeer(Script script) throws IOException {
    Thread acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          connections.incrementAndGet();
          Thread handler = new Thread(() -> serve(socket, script), "hostile-peer-connection");
          handler.setDaemon(true);
          handler.start();
        } catch (IOException e) {
          // closed by close()
        }
      }
    }, "hostile-peer");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private static void serve(Socket socket, Script script) {
    try (socket) {
      socket.setSoTimeout(10_000);
      script.answer(socket, readHead(socket.getInputStream()));
      if (socket.getSoLinger() < 0 && !socket.isClosed()) {
        // A close with the request body unread would send a reset instead of the end of the stream the
        // script meant (unless it asked for a reset with SO_LINGER 0): end the output, then drain the input.
        socket.shutdownOutput();
        socket.setSoTimeout(1000);
        while (socket.getInputStream().read() != -1) {
          // the client's unread bytes
        }
      }
    } catch (IOException | InterruptedException e) {
      // the client went away, or the test ended
    }
  }

  /** The request line and headers, up to the blank line (ISO-8859-1). */
  public static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int matched = 0;
    for (int b; (b = in.read()) != -1; ) {
      head.append((char) b);
      matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
      if (matched == 4) {
        break;
      }
    }
    return head.toString();
  }

  /** Writes {@code text} (ISO-8859-1) and flushes. */
  public static void write(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  public int port() {
    return server.getLocalPort();
  }

  public ServiceInstance instance(String service, String id, Map<String, String> metadata) {
    return ServiceInstance.builder(service, "127.0.0.1", port()).id(id).metadata(metadata).build();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
