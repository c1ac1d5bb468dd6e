package io.meshclient.core.internal.istio;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * What Istio's own validation requires of a DestinationRule subset: a name that is a DNS-1123 label, and
 * labels that are Kubernetes labels. istiod refuses a rule with {@code name: 'V 1'} or a label key {@code 'bad
 * label'}; read here, such a rule was applied, and its label could never match a pod's.
 */
public final class IstioLabels {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]"
      + "([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]");

  private IstioLabels() {}

  /** Whether {@code name} is a DNS-1123 label, as Istio requires of subset names and exportTo namespaces. */
  static boolean isDnsLabel(String name) {
    return DNS_LABEL.matcher(name).matches();
  }

  /** Reports {@code name}, {@code subset}'s, if Istio would refuse it. */
  static void subsetName(SpecNode subset, String name) {
    if (!isDnsLabel(name)) {
      subset.loading.problem(subset.resource, subset.key("name"), name, "a DNS-1123 label, as Istio requires of a "
          + "subset name: lower-case letters, digits and '-', at most 63, such as v1");
    }
  }

  /** What a Kubernetes label key must be, as Istio requires. */
  public static final String KEY_EXPECTED = "Kubernetes label keys, as Istio requires: a name of letters, digits, "
      + "'-', '_' and '.' (at most 63), after an optional DNS prefix and '/'";
  /** What a Kubernetes label value must be, as Istio requires. */
  public static final String VALUE_EXPECTED = "a Kubernetes label value, as Istio requires: letters, digits, '-', "
      + "'_' and '.', at most 63";

  /** Whether {@code key} is a Kubernetes label key: a name after an optional DNS subdomain and '/'. */
  public static boolean isKey(String key) {
    int slash = key.lastIndexOf('/');
    String prefix = slash < 0 ? null : key.substring(0, slash);
    return NAME.matcher(key.substring(slash + 1)).matches()
        && (prefix == null || (prefix.length() <= 253 && DNS_SUBDOMAIN.matcher(prefix).matches()));
  }

  /** Whether {@code value} is a Kubernetes label value (empty, or a name of at most 63 characters). */
  public static boolean isValue(String value) {
    return value.isEmpty() || NAME.matcher(value).matches();
  }

  /** Reports each label of {@code subset} that is not a Kubernetes label key and value. */
  static void check(SpecNode subset, Map<String, String> labels) {
    labels.forEach((key, value) -> {
      if (!isKey(key)) {
        subset.loading.problem(subset.resource, subset.key("labels"), key, KEY_EXPECTED);
      } else if (!isValue(value)) {
        subset.loading.problem(subset.resource, subset.key("labels." + key), value, VALUE_EXPECTED);
      }
    });
  }
}
