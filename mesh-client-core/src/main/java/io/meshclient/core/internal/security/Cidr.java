package io.meshclient.core.internal.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/** An IPv4 or IPv6 network such as {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a /32 or /128. */
public final class Cidr {
  private final byte[] network;
  private final int prefix;
  private final String text;

  private Cidr(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  /**
   * Parses a CIDR block written with a numeric address (never a host name).
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static Cidr parse(String text) {
    Objects.requireNonNull(text, "text");
    String t = text.trim();
    int slash = t.indexOf('/');
    String address = slash < 0 ? t : t.substring(0, slash);
    if (!address.contains(":") && !address.matches("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}")) {
      throw new IllegalArgumentException("not an IPv4 address in dotted decimal or an IPv6 address");
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address");
    }
    int max = bytes.length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? max : Integer.parseInt(t.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the prefix length is not a number");
    }
    if (prefix < 0 || prefix > max) {
      throw new IllegalArgumentException("the prefix length must be 0.." + max);
    }
    return new Cidr(mask(bytes, prefix), prefix, t);
  }

  /** Whether {@code address} is in this network (IPv4-mapped IPv6 addresses count as IPv4). */
  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length != network.length) {
      return false;
    }
    byte[] masked = mask(bytes, prefix);
    return java.util.Arrays.equals(masked, network);
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int bits = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] &= (byte) (0xff << (8 - bits));
    }
    return out;
  }

  @Override
  public String toString() {
    return text;
  }
}
