package io.meshclient.core.internal.istio;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.spi.SettingValues;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads the YAML documents of Istio files into {@link IstioResource}s: each document, or each item of a
 * Kubernetes {@code kind: List}, checked for its kind, API version, name and spec, every problem named by its file
 * and document.
 */
final class IstioDocuments {
  /** Istio's API versions of {@code networking.istio.io} that are read. */
  static final Set<String> API_VERSIONS = Set.of("networking.istio.io/v1", "networking.istio.io/v1beta1",
      "networking.istio.io/v1alpha3");
  static final Set<String> KINDS = Set.of("VirtualService", "DestinationRule", "ServiceEntry");

  /** The fields of Kubernetes' ObjectMeta, as {@code kubectl get -o yaml} may write them. */
  private static final Set<String> OBJECT_META = Set.of("name", "namespace", "labels", "annotations", "generateName",
      "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
      "ownerReferences", "finalizers", "managedFields", "selfLink");

  /** RFC 3339's date-time: 'T' and 'Z' in either case, seconds required, an optional fraction, an offset. */
  private static final Pattern RFC_3339 = Pattern.compile(
      "\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})");

  private final String namespace;

  /** Reads resources without a {@code metadata.namespace} as in {@code namespace}. */
  IstioDocuments(String namespace) {
    this.namespace = namespace;
  }

  /**
   * Parses file contents into resources.
   *
   * @throws ConfigurationException naming the file (and document) of every problem
   */
  List<IstioResource> resources(Map<String, byte[]> files) {
    List<IstioResource> out = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    files.forEach((file, content) -> {
      for (IstioYaml.Document doc : IstioYaml.parse(file, content)) {
        if (doc.tree() == null) {
          continue;
        }
        String where = file + " (document " + doc.index() + ")";
        if ("List".equals(doc.tree().get("kind"))) {
          // what `kubectl get virtualservices,destinationrules -o yaml` writes: a v1 List of resources
          List<Map<String, Object>> items = listItems(where, doc.tree(), problems);
          for (int i = 0; i < items.size(); i++) {
            resource(file, where + ": items[" + i + "]", items.get(i), doc.index(), out, problems);
          }
          continue;
        }
        resource(file, where, doc.tree(), doc.index(), out, problems);
      }
    });
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return out;
  }

