package io.meshclient.core.internal.istio;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.SettingValues;
import io.meshclient.core.config.IstioOptions;
import io.meshclient.core.config.IstioReport;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.MirrorConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns Istio resources, on top of a mesh.yaml configuration, into one {@link MeshConfig}, as Istio
 * would route: the routes of a service a VirtualService covers come only from it; a DestinationRule's
 * fields override mesh.yaml's for its host; ServiceEntries define services and their instances; rate
 * limits, and everything Istio does not describe, come from mesh.yaml. Services Istio describes take
 * Istio's defaults where neither source sets a value: no route timeout, and 2 retries on {@code
 * connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes} (503).
 */
public final class IstioTranslator {
  /** Istio's default retry policy: 2 retries (3 attempts) on connect failures, refused streams and 503. */
  public static final RetryConfig ISTIO_DEFAULT_RETRY = RetryConfig.DEFAULT.withAttempts(3)
      .withOn(Set.of(RetryConfig.Condition.CONNECT_FAILURE, RetryConfig.Condition.RESET), Set.of(503));

  private final IstioOptions options;
  private final IstioHosts hosts;

  public IstioTranslator(IstioOptions options) {
    this.options = options;
    this.hosts = new IstioHosts(options);
  }

  /**
   * The outcome of one translation.
   *
   * @param config the whole configuration, validated
   * @param instances the instances ServiceEntries list, by service
   * @param report what was applied, ignored and not supported
   * @param fields names a problem found when {@code config} is applied at the resource field it came from
   */
  public record Result(MeshConfig config, Map<String, List<ServiceInstance>> instances, IstioReport report,
      IstioFields fields) {}

