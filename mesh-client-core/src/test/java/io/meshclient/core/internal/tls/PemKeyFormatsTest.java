package io.meshclient.core.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Private keys in the PEM forms Istio's agent writes (PKCS#1 RSA, SEC1 EC) load as PKCS#8 ones do. */
class PemKeyFormatsTest {
  @TempDir
  Path dir;

  PemSource pem(String type, byte[] der) throws Exception {
    Path file = Files.writeString(dir.resolve("key.pem"), TestPki.pem(type, der));
    return new PemSource("file:" + file, getClass().getClassLoader());
  }

  @Test
  void aPkcs1RsaKeyLoads() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair keys = generator.generateKeyPair();
    byte[] pkcs1 = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded()).parsePrivateKey().toASN1Primitive()
        .getEncoded();

    RSAPrivateKey loaded = (RSAPrivateKey) pem("RSA PRIVATE KEY", pkcs1).privateKey();

    assertThat(loaded.getPrivateExponent()).isEqualTo(((RSAPrivateKey) keys.getPrivate()).getPrivateExponent());
    assertThat(loaded.getModulus()).isEqualTo(((RSAPrivateKey) keys.getPrivate()).getModulus());
  }

  @Test
  void aSec1EcKeyLoadsOnTheCurveItNames() throws Exception {
    KeyPair keys = TestPki.keys();
    ECPrivateKey loaded = (ECPrivateKey) pem("EC PRIVATE KEY", TestPki.sec1(keys)).privateKey();

    assertThat(loaded.getS()).isEqualTo(((ECPrivateKey) keys.getPrivate()).getS());
    assertThat(loaded.getParams().getCurve()).isEqualTo(((ECPrivateKey) keys.getPrivate()).getParams().getCurve());
  }

  @Test
  void aSec1KeyWithoutItsCurveIsRefusedSayingSo() throws Exception {
    KeyPair keys = TestPki.keys();
    byte[] noParameters = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ((ECPrivateKey) keys.getPrivate()).getS())
        .getEncoded();

    assertThatThrownBy(() -> pem("EC PRIVATE KEY", noParameters).privateKey())
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessage("the EC PRIVATE KEY does not name its curve (no SEC1 parameters)");
  }
}
