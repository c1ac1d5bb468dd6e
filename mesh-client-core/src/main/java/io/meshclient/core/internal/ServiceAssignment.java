package io.meshclient.core.internal;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.core.config.MeshConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which discovery serves which service, and whether every route names a service there is: the checks a new
 * configuration passes against the discoveries before {@link MeshRuntime} builds anything from it.
 */
final class ServiceAssignment {
  private ServiceAssignment() {}

  /**
   * The discovery of every service: the configured services and those the discoveries list. A service names
   * its discovery ({@code discovery:}), or takes the only general one, or the one that lists it. Every
   * problem (an unknown discovery, an ambiguous one, a configured service an authoritative list lacks, a
   * listed name that is no service name) is thrown at once.
   */
  static Map<String, ServiceDiscovery> assign(MeshConfig newConfig, Map<String, DiscoveryBinding> available) {
    Set<String> names = new LinkedHashSet<>(newConfig.services().keySet());
    List<String> problems = new ArrayList<>();
    available.values().forEach(b -> {
      for (String listed : b.discovery().knownServices()) {
        String problem = io.meshclient.core.config.ServiceConfig.nameProblem(listed);
        if (problem != null) {
          problems.add(ConfigurationException.problem(MeshConfig.PREFIX + ".discovery." + b.name() + ".services."
              + listed, listed, problem));
        } else {
          names.add(listed);
        }
      }
    });
    Map<String, ServiceDiscovery> out = new LinkedHashMap<>();
    Map<String, DiscoveryBinding> general = new LinkedHashMap<>(available);
    // ServiceEntries' instances go only to the services that name them, never to a service by default
    general.remove(io.meshclient.core.internal.istio.ServiceEntryDiscovery.NAME);
    for (String service : names) {
      String wanted = newConfig.service(service).discovery();
      DiscoveryBinding binding = null;
      if (wanted != null) {
        binding = available.get(wanted);
        if (binding == null) {
          problems.add(ConfigurationException.problem(MeshConfig.PREFIX + ".services." + service + ".discovery",
              wanted, available.isEmpty() ? "a discovery configured under mesh.discovery (none is)"
                  : "one of the configured discoveries " + available.keySet()));
        }
      } else if (general.size() == 1) {
        binding = general.values().iterator().next();
      } else {
        for (DiscoveryBinding candidate : general.values()) {
          if (candidate.discovery().knownServices().contains(service)) {
            binding = candidate;
            break;
          }
        }
        if (binding == null) {
          problems.add(ConfigurationException.problem(MeshConfig.PREFIX + ".services." + service + ".discovery",
              "not set", general.isEmpty() ? "a discovery configured under mesh.discovery (none is)"
                  : "one of " + general.keySet() + ", since several discoveries are configured"));
        }
      }
      if (binding != null) {
        Set<String> listed = binding.discovery().knownServices();
        if (!listed.isEmpty() && !listed.contains(service)) {
          // An authoritative list (static) that lacks a configured service: a typo. A registry that lists
          // nothing up front (Consul, Kubernetes, xDS) may add it later: health shows it DOWN meanwhile.
          problems.add(ConfigurationException.problem(MeshConfig.PREFIX + ".services." + service, service,
              "a service that discovery '" + binding.name() + "' lists"
                  + io.meshclient.api.spi.SettingValues.didYouMean(service, listed)));
        }
        out.put(service, binding.discovery());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return out;
  }

  /** A route to another service, or its mirror, must name one the mesh knows: configured or listed by a discovery. */
  static void checkRouteTargets(MeshConfig newConfig, Set<String> known) {
    List<String> problems = new ArrayList<>();
    newConfig.services().forEach((name, service) -> {
      for (int i = 0; i < service.routes().size(); i++) {
        String route = MeshConfig.PREFIX + ".services." + name + ".routes[" + i + "]";
        List<io.meshclient.core.config.RouteConfig.Destination> destinations = service.routes().get(i).destinations();
        for (int j = 0; j < destinations.size(); j++) {
          checkKnown(route + (destinations.size() == 1 ? ".to" : ".destinations[" + j + "]") + ".service",
              destinations.get(j).service(), known, problems);
        }
        // A copy to a name that is no mesh service was refused or, with unknown-hosts: pass-through, sent to DNS.
        io.meshclient.core.config.MirrorConfig mirror = service.routes().get(i).mirror();
        if (mirror != null) {
          checkKnown(route + ".mirror.service", mirror.service(), known, problems);
        }
      }
    });
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
  }

  private static void checkKnown(String key, String service, Set<String> known, List<String> problems) {
    if (service != null && !known.contains(service)) {
      problems.add(ConfigurationException.problem(key, service, "a mesh service (configured under mesh.services or "
          + "listed by a discovery)" + io.meshclient.api.spi.SettingValues.didYouMean(service, known)));
    }
  }
}
