package io.meshclient.core.internal.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.Dns;

/**
 * The mesh client's resolver: for hosts of mesh instances whose service has an allow-list, only allowed
 * addresses are returned, so a name that re-resolves elsewhere after discovery checked it (DNS
 * rebinding) cannot take a connection outside the list. Other hosts resolve as usual.
 */
public final class AllowListDns implements Dns {
  private final Dns delegate;
  private volatile Map<String, AddressAllowList> byHost = Map.of();

  public AllowListDns(Dns delegate) {
    this.delegate = delegate;
  }

  /** Replaces the map from instance host (as OkHttp spells it) to the allow-list of its service. */
  public void update(Map<String, AddressAllowList> allowListsByHost) {
    this.byHost = Map.copyOf(allowListsByHost);
  }

  @Override
  public List<InetAddress> lookup(String hostname) throws UnknownHostException {
    List<InetAddress> addresses = delegate.lookup(hostname);
    AddressAllowList allowList = byHost.get(hostname);
    if (allowList == null) {
      return addresses;
    }
    List<InetAddress> allowed = new ArrayList<>(addresses.size());
    for (InetAddress address : addresses) {
      if (allowList.allows(address)) {
        allowed.add(address);
      }
    }
    if (allowed.isEmpty()) {
      throw new UnknownHostException(hostname + " resolves only to addresses outside the allow-list " + allowList);
    }
    return allowed;
  }
}