  /**
   * Translates the files' resources on top of {@code base}.
   *
   * @param files file name to content, in order
   * @param base the mesh.yaml configuration (or the builder's)
   * @param baseSource where {@code base} came from, for messages
   * @param known services the discoveries list, or null when a discovery may list more later (then a host
   *     no source knows is not refused)
   * @throws ConfigurationException naming the file, the resource and the field path of every problem
   */
  public Result translate(Map<String, byte[]> files, MeshConfig base, String baseSource, Set<String> known) {
    List<IstioResource> resources = new IstioDocuments(options.namespace()).resources(files);
    Loading loading = new Loading();
    Map<String, List<ServiceInstance>> instances = new LinkedHashMap<>();
    Map<String, IstioResource> entryOf = new LinkedHashMap<>();
    Map<String, List<DestinationRules.Policy>> rulesOf = new LinkedHashMap<>();
    List<VirtualServices.Mapped> virtualServices = new ArrayList<>();
    for (IstioResource r : resources) {
      SpecNode spec = new SpecNode(r, loading, "spec", r.spec());
      List<String> exportTo = IstioDocuments.KINDS.contains(r.kind()) ? spec.strings("exportTo") : List.of();
      IstioHosts.checkExportTo(spec, exportTo);
      if (!hosts.exportedHere(exportTo, r.namespace())) {
        loading.ignored.add(r.label() + " (" + r.file() + "): its exportTo " + exportTo + " leaves out this mesh's "
            + "namespace " + hosts.namespace() + ", so Istio does not apply it to callers there, nor does the mesh");
        continue;
      }
      switch (r.kind()) {
        case "ServiceEntry" -> {
          ServiceEntries.map(r, spec, hosts).forEach((service, list) -> {
            IstioResource before = entryOf.put(service, r);
            if (before != null) {
              loading.problem(r, "spec.hosts", service, "a host no other ServiceEntry defines (" + before.label()
                  + " in " + before.file() + " does)");
            }
            instances.put(service, list);
          });
          loading.applied.add(r.label());
        }
        case "DestinationRule" -> {
          DestinationRules.Policy p = DestinationRules.map(r, spec, hosts);
          if (p != null) {
            rulesOf.computeIfAbsent(p.service(), s -> new ArrayList<>()).add(p);
          }
          loading.applied.add(r.label());
        }
        case "VirtualService" -> {
          VirtualServices.Mapped m = VirtualServices.map(r, spec, hosts);
          if (m != null) {
            virtualServices.add(m);
            loading.applied.add(r.label());
          }
        }
        default -> IstioKinds.skipOrRefuse(r, loading);
      }
    }
    Map<String, String> entryNamespaces = new LinkedHashMap<>();
    entryOf.forEach((service, entry) -> entryNamespaces.put(service, entry.namespace()));
    Map<String, DestinationRules.Policy> policies = DestinationRuleSelection.select(rulesOf, hosts.namespace(),
        options.rootNamespace(), entryNamespaces, loading);
    Set<String> knownHere = new LinkedHashSet<>(base.services().keySet());
    knownHere.addAll(instances.keySet());
    Map<String, VirtualServices.Mapped> routesOf = new LinkedHashMap<>();
    for (VirtualServices.Mapped vs : virtualServices) {
      for (int i = 0; i < vs.services().size(); i++) {
        String service = vs.services().get(i);
        checkKnown(loading, vs.resource(), "spec.hosts[" + i + "]", service, knownHere, known);
        VirtualServices.Mapped before = routesOf.put(service, vs);
        if (before != null && before != vs) {
          loading.problem(vs.resource(), "spec.hosts[" + i + "]", service, "a host no other VirtualService covers ("
              + before.resource().label() + " in " + before.resource().file() + " does)");
        }
        ServiceConfig fromBase = base.services().get(service);
        if (fromBase != null && !fromBase.routes().isEmpty()) {
          loading.problem(vs.resource(), "spec.hosts[" + i + "]", service, "routes from one place only: " + baseSource
              + " also sets mesh.services." + service + ".routes; a service a VirtualService covers takes its "
              + "routes from Istio only, so remove them there");
        }
      }
    }
    policies.values().forEach(p -> checkKnown(loading, p.resource(), "spec.host", p.service(), knownHere, known));
    // subsets a route names must be defined (Istio's IST0101)
    Set<String> mirroredApart = new java.util.HashSet<>(); // routes mirroring to another service's subset, reported
    for (VirtualServices.Mapped vs : virtualServices) {
      for (VirtualServices.MappedRoute route : vs.routes()) {
        for (VirtualServices.Target t : route.targets()) {
          if (t.service() == null) {
            continue; // the subset of no instance of a route that redirects, answers or delegates
          }
          checkKnown(loading, vs.resource(), t.path() + ".host", t.service(), knownHere, known);
          checkSubset(loading, vs.resource(), t.path() + ".subset", t.service(), t.subset(), policies, base);
        }
        if (route.mirrorService() != null) {
          checkSubset(loading, vs.resource(), route.path() + ".mirror.subset", route.mirrorService(),
              route.mirrorSubset(), policies, base);
          if (route.mirrorSubset() != null && !vs.services().stream().allMatch(route.mirrorService()::equals)
              && mirroredApart.add(vs.resource().label() + route.path())) {
            loading.unsupported(vs.resource(), route.path() + ".mirror.subset", "a subset of another service: the "
                + "mesh mirrors to another service through its routes, not to one of its subsets, so this mirror is "
                + "left out rather than copied to the service's other instances");
          }
        }
      }
    }
    if (options.strict() && !loading.unsupported.isEmpty()) {
      for (IstioReport.Unsupported u : loading.unsupported) {
        loading.problems.add(ConfigurationException.problem(u.file() + ": " + u.resource() + ": " + u.field(), "set",
            "only fields the mesh implements, since mesh.istio.strict is true (" + u.why() + ")"));
      }
    }
    if (!loading.problems.isEmpty()) {
      throw new ConfigurationException(loading.problems);
    }
    IstioFields fields = new IstioFields(policies, routesOf);
    MeshConfig config = build(base, instances, policies, routesOf, loading, fields);
    IstioReport report = new IstioReport(List.copyOf(files.keySet()), loading.applied, loading.ignored,
        loading.unsupported);
    return new Result(config, instances, report, fields);
  }

  private MeshConfig build(MeshConfig base, Map<String, List<ServiceInstance>> instances,
      Map<String, DestinationRules.Policy> policies, Map<String, VirtualServices.Mapped> routesOf, Loading loading,
      IstioFields fields) {
    Set<String> described = new LinkedHashSet<>(instances.keySet());
    described.addAll(policies.keySet());
    described.addAll(routesOf.keySet());
    MeshConfig.Builder out = base.toBuilder();
    for (String service : described) {
      ServiceConfig fromBase = base.services().get(service);
      ServiceConfig.Builder b = fromBase != null ? fromBase.toBuilder() : ServiceConfig.builder(service);
      if (fromBase == null || fromBase.timeout() == null) {
        b.timeout(io.meshclient.api.spi.Setting.MAX_DURATION); // Istio: no route timeout
      }
      if (fromBase == null || fromBase.retry() == null) {
        b.retry(ISTIO_DEFAULT_RETRY);
      }
      if (instances.containsKey(service)) {
        b.discovery(ServiceEntryDiscovery.NAME);
      }
      DestinationRules.Policy policy = policies.get(service);
      if (policy != null) {
        if (policy.trafficFrom() != null) {
          check(loading, policy.trafficFrom(), policy.traffic(), service, fromBase,
              fromBase == null ? null : fromBase.locality());
        }
        policy.subsetTraffic().forEach((subset, traffic) -> check(loading, policy.subsetOrigins().get(subset)
            .resource(), traffic, service, fromBase, DestinationRules.callerLocality(fromBase, subset)));
        policy.applyTo(b, fromBase);
      }
      VirtualServices.Mapped vs = routesOf.get(service);
      if (vs != null) {
        for (VirtualServices.MappedRoute route : vs.routes()) {
          b.route(bind(service, route, fromBase == null || fromBase.retry() == null ? ISTIO_DEFAULT_RETRY
              : fromBase.retry()));
          if (!route.targets().isEmpty() && route.targets().get(0).service() == null) {
            b.subset(VirtualServices.UNROUTABLE, VirtualServices.UNROUTABLE_LABELS);
          }
        }
      }
      out.replaceService(b.build());
    }
    if (!loading.problems.isEmpty()) {
      throw new ConfigurationException(loading.problems);
    }
    try {
      return out.build();
    } catch (ConfigurationException e) { // what only the validator checks: named at the Istio field it came from
      throw new ConfigurationException(fields.named(e.problems()));
    }
  }

