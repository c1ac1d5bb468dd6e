package io.meshclient.core.internal.istio;

import io.meshclient.core.config.IstioOptions;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns the hosts of Istio resources into mesh service names, as Istio resolves them: a short name
 * ({@code reviews}) is in the resource's namespace; {@code reviews.default}, {@code reviews.default.svc}
 * and {@code reviews.default.svc.cluster.local} (the configured domain) name the service {@code reviews}
 * of namespace {@code default}. A service in the configured namespace is named by its short name; one in
 * another namespace by {@code name.namespace}. Any other name (an external host of a ServiceEntry, such
 * as {@code api.example.com}) is the service of that name.
 */
final class IstioHosts {
  private final String namespace;
  private final java.util.Map<String, String> labels;
  private final String svcSuffix;

  IstioHosts(IstioOptions options) {
    this.namespace = options.namespace();
    this.labels = options.labels();
    this.svcSuffix = ".svc." + options.domain();
  }

  /** The service {@code host} names, seen from a resource in {@code resourceNamespace}. */
  String service(String host, String resourceNamespace) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (h.endsWith(svcSuffix)) {
      h = h.substring(0, h.length() - svcSuffix.length());
    } else if (h.endsWith(".svc")) {
      h = h.substring(0, h.length() - 4);
    } else if (h.indexOf('.') < 0) {
      return named(h, resourceNamespace);
    } else if (h.indexOf('.') != h.lastIndexOf('.')) {
      return h; // an external name such as api.example.com
    }
    int dot = h.indexOf('.');
    if (dot < 0) {
      return named(h, resourceNamespace);
    }
    if (h.indexOf('.', dot + 1) >= 0) {
      return h;
    }
    String ns = h.substring(dot + 1);
    // name.namespace: only when the second label is a namespace this mesh knows of; example.com stays
    if (!host.toLowerCase(Locale.ROOT).contains(".svc") && !knownNamespace(ns, resourceNamespace)) {
      return h;
    }
    return named(h.substring(0, dot), ns);
  }

  /**
   * The service {@code host}, written at {@code path} of {@code node}'s resource, names, seen from the resource's
   * namespace; null, reported at that field, when it names no service the mesh can have (an empty name, a name with
   * a space or '_'), which Istio's validation refuses too.
   */
  String service(SpecNode node, String path, String host) {
    String service = service(host, node.resource.namespace());
    String problem = io.meshclient.core.config.ServiceConfig.nameProblem(service);
    if (problem != null) {
      node.loading.problem(node.resource, path, host.isEmpty() ? "''" : host, "a host name such as reviews or "
          + "api.example.com, naming a service: " + problem);
      return null;
    }
    return service;
  }

  /**
   * {@code host}, written by a resource in {@code resourceNamespace}, as the DNS name of an external service ({@code
   * api.example.com}, lower case, no final dot), or null when it names a Kubernetes service as {@link #service}
   * reads it ({@code reviews}, {@code reviews.default}, {@code reviews.prod} from a resource in prod, {@code
   * reviews.default.svc...}) or has a wildcard.
   */
  String externalName(String host, String resourceNamespace) {
    String h = host.toLowerCase(Locale.ROOT);
    h = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    int dot = h.indexOf('.');
    boolean nameDotNamespace = dot >= 0 && h.indexOf('.', dot + 1) < 0
        && knownNamespace(h.substring(dot + 1), resourceNamespace);
    return isWildcard(h) || dot < 0 || nameDotNamespace || h.endsWith(".svc") || h.contains(".svc.") ? null : h;
  }

  /**
   * The namespace of the Kubernetes service {@code host} names, seen from a resource in {@code resourceNamespace}
   * ({@code default} for {@code reviews.default.svc.cluster.local}); only for a host {@link #externalName} does not
   * take for an external one.
   */
  String namespaceOf(String host, String resourceNamespace) {
    String service = service(host, resourceNamespace);
    int dot = service.indexOf('.');
    return dot < 0 ? namespace : service.substring(dot + 1);
  }

  /** Whether {@code ns} is a namespace this mesh knows of, seen from a resource in {@code resourceNamespace}. */
  private boolean knownNamespace(String ns, String resourceNamespace) {
    return ns.equals(namespace) || ns.equals(resourceNamespace);
  }

  private String named(String shortName, String ns) {
    return ns.equals(namespace) ? shortName : shortName + "." + ns;
  }

  /**
   * Whether a resource of {@code resourceNamespace} with {@code exportTo} applies to callers in this mesh's
   * namespace, as Istio decides it: no list, {@code *}, this namespace, or {@code .} (the resource's own) when the
   * resource is in this namespace; {@code ~} exports it nowhere.
   */
  boolean exportedHere(List<String> exportTo, String resourceNamespace) {
    return exportTo.isEmpty() || exportTo.contains("*") || exportTo.contains(namespace)
        || (exportTo.contains(".") && resourceNamespace.equals(namespace));
  }

  /**
   * Reports at {@code spec}'s field what Istio's validateExportTo refuses in {@code exportTo}: an entry twice ({@code
   * .} is the resource's namespace), an entry that is not {@code .}, {@code *} or a namespace name, {@code ~} outside
   * a ServiceEntry, and {@code *} or {@code ~} next to other entries.
   */
  static void checkExportTo(SpecNode spec, List<String> exportTo) {
    boolean serviceEntry = "ServiceEntry".equals(spec.resource.kind());
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < exportTo.size(); i++) {
      String entry = exportTo.get(i);
      String path = spec.key("exportTo") + "[" + i + "]";
      if (!seen.add(".".equals(entry) ? spec.resource.namespace() : entry)) {
        spec.loading.problem(spec.resource, path, entry, "each namespace once, '.' being " + spec.resource.namespace()
            + " (Istio: \"duplicate entries in exportTo\")");
      } else if ("~".equals(entry) && !serviceEntry) {
        spec.loading.problem(spec.resource, path, entry, "'.', '*' or a namespace name (Istio: \"exportTo ~ (none) "
            + "is not allowed for Istio configuration objects\"; a ServiceEntry may take it)");
      } else if (!Set.of(".", "*", "~").contains(entry) && !IstioLabels.isDnsLabel(entry)) {
        spec.loading.problem(spec.resource, path, entry, "'.', '*' or a namespace name (Istio: \"only .,*, or a "
            + "valid DNS 1123 label is allowed as exportTo entry\")");
      }
    }
    if (exportTo.size() > 1 && exportTo.contains("*")) {
      spec.loading.problem(spec.resource, spec.key("exportTo"), exportTo, "'*' alone (Istio: \"cannot have both "
          + "public (*) and non-public exportTo values for a resource\")");
    }
    if (exportTo.size() > 1 && exportTo.contains("~") && serviceEntry) {
      spec.loading.problem(spec.resource, spec.key("exportTo"), exportTo, "'~' alone (Istio: \"cannot export "
          + "service entry to no one (~) and someone\")");
    }
  }

  /** This mesh's namespace: its callers', and that of resources without one. */
  String namespace() {
    return namespace;
  }

  /** The calling application's own labels ({@link IstioOptions#labels}), or null when not given. */
  java.util.Map<String, String> labels() {
    return labels;
  }

  /** Whether {@code host} is a wildcard ({@code *.example.com}, {@code *}), which the mesh cannot serve. */
  static boolean isWildcard(String host) {
    return host.indexOf('*') >= 0;
  }
}
