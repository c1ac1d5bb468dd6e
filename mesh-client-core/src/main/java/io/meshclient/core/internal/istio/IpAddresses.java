package io.meshclient.core.internal.istio;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Whether an address is an IP literal as Go's {@code netip.ParseAddr} (Istio's {@code IsValidIPAddress}) reads it:
 * IPv4 as four decimal octets without leading zeros, or IPv6. Never asks DNS.
 */
final class IpAddresses {
  private IpAddresses() {}

  static boolean isLiteral(String address) {
    if (address.indexOf(':') >= 0) {
      if (address.indexOf('[') >= 0 || address.indexOf(']') >= 0) {
        return false;
      }
      try {
        // Bracketed, the JDK parses an IPv6 literal or throws: it never looks the text up (InetAddress.getAllByName)
        InetAddress.getByName("[" + address + "]");
        return true;
      } catch (UnknownHostException e) {
        return false;
      }
    }
    String[] octets = address.split("\\.", -1);
    if (octets.length != 4) {
      return false;
    }
    for (String octet : octets) {
      if (octet.isEmpty() || octet.length() > 3 || (octet.length() > 1 && octet.charAt(0) == '0')
          || !octet.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(octet) > 255) {
        return false;
      }
    }
    return true;
  }
}
