package io.meshclient.core.internal.tls;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test certificates with SPIFFE URI SANs, made with BouncyCastle. Public for other modules' tests (the
 * xds module's certificate provider test), through this module's test-jar.
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A key pair and its certificate. */
  public record Held(KeyPair keys, X509Certificate certificate) {
    public String certificatePem() throws java.security.cert.CertificateEncodingException {
      return pem("CERTIFICATE", certificate.getEncoded());
    }

    public String privateKeyPem() {
      return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
    }

    public Path writeCertificate(Path dir, String name) throws Exception {
      return Files.writeString(dir.resolve(name), certificatePem(), StandardCharsets.US_ASCII);
    }

    /** Writes the key as SEC1 ({@code EC PRIVATE KEY}), the form Istio's agent writes an ECDSA key in. */
    public Path writeSec1Key(Path dir, String name) throws Exception {
      return Files.writeString(dir.resolve(name), pem("EC PRIVATE KEY", sec1(keys)), StandardCharsets.US_ASCII);
    }

    public Path writeKey(Path dir, String name) throws Exception {
      return Files.writeString(dir.resolve(name), privateKeyPem(), StandardCharsets.US_ASCII);
    }
  }

  /** What a leaf looks like. */
  public static final class Leaf {
    final List<GeneralName> names = new ArrayList<>();
    boolean ca;
    boolean keyCertSign;
    Instant notBefore = Instant.now().minus(Duration.ofHours(1));
    Instant notAfter = Instant.now().plus(Duration.ofDays(1));

    public Leaf uri(String uri) {
      names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
      return this;
    }

    public Leaf ip(String address) {
      names.add(new GeneralName(GeneralName.iPAddress, address));
      return this;
    }

    public Leaf dns(String dns) {
      names.add(new GeneralName(GeneralName.dNSName, dns));
      return this;
    }

    public Leaf ca() {
      this.ca = true;
      return this;
    }

    public Leaf keyCertSign() {
      this.keyCertSign = true;
      return this;
    }

    public Leaf valid(Instant from, Instant to) {
      this.notBefore = from;
      this.notAfter = to;
      return this;
    }
  }

  private TestPki() {}

  /** A server's TLS context presenting {@code identity}, with its {@code issuer} in the chain. */
  static SSLContext serverContext(Held identity, Held issuer) throws Exception {
    return serverContext(identity, issuer, null);
  }

  /** As {@link #serverContext(Held, Held)}, trusting client certificates issued by {@code clientCa} if not null. */
  static SSLContext serverContext(Held identity, Held issuer, Held clientCa) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("server", identity.keys().getPrivate(), new char[0],
        new X509Certificate[] {identity.certificate(), issuer.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(),
        clientCa == null ? null : new javax.net.ssl.TrustManager[] {trusting(clientCa)}, null);
    return context;
  }

  /** A trust manager that trusts {@code ca} only. */
  static X509TrustManager trusting(Held ca) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    return (X509TrustManager) tmf.getTrustManagers()[0];
  }

  static KeyPair keys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  public static Held ca(String trustDomain) throws Exception {
    KeyPair keys = keys();
    X500Name name = new X500Name("CN=" + trustDomain + " CA,O=" + trustDomain);
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
        BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(Instant.now().minus(Duration.ofDays(1))),
        Date.from(Instant.now().plus(Duration.ofDays(30))), name, keys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    builder.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)));
    return new Held(keys, sign(builder, keys));
  }

  public static Held leaf(Held issuer, String commonName, Leaf leaf) throws Exception {
    return leaf(issuer, commonName, leaf, keys());
  }

  /** A leaf for {@code keys}: a certificate renewed without a new key. */
  public static Held leaf(Held issuer, String commonName, Leaf leaf, KeyPair keys) throws Exception {
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
        X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()),
        BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(leaf.notBefore), Date.from(leaf.notAfter),
        new X500Name("CN=" + commonName), keys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(leaf.ca));
    int usage = KeyUsage.digitalSignature | KeyUsage.keyAgreement | (leaf.keyCertSign ? KeyUsage.keyCertSign : 0);
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
    if (!leaf.names.isEmpty()) {
      builder.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(leaf.names.toArray(new GeneralName[0])));
    }
    return new Held(keys, sign(builder, issuer.keys()));
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair signer) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  /** The EC private key of {@code keys} as SEC1 DER naming its curve, as Go's x509.MarshalECPrivateKey writes it. */
  static byte[] sec1(KeyPair keys) throws Exception {
    org.bouncycastle.asn1.pkcs.PrivateKeyInfo info =
        org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
    java.security.interfaces.ECPrivateKey key = (java.security.interfaces.ECPrivateKey) keys.getPrivate();
    return new org.bouncycastle.asn1.sec.ECPrivateKey(key.getParams().getOrder().bitLength(), key.getS(), null,
        info.getPrivateKeyAlgorithm().getParameters()).getEncoded();
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
