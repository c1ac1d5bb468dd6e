package io.meshclient.discovery.xds;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * gRFC A46 for a response whose resources are each valid but that the mesh refuses as a whole (the configuration
 * they describe, laid over the application's, is one the mesh cannot run): the resource of the response that, taken
 * back, lets the rest apply is the invalid one, NACKed with the mesh's reason, and keeps its accepted version (or
 * has none); the others apply. Only the resources the response changes are suspects, and at most {@value
 * #MAX_TRIED} of them are tried, each a mapping and a refused candidate: with none found, or with more than one at
 * fault, the response is still refused whole. Stateless.
 */
final class RefusalBlame {
  /** The most resources of one response taken back one at a time, each an attempt to lay the mesh's configuration. */
  static final int MAX_TRIED = 8;

  private RefusalBlame() {}

  /**
   * The first attempt that applies with one resource of {@code update} taken back, that resource rejected in
   * {@code update} with the mesh's {@code refused}; null if none does.
   *
   * @param candidate the candidate the mesh refused, with every valid resource of {@code update} in it
   * @param attempt maps and applies a candidate
   * @param applied whether an attempt applied
   */
  static <A> A withoutOne(ResourceUpdate<?> update, XdsResources candidate, XdsResources accepted, String refused,
      Function<XdsResources, A> attempt, Predicate<A> applied) {
    List<String> suspects = update.valid().entrySet().stream()
        .filter(e -> !Objects.equals(e.getValue(), accepted.get(update.type(), e.getKey())))
        .map(java.util.Map.Entry::getKey).limit(MAX_TRIED).toList();
    for (String name : suspects) {
      String detail = update.type().kind() + " " + ServerStrings.printable(name) + ": the mesh refused the "
          + "configuration it describes: " + refused;
      XdsResources without = candidate.copy();
      without.restore(update.type(), name, accepted);
      without.rejected.get(update.type()).put(name, new XdsResources.Rejection(update.version(), detail));
      A a = attempt.apply(without);
      if (applied.test(a)) {
        update.reject(name, detail);
        return a;
      }
    }
    return null;
  }
}
