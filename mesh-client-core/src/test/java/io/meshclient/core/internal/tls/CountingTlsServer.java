package io.meshclient.core.internal.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server on 127.0.0.1 that presents a given certificate, asks for a client certificate, counts every
 * application byte it receives, and answers each request with 200 ({@code ok}, or the subject of the client
 * certificate of the connection it came on). Public for other modules' tests, through this module's test-jar.
 */
public final class CountingTlsServer implements AutoCloseable {
  private final SSLServerSocket server;
  private final AtomicLong bytesReceived = new AtomicLong();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicReference<String> clientSubject = new AtomicReference<>();
  private final Thread acceptor;
  private final java.util.List<String> clientSubjects = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile int closeEvery;
  private volatile boolean answerWithClientSubject;
  private volatile boolean needClientAuth;
  private volatile long answerDelayMillis;

  public CountingTlsServer(TestPki.Held identity, TestPki.Held issuer, TestPki.Held clientCa) throws Exception {
    SSLContext context = TestPki.serverContext(identity, issuer, clientCa);
    server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
        InetAddress.getByName("127.0.0.1"));
    server.setWantClientAuth(true);
    acceptor = new Thread(this::acceptLoop, "counting-tls-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        SSLSocket socket = (SSLSocket) server.accept();
        Thread handler = new Thread(() -> serve(socket));
        handler.setDaemon(true);
        handler.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(SSLSocket socket) {
    try (socket) {
      // Set on each socket: the server socket's settings reach only sockets accepted after the next accept().
      if (needClientAuth) {
        socket.setNeedClientAuth(true);
      }
      socket.startHandshake();
      String subject = null;
      try {
        var peer = socket.getSession().getPeerCertificates();
        subject = ((X509Certificate) peer[0]).getSubjectX500Principal().getName();
        clientSubjects.add(subject);
      } catch (javax.net.ssl.SSLPeerUnverifiedException noClientCertificate) {
        // no client certificate
      }
      clientSubject.set(subject);
      byte[] body = (answerWithClientSubject ? String.valueOf(subject) : "ok").getBytes(StandardCharsets.US_ASCII);
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      StringBuilder head = new StringBuilder();
      int b;
      while ((b = in.read()) != -1) {
        bytesReceived.incrementAndGet();
        head.append((char) b);
        if (head.toString().endsWith("\r\n\r\n")) {
          int n = requests.incrementAndGet();
          head.setLength(0);
          boolean close = closeEvery > 0 && n % closeEvery == 0;
          if (answerDelayMillis > 0) {
            Thread.sleep(answerDelayMillis);
          }
          // One write: a second small one would wait for the client's delayed ACK (Nagle).
          byte[] status = ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n"
              + (close ? "Connection: close\r\n" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII);
          byte[] response = java.util.Arrays.copyOf(status, status.length + body.length);
          System.arraycopy(body, 0, response, status.length, body.length);
          out.write(response);
          out.flush();
          if (close) {
            return;
          }
        }
      }
    } catch (IOException handshakeOrReadFailed) {
      // a refused handshake ends here with nothing read
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Refuses a handshake without a client certificate (by default one is asked for, not required). */
  public CountingTlsServer requireClientCertificate() {
    needClientAuth = true;
    return this;
  }

  /** Waits this long before each answer. */
  public CountingTlsServer answerAfter(java.time.Duration delay) {
    this.answerDelayMillis = delay.toMillis();
    return this;
  }

  /** Answers every n-th request with {@code Connection: close}, so clients keep making new handshakes. */
  public CountingTlsServer closeEvery(int n) {
    this.closeEvery = n;
    return this;
  }

  /** Answers each request with the subject of its connection's client certificate ({@code null} without one). */
  public CountingTlsServer answerWithClientSubject() {
    this.answerWithClientSubject = true;
    return this;
  }

  /** The client certificate subject of every handshake, in order. */
  public java.util.List<String> clientSubjects() {
    return clientSubjects;
  }

  public int port() {
    return server.getLocalPort();
  }

  public long bytesReceived() {
    return bytesReceived.get();
  }

  public int requests() {
    return requests.get();
  }

  public String clientSubject() {
    return clientSubject.get();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
