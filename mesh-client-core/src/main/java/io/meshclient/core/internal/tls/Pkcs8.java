package io.meshclient.core.internal.tls;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * Wraps the older private key encodings in PKCS#8, which is all the JDK's {@code KeyFactory} reads:
 * PKCS#1 ({@code RSA PRIVATE KEY}) and SEC1 ({@code EC PRIVATE KEY}), the forms Istio's agent writes
 * its workload keys in unless told to write PKCS#8. Only the few DER shapes those need; bounded by the
 * input's length.
 */
final class Pkcs8 {
  /** AlgorithmIdentifier { rsaEncryption, NULL }. */
  private static final byte[] RSA = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7,
      0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
  /** OBJECT IDENTIFIER id-ecPublicKey. */
  private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
  private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

  private Pkcs8() {}

  /** PrivateKeyInfo holding the PKCS#1 RSAPrivateKey {@code der}. */
  static byte[] fromPkcs1(byte[] der) {
    return tlv(0x30, VERSION_0, RSA, tlv(0x04, der));
  }

  /** PrivateKeyInfo holding the SEC1 ECPrivateKey {@code der}, its curve taken from its parameters. */
  static byte[] fromSec1(byte[] der) throws GeneralSecurityException {
    int[] sequence = header(der, 0, 0x30);
    int at = sequence[0];
    int end = sequence[0] + sequence[1];
    byte[] curve = null;
    while (at < end) {
      int[] element = header(der, at, -1);
      if ((der[at] & 0xff) == 0xa0) { // [0] ECParameters: the named curve's OBJECT IDENTIFIER
        header(der, element[0], 0x06);
        curve = Arrays.copyOfRange(der, element[0], element[0] + element[1]);
      }
      at = element[0] + element[1];
    }
    if (curve == null) {
      throw new GeneralSecurityException("the EC PRIVATE KEY does not name its curve (no SEC1 parameters)");
    }
    return tlv(0x30, VERSION_0, tlv(0x30, EC_PUBLIC_KEY, curve), tlv(0x04, der));
  }

  /**
   * The start and length of the contents of the element at {@code at}, checked to fit in {@code der}.
   *
   * @param tag the tag it must have, or -1 for any
   */
  private static int[] header(byte[] der, int at, int tag) throws GeneralSecurityException {
    if (at + 2 > der.length || tag >= 0 && (der[at] & 0xff) != tag) {
      throw new GeneralSecurityException("the private key is not DER of the expected shape");
    }
    int length = der[at + 1] & 0xff;
    int start = at + 2;
    if (length > 0x80) {
      int bytes = length - 0x80;
      if (bytes > 3 || start + bytes > der.length) {
        throw new GeneralSecurityException("the private key is not DER of the expected shape");
      }
      length = 0;
      for (int i = 0; i < bytes; i++) {
        length = length << 8 | der[start + i] & 0xff;
      }
      start += bytes;
    } else if (length == 0x80) {
      throw new GeneralSecurityException("the private key is not DER (indefinite length)");
    }
    if (start + length > der.length) {
      throw new GeneralSecurityException("the private key is not DER of the expected shape (truncated)");
    }
    return new int[] {start, length};
  }

  private static byte[] tlv(int tag, byte[]... parts) {
    ByteArrayOutputStream contents = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      contents.writeBytes(part);
    }
    int n = contents.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream(n + 6);
    out.write(tag);
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write(n >> 8);
      out.write(n);
    }
    out.writeBytes(contents.toByteArray());
    return out.toByteArray();
  }
}
