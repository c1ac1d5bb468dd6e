package io.meshclient.core.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.TlsConfig;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PEM file of more than 4 MB (a wrong path, a device) is refused unread, at start-up as a configuration error
 * naming the key, at rotation by keeping the identity in use; read whole, a file past 2 GB threw OutOfMemoryError.
 */
@Timeout(60)
class PemFileSizeTest {
  @TempDir
  Path dir;

  /** A sparse file of 3 GB: no disk used, but more than a Java array holds. */
  private Path huge(String name) throws Exception {
    Path file = dir.resolve(name);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(3L * 1024 * 1024 * 1024);
    }
    return file;
  }

  private static Mesh mesh(TlsConfig tls, int port) {
    ServiceConfig reviews = ServiceConfig.builder("reviews").outlierDetection(ServiceConfig.OUTLIER_DETECTION_OFF)
        .tls(tls).build();
    return Mesh.builder().discovery("memory", new InMemoryDiscovery().set("reviews",
            List.of(ServiceInstance.of("reviews", "127.0.0.1", port))))
        .config(MeshConfig.builder().service(reviews).build()).build();
  }

  @Test
  void aTrustFileOfMoreThan4MbIsAConfigurationErrorNamingTheKeyNotAnOutOfMemoryError() throws Exception {
    Path trust = huge("ca.pem");
    assertThatThrownBy(() -> mesh(new TlsConfig("file:" + trust, null, null, null), 1))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("mesh.services.reviews.tls.trust: file:" + trust + " (expected: a readable PEM bundle of CA "
            + "certificates (a file of more than 4 MB, not read))");
  }

  @Test
  void aCertificateFileReplacedByOneOfMoreThan4MbKeepsTheIdentityInUse() throws Exception {
    TestPki.Held ca = TestPki.ca("prod");
    TestPki.Held client = TestPki.leaf(ca, "productpage", new TestPki.Leaf());
    Path caPem = ca.writeCertificate(dir, "ca.pem");
    Path certFile = client.writeCertificate(dir, "client.pem");
    Path keyFile = client.writeKey(dir, "client-key.pem");
    TestPki.Held server = TestPki.leaf(ca, "reviews", new TestPki.Leaf().dns("reviews"));
    try (CountingTlsServer backend = new CountingTlsServer(server, ca, ca).requireClientCertificate().closeEvery(1)
        .answerWithClientSubject();
        Mesh mesh = mesh(new TlsConfig("file:" + caPem, "file:" + certFile, "file:" + keyFile, null), backend.port())) {
      assertThat(call(mesh)).isEqualTo("CN=productpage");

      Thread.sleep(1_100); // the files are looked at once a second at most
      Files.delete(certFile);
      huge("client.pem");
      Files.setLastModifiedTime(certFile, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
      Files.setLastModifiedTime(keyFile, FileTime.fromMillis(System.currentTimeMillis() + 5_000));

      assertThat(call(mesh)).isEqualTo("CN=productpage");
    }
  }

  private static String call(Mesh mesh) throws Exception {
    try (Response r = mesh.httpClient().newCall(new Request.Builder().url("http://reviews/").build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      return r.body().string();
    }
  }
}
