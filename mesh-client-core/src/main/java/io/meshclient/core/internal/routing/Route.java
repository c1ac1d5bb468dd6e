package io.meshclient.core.internal.routing;

import io.meshclient.api.RequestContext;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.StringMatch;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * One compiled rule: its conditions and its destinations, one {@link Target} or a weighted split over
 * several. Immutable and thread-safe.
 */
public final class Route {
  private final String name;
  private final int index;
  private final RouteConfig config;
  private final ValueMatcher path;
  private final String[] methods;
  private final int port;
  private final String[] headerNames;
  private final ValueMatcher[] headerMatchers;
  private final String[] queryNames;
  private final ValueMatcher[] queryMatchers;
  private final String[] withoutHeaderNames;
  private final ValueMatcher[] withoutHeaderMatchers;
  private final Target[] targets;
  private final int[] cumulativeWeights;
  private final int totalWeight;

  Route(int index, RouteConfig config, Map<String, Integer> subsetIndexes) {
    this.index = index;
    this.config = config;
    this.name = config.nameAt(index);
    RouteConfig.Match match = config.match();
    this.path = match.path() == null ? null : new ValueMatcher(match.path(), match.ignoreUriCase());
    this.methods = match.methods().toArray(new String[0]);
    this.port = match.port();
    this.headerNames = match.headers().keySet().toArray(new String[0]);
    this.headerMatchers = new ValueMatcher[headerNames.length];
    int i = 0;
    for (StringMatch m : match.headers().values()) {
      headerMatchers[i++] = new ValueMatcher(m);
    }
    this.queryNames = match.queryParams().keySet().toArray(new String[0]);
    this.queryMatchers = match.queryParams().values().stream().map(ValueMatcher::new).toArray(ValueMatcher[]::new);
    this.withoutHeaderNames = match.withoutHeaders().keySet().toArray(new String[0]);
    this.withoutHeaderMatchers = match.withoutHeaders().values().stream().map(ValueMatcher::new)
        .toArray(ValueMatcher[]::new);
    List<RouteConfig.Destination> positive = config.destinations().stream().filter(d -> d.weight() > 0).toList();
    this.targets = new Target[positive.size()];
    this.cumulativeWeights = new int[positive.size()];
    int sum = 0;
    for (int j = 0; j < positive.size(); j++) {
      RouteConfig.Destination d = positive.get(j);
      Integer subsetIndex = d.service() == null && d.subset() != null ? subsetIndexes.get(d.subset()) : null;
      targets[j] = new Target(d.service(), d.subset(), subsetIndex == null ? -1 : subsetIndex);
      sum += d.weight();
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
    if (port != 0 && request.port() != port) {
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
    for (int i = 0; i < queryNames.length; i++) {
      if (!queryMatchers[i].matches(request.queryParameter(queryNames[i]))) {
        return false;
      }
    }
    for (int i = 0; i < withoutHeaderNames.length; i++) {
      if (withoutHeaderMatchers[i].matches(request.header(withoutHeaderNames[i]))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Where a request taking this route goes.
   *
   * @param service another service, or null for the route's own
   * @param subset the subset's name, or null for all instances of the service
   * @param subsetIndex the index of the subset in the own service's {@link RouteTable#subsetNames()}, or -1
   *     (all instances, or a subset of another service, found by name)
   */
  public record Target(String service, String subset, int subsetIndex) {}

  /** The index of the target taken: the only one, or a weighted draw over the split using {@code random}. */
  public int pick(RandomGenerator random) {
    if (targets.length == 1) {
      return 0;
    }
    return targetForDraw(random.nextInt(totalWeight));
  }

  /** The target with an index {@link #pick} or {@link #targetForDraw} returned. */
  public Target target(int index) {
    return targets[index];
  }

  /** The bound of the split draw (the sum of the weights), or 0 when the route has one destination. */
  public int drawBound() {
    return targets.length == 1 ? 0 : totalWeight;
  }

  /** The index of the target a split draw in {@code [0, drawBound())} selects. */
  public int targetForDraw(int draw) {
    for (int i = 0; i < cumulativeWeights.length; i++) {
      if (draw < cumulativeWeights[i]) {
        return i;
      }
    }
    return targets.length - 1;
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
