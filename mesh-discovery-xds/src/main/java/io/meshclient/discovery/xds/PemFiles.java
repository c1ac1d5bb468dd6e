package io.meshclient.discovery.xds;

import static io.meshclient.api.ConfigurationException.problem;

import io.meshclient.core.internal.ConfigFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.List;

/**
 * Checks, when the bootstrap is read, the PEM files of its {@code tls} channel credentials. gRPC reads them
 * only when the channel is built, and refuses a file that is not PEM with an {@code IllegalArgumentException}
 * naming neither the file nor the bootstrap key. Key material is never echoed: only the file's name.
 */
final class PemFiles {
  private static final int MAX_BYTES = 1 << 20;

  private PemFiles() {}

  /** Adds a problem naming {@code key} unless {@code file} (if set) holds PEM certificates. */
  static void certificates(String key, Path file, List<String> problems) {
    if (file == null) {
      return;
    }
    try {
      byte[] content = ConfigFiles.readAtMost(file, MAX_BYTES); // never whole: /dev/zero has size 0
      if (content == null || CertificateFactory.getInstance("X.509")
          .generateCertificates(new java.io.ByteArrayInputStream(content)).isEmpty()) {
        problems.add(problem(key, file, "a readable PEM file of X.509 certificates"));
      }
    } catch (CertificateException e) { // not PEM, or PEM of something else
      problems.add(problem(key, file, "a readable PEM file of X.509 certificates"));
    } catch (IOException | RuntimeException e) {
      problems.add(problem(key, file, "a readable PEM file of X.509 certificates (" + e.getClass().getSimpleName()
          + ")"));
    }
  }

  /** Adds a problem naming {@code key} unless {@code file} (if set) is a readable PEM private key. */
  static void privateKey(String key, Path file, List<String> problems) {
    if (file == null) {
      return;
    }
    try {
      byte[] content = ConfigFiles.readAtMost(file, MAX_BYTES); // never whole: /dev/zero has size 0
      String text = content == null ? "" : new String(content, StandardCharsets.US_ASCII);
      if (!(text.contains("-----BEGIN ") && text.contains("PRIVATE KEY-----"))) {
        problems.add(problem(key, file, "a readable PEM private key file"));
      }
    } catch (IOException | RuntimeException e) {
      problems.add(problem(key, file, "a readable PEM private key file (" + e.getClass().getSimpleName() + ")"));
    }
  }
}
