package io.meshclient.core.internal.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The networks a service's instances may be in. An instance is judged by every address its host
 * resolves to, the way the connection will resolve it, never by the spelling: {@code 2130706433} is
 * 127.0.0.1 and {@code ::ffff:169.254.169.254} is 169.254.169.254. Numeric spellings that resolvers
 * disagree about ({@code 0177.0.0.1} is 127.0.0.1 to C libraries and 177.0.0.1 to Java) are refused.
 * Immutable and thread-safe.
 */
public final class AddressAllowList {
  private static final Pattern AMBIGUOUS = Pattern.compile("(?i)(^|\\.)0[0-9]+(\\.|$)|^0x|\\.0x");

  private final List<Cidr> networks;

  private AddressAllowList(List<Cidr> networks) {
    this.networks = List.copyOf(networks);
  }

  /** Parses CIDR blocks; an empty list allows nothing. */
  public static AddressAllowList of(List<String> cidrs) {
    List<Cidr> parsed = new ArrayList<>();
    for (String cidr : cidrs) {
      parsed.add(Cidr.parse(cidr));
    }
    return new AddressAllowList(parsed);
  }

  /**
   * Why {@code host} is refused, or null if every address it resolves to is allowed.
   */
  public String refusal(String host) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!bare.contains(":") && bare.matches("[0-9a-fA-FxX.]+") && AMBIGUOUS.matcher(bare).find()) {
      return "ambiguous numeric address '" + host + "' (leading zeros or hex)";
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(bare);
    } catch (UnknownHostException e) {
      return "'" + host + "' does not resolve";
    }
    for (InetAddress address : addresses) {
      if (!allows(address)) {
        return "'" + host + "' resolves to " + address.getHostAddress() + ", outside " + networks;
      }
    }
    return null;
  }

  /** Whether the address is in one of the networks. */
  public boolean allows(InetAddress address) {
    for (Cidr network : networks) {
      if (network.contains(address)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return networks.toString();
  }
}
