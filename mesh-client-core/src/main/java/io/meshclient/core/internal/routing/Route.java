package io.meshclient.core.internal.routing;

import io.meshclient.api.RequestContext;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.StringMatch;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * One compiled rule: its conditions and its destination, a subset index or a weighted split over subset
 * indexes. Immutable and thread-safe.
 */
public final class Route {
  private final String name;
  private final int index;
  private final RouteConfig config;
  private final ValueMatcher path;
  private final String[] methods;
  private final String[] headerNames;
  private final ValueMatcher[] headerMatchers;
  private final int[] subsets;
  private final int[] cumulativeWeights;
  private final int totalWeight;

  Route(int index, RouteConfig config, Map<String, Integer> subsetIndexes) {
    this.index = index;
    this.config = config;
    this.name = config.name() != null ? config.name() : "route-" + index;
    RouteConfig.Match match = config.match();
    this.path = match.path() == null ? null : new ValueMatcher(match.path());
    this.methods = match.methods().toArray(new String[0]);
    this.headerNames = match.headers().keySet().toArray(new String[0]);
    this.headerMatchers = new ValueMatcher[headerNames.length];
    int i = 0;
    for (StringMatch m : match.headers().values()) {
      headerMatchers[i++] = new ValueMatcher(m);
    }
    Map<String, Integer> weights = config.to() != null ? Map.of(config.to(), 1) : config.split();
    List<Map.Entry<String, Integer>> positive = weights.entrySet().stream().filter(e -> e.getValue() > 0).toList();
    this.subsets = new int[positive.size()];
    this.cumulativeWeights = new int[positive.size()];
    int sum = 0;
    for (int j = 0; j < positive.size(); j++) {
      subsets[j] = subsetIndexes.get(positive.get(j).getKey());
      sum += positive.get(j).getValue();
      cumulativeWeights[j] = sum;
    }
    this.totalWeight = sum;
  }

  /** The route's name: as configured, or {@code route-<index>}. */
  public String name() {
    return name;
  }

  /** The position of the route in its table. */
  public int index() {
    return index;
  }

  /** The configuration this route was compiled from. */
  public RouteConfig config() {
    return config;
  }

  /** Whether every condition of the route holds for the request. Allocates nothing. */
  public boolean matches(RequestContext request) {
    if (methods.length > 0 && !containsMethod(request.method())) {
      return false;
    }
    if (path != null && !path.matches(request.path())) {
      return false;
    }
    for (int i = 0; i < headerNames.length; i++) {
      if (!headerMatchers[i].matches(request.header(headerNames[i]))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The index of the destination subset: the only one, or a weighted draw over the split using {@code
   * random}.
   */
  public int pickSubset(RandomGenerator random) {
    if (subsets.length == 1) {
      return subsets[0];
    }
    return subsetForDraw(random.nextInt(totalWeight));
  }

  /** The bound of the split draw (the sum of the weights), or 0 when the route has one destination. */
  public int drawBound() {
    return subsets.length == 1 ? 0 : totalWeight;
  }

  /** The subset index a split draw in {@code [0, drawBound())} selects. */
  public int subsetForDraw(int draw) {
    for (int i = 0; i < cumulativeWeights.length; i++) {
      if (draw < cumulativeWeights[i]) {
        return subsets[i];
      }
    }
    return subsets[subsets.length - 1];
  }

  private boolean containsMethod(String method) {
    for (String m : methods) {
      if (m.equals(method)) {
        return true;
      }
    }
    return false;
  }
}
