package io.meshclient.core.internal.istio;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which DestinationRules apply to a service, as pilot chooses them for a caller's sidecar: the rules of the caller's
 * namespace, else those of the service's namespace, else those of the root namespace (Istio's {@code
 * meshConfig.rootNamespace}, {@link io.meshclient.core.config.IstioOptions#rootNamespace}), the
 * first of these to have a rule for the host; rules of other namespaces never apply. The rules of the namespace
 * chosen are merged as pilot merges them: each subset from the first rule that defines it, the top-level {@code
 * trafficPolicy} of the first rule that has one. "First" is in pilot's order ({@link #PILOT_ORDER}): the rules
 * with a {@code workloadSelector}, then the oldest by {@code metadata.creationTimestamp}, then by name, then by
 * namespace; the read order (files in the order given, documents in file order) only between rules equal in all of
 * these. Every rule or part of a rule left out is reported.
 */
final class DestinationRuleSelection {
  /**
   * The order of pilot's {@code sortConfigBySelectorAndCreationTime}, in which {@code mergeDestinationRule} merges the
   * rules: a rule with a {@code workloadSelector} (which the mesh applies to its caller, reported) before one without,
   * then {@link IstioResource#CREATION_ORDER}.
   */
  static final Comparator<DestinationRules.Policy> PILOT_ORDER = Comparator
      .comparing((DestinationRules.Policy p) -> p.resource().spec().get("workloadSelector") == null)
      .thenComparing(DestinationRules.Policy::resource, IstioResource.CREATION_ORDER);

  private DestinationRuleSelection() {}

  /**
   * The rule that applies to each service, merged from {@code rulesOf} (each service's rules in the order read,
   * merged in {@link #PILOT_ORDER}).
   *
   * @param rootNamespace the namespace whose rules apply to every namespace's callers and services
   * @param entryNamespaces the namespace of the ServiceEntry that defines each external host
   */
  static Map<String, DestinationRules.Policy> select(Map<String, List<DestinationRules.Policy>> rulesOf,
      String callerNamespace, String rootNamespace, Map<String, String> entryNamespaces, Loading loading) {
    Map<String, DestinationRules.Policy> out = new LinkedHashMap<>();
    rulesOf.forEach((service, read) -> {
      List<DestinationRules.Policy> rules = new ArrayList<>(read);
      rules.sort(PILOT_ORDER); // stable: rules equal in pilot's order keep the order read
      String serviceNamespace = rules.get(0).serviceNamespace() != null ? rules.get(0).serviceNamespace()
          : entryNamespaces.get(service);
      Set<String> order = new LinkedHashSet<>();
      order.add(callerNamespace);
      if (serviceNamespace != null) {
        order.add(serviceNamespace);
      }
      order.add(rootNamespace);
      String chosen = null;
      for (String ns : order) {
        if (rules.stream().anyMatch(r -> r.resource().namespace().equals(ns))) {
          chosen = ns;
          break;
        }
      }
      List<DestinationRules.Policy> applied = new ArrayList<>();
      for (DestinationRules.Policy rule : rules) {
        if (rule.resource().namespace().equals(chosen)) {
          applied.add(rule);
        } else {
          leaveOut(rule, loading, "a rule for " + service + " of namespace " + rule.resource().namespace()
              + ": Istio takes a service's rules from one namespace, the first of the caller's (" + callerNamespace
              + ")" + (serviceNamespace == null ? "" : ", the service's (" + serviceNamespace + ")")
              + " and the root namespace (" + rootNamespace + ") to have one"
              + (chosen == null ? "" : ", here " + chosen) + ", so it does not apply this one, nor does the mesh");
        }
      }
      if (!applied.isEmpty()) {
        out.put(service, merged(applied, loading));
      }
    });
    return out;
  }

  /** The rules of one namespace for one host, merged as pilot's {@code mergeDestinationRule} merges them. */
  private static DestinationRules.Policy merged(List<DestinationRules.Policy> rules, Loading loading) {
    DestinationRules.Policy first = rules.get(0);
    if (rules.size() == 1) {
      return first;
    }
    Map<String, Map<String, String>> subsets = new LinkedHashMap<>(first.subsets());
    Map<String, DestinationRules.Traffic> subsetTraffic = new LinkedHashMap<>(first.subsetTraffic());
    Map<String, DestinationRules.Origin> origins = new LinkedHashMap<>(first.subsetOrigins());
    DestinationRules.Traffic traffic = first.traffic();
    IstioResource trafficFrom = first.trafficFrom();
    for (DestinationRules.Policy rule : rules.subList(1, rules.size())) {
      rule.subsets().forEach((name, labels) -> {
        DestinationRules.Origin origin = rule.subsetOrigins().get(name);
        DestinationRules.Origin before = origins.putIfAbsent(name, origin);
        if (before != null) {
          loading.ignored.add(rule.resource().label() + " (" + rule.resource().file() + "): " + origin.path()
              + ": subset " + name + " is defined by an earlier rule for the host, " + before.resource().label()
              + " (" + before.resource().file() + "), whose definition Istio keeps when it merges the rules, as "
              + "does the mesh");
          return;
        }
        subsets.put(name, labels);
        DestinationRules.Traffic own = rule.subsetTraffic().get(name);
        if (own != null) {
          subsetTraffic.put(name, own);
        }
      });
      if (rule.trafficFrom() != null && trafficFrom != null) {
        loading.ignored.add(rule.resource().label() + " (" + rule.resource().file() + "): spec.trafficPolicy: an "
            + "earlier rule for the host, " + trafficFrom.label() + " (" + trafficFrom.file() + "), has one, which "
            + "Istio keeps when it merges the rules, as does the mesh");
      } else if (rule.trafficFrom() != null) {
        traffic = rule.traffic();
        trafficFrom = rule.trafficFrom();
      }
    }
    return new DestinationRules.Policy(first.resource(), first.service(), first.serviceNamespace(), subsets,
        subsetTraffic, traffic, trafficFrom, origins);
  }

  /** Reports {@code rule} as not applied, with nothing of it in the report's applied or unsupported lists. */
  private static void leaveOut(DestinationRules.Policy rule, Loading loading, String why) {
    IstioResource r = rule.resource();
    loading.applied.remove(r.label());
    loading.unsupported.removeIf(u -> u.resource().equals(r.label()) && u.file().equals(r.file()));
    loading.ignored.add(r.label() + " (" + r.file() + "): " + why);
  }
}
