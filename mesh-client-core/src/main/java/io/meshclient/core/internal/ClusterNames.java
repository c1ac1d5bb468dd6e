package io.meshclient.core.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Kubernetes DNS names services are also called by, as Istio's sidecar lets them be: {@code reviews} of
 * namespace {@code namespace} as {@code reviews.<namespace>}, {@code reviews.<namespace>.svc} and {@code
 * reviews.<namespace>.svc.<domain>}; a service named {@code ratings.prod} (another namespace) as {@code
 * ratings.prod.svc} and {@code ratings.prod.svc.<domain>}.
 */
record ClusterNames(String namespace, String domain) {
  ClusterNames {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(domain, "domain");
  }

  /** Each service of {@code byName} by its cluster names; a name that is itself a service stays that service. */
  Map<String, ServiceRuntime> aliases(Map<String, ServiceRuntime> byName) {
    Map<String, ServiceRuntime> out = new HashMap<>();
    byName.forEach((name, service) -> {
      int dot = name.indexOf('.');
      if (dot >= 0 && name.indexOf('.', dot + 1) >= 0) {
        return; // an external host such as api.example.com has no cluster name
      }
      String qualified = dot < 0 ? name + "." + namespace : name;
      for (String alias : List.of(qualified, qualified + ".svc", qualified + ".svc." + domain)) {
        if (!byName.containsKey(alias)) {
          out.putIfAbsent(alias, service);
        }
      }
    });
    return Map.copyOf(out);
  }

  /** Whether {@code host} is a cluster name ({@code *.svc}, {@code *.svc.<domain>}), a service's or not. */
  boolean isClusterName(String host) {
    return host.endsWith(".svc") || host.endsWith(".svc." + domain);
  }
}