  /**
   * Refuses what a {@code trafficPolicy} block (the service's or a subset's) needs from mesh.yaml and does not
   * find there: the certificates of ISTIO_MUTUAL in the service's {@code tls} ({@code fromBase}, or null), the
   * caller's region of a locality failover in {@code caller}, mesh.yaml's locality for that block.
   */
  private static void check(Loading loading, IstioResource rule, DestinationRules.Traffic traffic,
      String service, ServiceConfig fromBase, io.meshclient.core.config.LocalityConfig caller) {
    if (traffic.istioMutual() && (fromBase == null || fromBase.tls() == null)) {
      loading.problem(rule, traffic.tlsPath(), "ISTIO_MUTUAL", "DISABLE, SIMPLE or MUTUAL with "
          + "caCertificates, clientCertificate and privateKey files: ISTIO_MUTUAL needs istiod's certificates, "
          + "which this mesh has only when mesh.services." + service + ".tls names certificate files");
    }
    if (traffic.locality() != null && !traffic.locality().failoverRegions().isEmpty()
        && (caller == null || caller.region().isEmpty())) {
      loading.problem(rule, traffic.locality().failoverPath(), "set without the caller's region",
          "mesh.services." + service + ".locality.region naming the caller's region, which failover's from "
              + "regions are matched against");
    }
  }

  /**
   * The route as seen from {@code service}: destinations in it lose their service name; its deadline goes on its
   * retry policy, else on a copy of the service's ({@code serviceRetry}).
   */
  private static RouteConfig bind(String service, VirtualServices.MappedRoute route, RetryConfig serviceRetry) {
    List<RouteConfig.Destination> destinations = new ArrayList<>();
    for (VirtualServices.Target t : route.targets()) {
      destinations.add(new RouteConfig.Destination(t.service() == null || t.service().equals(service) ? null
          : t.service(), t.subset(),
          t.weight()));
    }
    RouteConfig r = route.config();
    MirrorConfig mirror = null;
    if (route.mirrorService() != null && route.mirrorSubset() != null) {
      // another service's subset is left out (reported): copied to that service, a copy could reach any instance
      mirror = route.mirrorService().equals(service)
          ? MirrorConfig.toSubset(route.mirrorSubset(), route.mirrorPercent()) : null;
    } else if (route.mirrorService() != null) {
      mirror = MirrorConfig.toService(route.mirrorService(), route.mirrorPercent());
    }
    RetryConfig retry = r.retry();
    if (route.deadline() != null) {
      retry = (retry != null ? retry : serviceRetry).withDeadline(route.deadline());
    }
    return new RouteConfig(r.name(), r.match(), destinations, null, r.timeout(), retry, r.fault(), mirror,
        null, r.requestHeaders(), r.responseHeaders(), r.rewrite(), null);
  }

  private static void checkKnown(Loading loading, IstioResource r, String path, String service, Set<String> here,
      Set<String> known) {
    if (here.contains(service) || known == null || known.contains(service)) {
      return;
    }
    Set<String> all = new TreeSet<>(here);
    all.addAll(known);
    loading.problem(r, path, service, "a service some source knows (mesh.services, a discovery or a ServiceEntry)"
        + SettingValues.didYouMean(service, all));
  }

  private static void checkSubset(Loading loading, IstioResource r, String path, String service, String subset,
      Map<String, DestinationRules.Policy> policies, MeshConfig base) {
    if (subset == null) {
      return;
    }
    DestinationRules.Policy p = policies.get(service);
    Set<String> defined = new TreeSet<>();
    if (p != null) {
      defined.addAll(p.subsets().keySet());
    }
    ServiceConfig fromBase = base.services().get(service);
    if (fromBase != null) {
      defined.addAll(fromBase.subsets().keySet());
    }
    if (!defined.contains(subset)) {
      loading.problem(r, path, subset, "a subset a DestinationRule for host " + service + " defines (IST0101: "
          + "referenced subset not found; defined: " + defined + ")" + SettingValues.didYouMean(subset, defined));
    }
  }
}
