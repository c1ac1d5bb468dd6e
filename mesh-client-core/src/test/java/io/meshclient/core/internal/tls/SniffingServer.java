package io.meshclient.core.internal.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A server on 127.0.0.1 that tells TLS from plaintext by each connection's first byte (0x16 opens a TLS
 * handshake) and counts both; it completes TLS handshakes with a given certificate, records the SNI
 * names it was sent, and answers each request with 200 "ok". Plaintext connections are closed unanswered.
 */
final class SniffingServer implements AutoCloseable {
  private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
  private final SSLContext context;
  private final AtomicInteger tlsAccepts = new AtomicInteger();
  private final AtomicInteger plaintextAccepts = new AtomicInteger();
  private final List<String> serverNames = new CopyOnWriteArrayList<>();

  SniffingServer(TestPki.Held identity, TestPki.Held issuer) throws Exception {
    context = TestPki.serverContext(identity, issuer);
    Thread acceptor = new Thread(this::acceptLoop, "sniffing-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread handler = new Thread(() -> serve(socket));
        handler.setDaemon(true);
        handler.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket plain) {
    try (plain) {
      plain.setSoTimeout(5000);
      int first = plain.getInputStream().read();
      if (first != 0x16) {
        plaintextAccepts.incrementAndGet();
        return;
      }
      tlsAccepts.incrementAndGet();
      SSLSocket tls = (SSLSocket) context.getSocketFactory()
          .createSocket(plain, new ByteArrayInputStream(new byte[] {(byte) first}), true);
      tls.setUseClientMode(false);
      tls.startHandshake();
      ((ExtendedSSLSession) tls.getSession()).getRequestedServerNames()
          .forEach(name -> serverNames.add(((SNIHostName) name).getAsciiName()));
      InputStream in = tls.getInputStream();
      OutputStream out = tls.getOutputStream();
      int matched = 0;
      for (int b; (b = in.read()) != -1; ) {
        matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
        if (matched == 4) {
          out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          matched = 0;
        }
      }
    } catch (IOException refusedOrClosed) {
      // a refused handshake, or the client went away
    }
  }

  int port() {
    return server.getLocalPort();
  }

  int tlsAccepts() {
    return tlsAccepts.get();
  }

  int plaintextAccepts() {
    return plaintextAccepts.get();
  }

  List<String> serverNames() {
    return serverNames;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
