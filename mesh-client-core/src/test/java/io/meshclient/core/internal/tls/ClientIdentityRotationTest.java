package io.meshclient.core.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.TlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client identity follows its files: a certificate renewed without a new key is presented from the next
 * connection on; a key file that does not load keeps the identity in use, says why in one warning that quotes
 * none of the file, and the identity is taken up when the file is fixed.
 */
@Timeout(60)
class ClientIdentityRotationTest {
  private static final Logger LOG = Logger.getLogger(ReloadingKeyManager.class.getName());

  @TempDir
  Path dir;
  private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      logged.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private TestPki.Held ca;
  private TestPki.Held client;
  private Path caPem;
  private Path certFile;
  private Path keyFile;

  @BeforeEach
  void pkiAndCapture() throws Exception {
    ca = TestPki.ca("prod");
    client = TestPki.leaf(ca, "productpage", new TestPki.Leaf());
    caPem = ca.writeCertificate(dir, "ca.pem");
    certFile = client.writeCertificate(dir, "client.pem");
    keyFile = client.writeKey(dir, "client-key.pem");
    LOG.addHandler(capture);
  }

  /** A server that requires a client certificate, closes each connection, and answers with the certificate's subject. */
  private CountingTlsServer backend() throws Exception {
    return new CountingTlsServer(TestPki.leaf(ca, "reviews", new TestPki.Leaf().dns("reviews")), ca, ca)
        .requireClientCertificate().closeEvery(1).answerWithClientSubject();
  }

  @AfterEach
  void release() {
    LOG.removeHandler(capture);
  }

  private static String call(Mesh mesh) throws Exception {
    try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/").build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      return r.body().string();
    }
  }

  private Mesh mesh(int port) {
    ServiceConfig reviews = ServiceConfig.builder("reviews").outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF)
        .tls(new TlsConfig("file:" + caPem, "file:" + certFile, "file:" + keyFile, null)).build();
    return Mesh.builder().discovery("memory", new InMemoryDiscovery().set("reviews",
            List.of(ServiceInstance.of("reviews", "127.0.0.1", port))))
        .config(MeshConfig.builder().service(reviews).build()).build();
  }

  /** Moves a file's modification time on, as a rewrite a second later would. */
  private static void touch(Path file, long secondsAhead) throws Exception {
    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + secondsAhead * 1000));
  }

  @Test
  void aCertificateRenewedWithTheSameKeyIsPresentedFromTheNextConnectionOn() throws Exception {
    try (CountingTlsServer backend = backend(); Mesh mesh = mesh(backend.port())) {
      assertThat(call(mesh)).isEqualTo("CN=productpage");

      Thread.sleep(1_100); // the files are looked at once a second at most
      TestPki.leaf(ca, "productpage-renewed", new TestPki.Leaf(), client.keys()).writeCertificate(dir, "client.pem");
      touch(certFile, 5);

      assertThat(call(mesh)).isEqualTo("CN=productpage-renewed");
    }
  }

  @Test
  void aKeyFileThatDoesNotLoadKeepsTheIdentityWarnsWithoutQuotingItAndIsTakenUpWhenFixed() throws Exception {
    try (CountingTlsServer backend = backend(); Mesh mesh = mesh(backend.port())) {
      assertThat(call(mesh)).isEqualTo("CN=productpage");

      Thread.sleep(1_100);
      TestPki.Held next = TestPki.leaf(ca, "productpage-v2", new TestPki.Leaf());
      String nextKey = next.privateKeyPem();
      String halfWritten = nextKey.substring(0, nextKey.length() / 2); // a writer stopped half way
      next.writeCertificate(dir, "client.pem");
      Files.writeString(keyFile, halfWritten);
      touch(certFile, 5);
      touch(keyFile, 5);

      assertThat(call(mesh)).as("the identity in use stays").isEqualTo("CN=productpage");
      assertThat(logged).hasSize(1);
      String warning = java.text.MessageFormat.format(logged.get(0).getMessage(), logged.get(0).getParameters());
      assertThat(warning).isEqualTo("keeping the previous TLS client identity: file:" + certFile + " and file:"
          + keyFile + " do not load as a pair (GeneralSecurityException: no private key (-----BEGIN PRIVATE KEY-----, or "
          + "RSA PRIVATE KEY or EC PRIVATE KEY) in it)");
      String body = halfWritten.substring(halfWritten.indexOf('\n') + 1);
      for (String line : body.split("\n")) {
        assertThat(warning).doesNotContain(line.strip());
      }

      Thread.sleep(1_100);
      next.writeKey(dir, "client-key.pem");
      touch(keyFile, 10);

      assertThat(call(mesh)).as("the fixed files").isEqualTo("CN=productpage-v2");
    }
  }
}