  /** The resources of a Kubernetes {@code kind: List} ({@code apiVersion: v1}, {@code items}); problems named. */
  private static List<Map<String, Object>> listItems(String where, Map<String, Object> list, List<String> problems) {
    for (String top : list.keySet()) {
      if (!Set.of("apiVersion", "kind", "metadata", "items").contains(top)) {
        problems.add(ConfigurationException.problem(where + ": " + top, "unknown field", "apiVersion, kind, "
            + "metadata, items (a v1 List)" + SettingValues.didYouMean(top, Set.of("apiVersion", "items"))));
      }
    }
    if (!"v1".equals(list.get("apiVersion"))) {
      problems.add(ConfigurationException.problem(where + ": apiVersion", list.get("apiVersion") == null ? "missing"
          : list.get("apiVersion"), "v1 with kind List"));
    }
    List<Map<String, Object>> out = new ArrayList<>();
    if (!(list.get("items") instanceof List<?> items)) {
      problems.add(ConfigurationException.problem(where + ": items", list.get("items") == null ? "missing"
          : "not a list", "the list of resources"));
      return out;
    }
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i) instanceof Map<?, ?> item) {
        @SuppressWarnings("unchecked")
        Map<String, Object> resource = (Map<String, Object>) item;
        out.add(resource);
      } else {
        problems.add(ConfigurationException.problem(where + ": items[" + i + "]", items.get(i) == null ? "null"
            : "not a block", "a resource (apiVersion, kind, metadata, spec)"));
      }
    }
    return out;
  }

  /** The resource {@code tree} (a YAML document, or an item of a List) into {@code out}, or its problems. */
  private void resource(String file, String where, Map<String, Object> tree, int document, List<IstioResource> out,
      List<String> problems) {
    Object kind = tree.get("kind");
    Object apiVersion = tree.get("apiVersion");
    Object metadata = tree.get("metadata");
    if (!(kind instanceof String) || !(KINDS.contains(kind) || IstioKinds.OTHER_KINDS.containsKey(kind))) {
      problems.add(ConfigurationException.problem(where + ": kind", kind == null ? "missing" : kind,
          "one of " + new TreeSet<>(KINDS) + SettingValues.didYouMean(String.valueOf(kind), KINDS)));
      return;
    }
    Set<String> versions = KINDS.contains(kind) ? API_VERSIONS : IstioKinds.OTHER_KINDS.get(kind);
    if (!(apiVersion instanceof String) || !versions.contains(apiVersion)) { // Set.of refuses contains(null)
      problems.add(ConfigurationException.problem(where + ": apiVersion", apiVersion == null ? "missing"
          : apiVersion, "one of " + new TreeSet<>(versions)));
      return;
    }
    Map<?, ?> meta = metadata instanceof Map<?, ?> m ? m : Map.of();
    Object name = meta.get("name");
    if (!(name instanceof String)) {
      problems.add(ConfigurationException.problem(where + ": metadata.name", name == null ? "missing" : name,
          "the resource's name"));
      return;
    }
    Object ns = meta.get("namespace");
    int before = problems.size();
    Instant created = created(where + ": " + kind + " " + name + ": metadata.creationTimestamp",
        meta.get("creationTimestamp"), problems);
    for (Object field : meta.keySet()) {
      // A typo such as namspace, left out, would read the resource in the mesh's namespace: its short hosts and
      // exportTo would name other services and callers. Kubernetes refuses it (strict field validation).
      if (!OBJECT_META.contains(field)) {
        problems.add(ConfigurationException.problem(where + ": " + kind + " " + name + ": metadata." + field,
            "unknown field", "a field of Kubernetes' ObjectMeta, such as name, namespace, labels, annotations"
                + SettingValues.didYouMean(String.valueOf(field), OBJECT_META)));
      }
    }
    if (ns != null && !(ns instanceof String)) {
      problems.add(ConfigurationException.problem(where + ": " + kind + " " + name + ": metadata.namespace",
          ns instanceof Map ? "a block" : "a list", "a namespace name, such as default"));
    }
    if (problems.size() > before) {
      return;
    }
    Object spec = tree.get("spec");
    if (spec == null && IstioKinds.OTHER_KINDS.containsKey(kind)) {
      spec = Map.of(); // an AuthorizationPolicy that allows nothing may be written without one: skipped all the same
    }
    if (!(spec instanceof Map<?, ?>)) {
      problems.add(ConfigurationException.problem(where + ": " + kind + " " + name + ": spec",
          spec == null ? "missing" : "not a block", "the resource's spec block"));
      return;
    }
    for (String top : tree.keySet()) {
      if (!Set.of("apiVersion", "kind", "metadata", "spec", "status").contains(top)) {
        problems.add(ConfigurationException.problem(where + ": " + kind + " " + name + ": " + top, "unknown field",
            "apiVersion, kind, metadata, spec" + SettingValues.didYouMean(top, Set.of("apiVersion", "kind",
                "metadata", "spec"))));
      }
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> specMap = (Map<String, Object>) spec;
    out.add(new IstioResource((String) kind, (String) name, ns instanceof String s ? s : namespace,
        specMap, file, document, created));
  }

  /**
   * {@code metadata.creationTimestamp} ({@code value}, at {@code where}): an RFC 3339 time, as Kubernetes writes it,
   * compared as an instant (istiod orders rules by it); {@link IstioResource#NOT_CREATED} when absent or null, as
   * {@code kubectl create --dry-run -o yaml} writes it; else a problem, since a rule read as older or newer than it
   * is could win or lose where Istio decides otherwise.
   */
  private static Instant created(String where, Object value, List<String> problems) {
    if (value == null) {
      return IstioResource.NOT_CREATED;
    }
    if (value instanceof String s && RFC_3339.matcher(s).matches()) {
      try {
        return OffsetDateTime.parse(s.toUpperCase(Locale.ROOT)).toInstant();
      } catch (DateTimeParseException e) {
        // a date or time out of range, such as 2024-02-30: the problem below
      }
    }
    problems.add(ConfigurationException.problem(where, value instanceof Map ? "a block" : value instanceof List
        ? "a list" : value, "an RFC 3339 time such as 2026-12-01T10:00:00Z, as Kubernetes writes it (istiod orders "
        + "rules by it), or no creationTimestamp"));
    return IstioResource.NOT_CREATED;
  }
}
