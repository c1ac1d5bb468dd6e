package io.meshclient.core.internal.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PEM file named by a location ({@code file:path}, {@code classpath:path} or a path) and what it
 * holds: certificates and at most one private key (PKCS#8, or PKCS#1 RSA and SEC1 EC as Istio's agent writes
 * them). Parse errors never include the file's content.
 */
final class PemSource {
  private static final Pattern PRIVATE_KEY =
      Pattern.compile("-----BEGIN ((?:RSA |EC )?PRIVATE KEY)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private static final Pattern ENCRYPTED =
      Pattern.compile("-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\\s*4\\s*,\\s*ENCRYPTED");

  /** The largest PEM file read: a CA bundle of every public root is about 250 KB. */
  static final int MAX_BYTES = 4 * 1024 * 1024;

  private final String location;
  private final Path path;
  /** Why the location is no path this platform has (a NUL character, say), or null. */
  private final String invalidPath;
  private final ClassLoader classLoader;

  PemSource(String location, ClassLoader classLoader) {
    this.location = location;
    this.classLoader = classLoader;
    Path p = null;
    String invalid = null;
    if (!location.startsWith("classpath:")) {
      try {
        p = Path.of(location.startsWith("file:") ? location.substring(5) : location);
      } catch (java.nio.file.InvalidPathException e) {
        invalid = "not a file path: " + e.getReason(); // read() reports it, as a missing file is
      }
    }
    this.path = p;
    this.invalidPath = invalid;
  }

  String location() {
    return location;
  }

  /** The file's modification time in millis, or 0 for classpath resources and missing files. */
  long lastModified() {
    try {
      return path == null ? 0 : Files.getLastModifiedTime(path).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  String read() throws IOException {
    if (invalidPath != null) {
      throw new IOException(invalidPath);
    }
    if (path != null) {
      try (InputStream in = Files.newInputStream(path)) {
        return ascii(in);
      }
    }
    String resource = location.substring("classpath:".length());
    try (InputStream in = classLoader.getResourceAsStream(resource.startsWith("/") ? resource.substring(1) : resource)) {
      if (in == null) {
        throw new IOException("no such resource on the classpath");
      }
      return ascii(in);
    }
  }

  /**
   * The text of {@code in}, read no further than {@link #MAX_BYTES}: a larger file (a device, a wrong path) is
   * refused rather than read whole, which past 2 GB threw OutOfMemoryError, an Error the rotation check does not
   * catch. Bytes other than ASCII are refused ({@link java.nio.charset.CharacterCodingException}), not replaced.
   */
  private static String ascii(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_BYTES + 1);
    if (bytes.length > MAX_BYTES) {
      throw new IOException("a file of more than 4 MB, not read");
    }
    return StandardCharsets.US_ASCII.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
  }

  /** The certificates in the file, in order. */
  List<X509Certificate> certificates() throws IOException, GeneralSecurityException {
    String pem = read();
    List<X509Certificate> out = new ArrayList<>();
    if (pem.contains("-----BEGIN CERTIFICATE-----")) {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      String onlyCertificates = PRIVATE_KEY.matcher(pem).replaceAll("");
      for (var c : factory.generateCertificates(new ByteArrayInputStream(
          onlyCertificates.getBytes(StandardCharsets.US_ASCII)))) {
        out.add((X509Certificate) c);
      }
    }
    if (out.isEmpty()) {
      throw new GeneralSecurityException("no PEM certificate in it");
    }
    return out;
  }

  /** The private key in the file: PKCS#8 (RSA, EC or Ed25519), PKCS#1 (RSA) or SEC1 (EC). */
  PrivateKey privateKey() throws IOException, GeneralSecurityException {
    String pem = read();
    Matcher m = PRIVATE_KEY.matcher(pem);
    if (!m.find()) {
      if (ENCRYPTED.matcher(pem).find()) {
        throw new GeneralSecurityException("an encrypted private key (ENCRYPTED PRIVATE KEY, or Proc-Type: "
            + "4,ENCRYPTED), which the mesh cannot decrypt: write the key unencrypted, such as with "
            + "openssl pkcs8 -topk8 -nocrypt");
      }
      throw new GeneralSecurityException("no private key (-----BEGIN PRIVATE KEY-----, or RSA PRIVATE KEY or "
          + "EC PRIVATE KEY) in it");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(2));
    } catch (IllegalArgumentException e) { // its message quotes a byte of the key: not kept
      throw new GeneralSecurityException("the private key's PEM body is not valid base64 (truncated?)");
    }
    switch (m.group(1)) {
      case "RSA PRIVATE KEY":
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Pkcs8.fromPkcs1(der)));
      case "EC PRIVATE KEY":
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Pkcs8.fromSec1(der)));
      default:
        break;
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException tryNext) {
        // not this algorithm
      }
    }
    throw new GeneralSecurityException("the private key is not an RSA, EC or Ed25519 PKCS#8 key");
  }
}
