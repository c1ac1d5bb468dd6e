package io.meshclient.core.internal.routing;

import io.meshclient.api.RequestContext;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compiled routes of one service, tried in order; the first whose conditions hold wins (Istio's
 * VirtualService semantics). Built once per configuration; immutable and thread-safe.
 */
public final class RouteTable {
  private final Route[] routes;
  private final List<String> subsetNames;

  private RouteTable(Route[] routes, List<String> subsetNames) {
    this.routes = routes;
    this.subsetNames = subsetNames;
  }

  /**
   * Compiles the routes of a validated service configuration. Subsets are numbered in configuration
   * order, as {@link #subsetNames()} lists them.
   */
  public static RouteTable compile(ServiceConfig service) {
    Map<String, Integer> indexes = new LinkedHashMap<>();
    for (String subset : service.subsets().keySet()) {
      indexes.put(subset, indexes.size());
    }
    List<RouteConfig> configs = service.routes();
    Route[] routes = new Route[configs.size()];
    for (int i = 0; i < routes.length; i++) {
      routes[i] = new Route(i, configs.get(i), indexes);
    }
    return new RouteTable(routes, List.copyOf(new ArrayList<>(indexes.keySet())));
  }

  /** The first route whose conditions hold for the request, or null if none does. Allocates nothing. */
  public Route match(RequestContext request) {
    for (Route route : routes) {
      if (route.matches(request)) {
        return route;
      }
    }
    return null;
  }

  /** The routes in order. */
  public List<Route> routes() {
    return List.of(routes);
  }

  /** The subset names, indexed as {@link Route#pickSubset} returns them. */
  public List<String> subsetNames() {
    return subsetNames;
  }
}
