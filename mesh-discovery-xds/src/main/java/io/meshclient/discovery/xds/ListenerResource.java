package io.meshclient.discovery.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;

/**
 * A client-side listener (gRPC's {@code api_listener} with an HttpConnectionManager), validated.
 *
 * @param name the listener's name, {@code <host>:<port>}
 * @param rdsName the route configuration to fetch by RDS, or null when {@code inlineRoutes} is set
 * @param inlineRoutes the route configuration sent inline, or null
 * @param faultFilter whether the HTTP fault filter is in the chain (so routes' fault configs apply)
 * @param defaultFault the fault filter's own configuration, or null
 * @param notes fields that change traffic and are not implemented, for the report
 */
record ListenerResource(String name, String rdsName, RouteConfiguration inlineRoutes, boolean faultFilter,
    HTTPFault defaultFault, List<String> notes) {
  static final String HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
  static final String ROUTER = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";
  static final String FAULT = "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault";

  /** Decodes and validates one LDS resource. */
  static ListenerResource decode(Any any) {
    Listener l;
    try {
      l = any.unpack(Listener.class);
    } catch (InvalidProtocolBufferException e) {
      throw new XdsInvalidException("listener", "resource", any.getTypeUrl(), "a decodable envoy.config.listener.v3.Listener");
    }
    String where = "listener " + ServerStrings.printable(l.getName());
    if (!l.hasApiListener() || !HCM.equals(l.getApiListener().getApiListener().getTypeUrl())) {
      throw new XdsInvalidException(where, "api_listener.api_listener", l.hasApiListener()
          ? l.getApiListener().getApiListener().getTypeUrl() : "missing", "an HttpConnectionManager, as for gRPC clients");
    }
    HttpConnectionManager hcm;
    try {
      hcm = l.getApiListener().getApiListener().unpack(HttpConnectionManager.class);
    } catch (InvalidProtocolBufferException e) {
      throw new XdsInvalidException(where, "api_listener.api_listener", "undecodable", "an HttpConnectionManager");
    }
    boolean fault = false;
    HTTPFault defaultFault = null;
    List<String> notes = new java.util.ArrayList<>();
    boolean router = false;
    for (int i = 0; i < hcm.getHttpFiltersCount(); i++) {
      HttpFilter f = hcm.getHttpFilters(i);
      String field = "api_listener.http_connection_manager.http_filters[" + i + "] (" + ServerStrings.printable(f.getName()) + ")";
      String type = f.hasTypedConfig() ? f.getTypedConfig().getTypeUrl() : "";
      if (router) {
        throw new XdsInvalidException(where, field, type, "no filter after the router (it must be last)");
      }
      if (ROUTER.equals(type)) {
        router = true;
      } else if (FAULT.equals(type)) {
        fault = true;
        try {
          HTTPFault config = f.getTypedConfig().unpack(HTTPFault.class);
          defaultFault = config.hasAbort() || config.hasDelay() ? config : null;
        } catch (InvalidProtocolBufferException e) {
          throw new XdsInvalidException(where, field + ".typed_config", "undecodable", "an HTTPFault");
        }
      } else if (f.getIsOptional()) {
        notes.add(where + ": " + field + ": " + ServerStrings.printable(type) + " is not implemented and is_optional: skipped");
      } else {
        // gRFC A39: an unknown filter that is not optional fails the resource.
        throw new XdsInvalidException(where, field + ".typed_config", type.isEmpty() ? "no typed_config" : type,
            "a supported HTTP filter (router, fault) or is_optional: true");
      }
    }
    if (!router) {
      throw new XdsInvalidException(where, "api_listener.http_connection_manager.http_filters", "no router",
          "the router filter, last");
    }
    if (hcm.hasRds()) {
      String rds = hcm.getRds().getRouteConfigName();
      if (rds.isEmpty()) {
        throw new XdsInvalidException(where, "api_listener.http_connection_manager.rds.route_config_name", "''",
            "a route configuration name");
      }
      return new ListenerResource(l.getName(), rds, null, fault, defaultFault, List.copyOf(notes));
    }
    if (hcm.hasRouteConfig()) {
      return new ListenerResource(l.getName(), null, hcm.getRouteConfig(), fault, defaultFault, List.copyOf(notes));
    }
    throw new XdsInvalidException(where, "api_listener.http_connection_manager.route_specifier", "missing",
        "rds or route_config");
  }
}
