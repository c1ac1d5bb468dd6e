package io.meshclient.discovery.xds;

import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.meshclient.api.spi.SettingValues;
import io.meshclient.core.config.RouteConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a route does to a request and its response besides choosing where it goes: header changes
 * ({@code request_headers_to_add/remove}, {@code response_headers_to_add/remove} of the route, its virtual
 * host and its route configuration) and rewrites ({@code prefix_rewrite}, {@code host_rewrite_literal}),
 * mapped onto the mesh's {@link RouteConfig.HeaderOps} and {@link RouteConfig.Rewrite}. Stateless.
 *
 * <p>As Envoy does by default, the three levels are applied from the most specific to the least: a header
 * the route configuration sets wins over the one its route sets, unless {@code
 * most_specific_header_mutations_wins}. A header value with Envoy's {@code %COMMAND%} substitutions, an
 * {@code append_action} the mesh has no equivalent of ({@code ADD_IF_ABSENT}, {@code OVERWRITE_IF_EXISTS}),
 * or a second value added to one header is not applied, and reported.
 */
final class RouteTransforms {
  private RouteTransforms() {}

  /** Request or response header changes. */
  enum Direction { REQUEST, RESPONSE }

  /**
   * The header changes in {@code direction} for route {@code r} of {@code vh} in {@code rc} (null when the
   * virtual host is validated on its own).
   *
   * @throws XdsInvalidException when a change names a pseudo-header or {@code host}, as Envoy refuses
   */
  static RouteConfig.HeaderOps headers(String key, Direction direction, RouteConfiguration rc, VirtualHost vh,
      Route r, List<String> notes) {
    boolean request = direction == Direction.REQUEST;
    String prefix = request ? "request_headers_to_" : "response_headers_to_";
    List<Level> levels = new ArrayList<>();
    levels.add(new Level(key, request ? r.getRequestHeadersToAddList() : r.getResponseHeadersToAddList(),
        request ? r.getRequestHeadersToRemoveList() : r.getResponseHeadersToRemoveList()));
    levels.add(new Level(key + ": virtual_host", request ? vh.getRequestHeadersToAddList()
        : vh.getResponseHeadersToAddList(), request ? vh.getRequestHeadersToRemoveList()
        : vh.getResponseHeadersToRemoveList()));
    if (rc != null) {
      levels.add(new Level(key + ": route_configuration", request ? rc.getRequestHeadersToAddList()
          : rc.getResponseHeadersToAddList(), request ? rc.getRequestHeadersToRemoveList()
          : rc.getResponseHeadersToRemoveList()));
      if (rc.getMostSpecificHeaderMutationsWins()) {
        java.util.Collections.reverse(levels);
      }
    }
    Map<String, String> set = new LinkedHashMap<>();
    Map<String, String> add = new LinkedHashMap<>();
    Set<String> remove = new LinkedHashSet<>();
    for (Level level : levels) {
      for (int i = 0; i < level.remove.size(); i++) {
        String name = level.remove.get(i).toLowerCase(Locale.ROOT);
        checkName(level.where, prefix + "remove[" + i + "]", name);
        remove.add(name);
      }
      for (int i = 0; i < level.add.size(); i++) {
        HeaderValueOption option = level.add.get(i);
        String field = prefix + "add[" + i + "]";
        String name = option.getHeader().getKey().toLowerCase(Locale.ROOT);
        checkName(level.where, field + ".header.key", name);
        String value = option.getHeader().getRawValue().isEmpty() ? option.getHeader().getValue()
            : option.getHeader().getRawValue().toStringUtf8();
        if (value.replace("%%", "").indexOf('%') >= 0) {
          notes.add(level.where + ": " + field + " (" + ServerStrings.printable(name) + "): %COMMAND% substitutions are not implemented: "
              + "the header is not changed");
          continue;
        }
        value = value.replace("%%", "%");
        if (!value.chars().allMatch(c -> c == '\t' || c >= 0x20 && c < 0x7f)) { // as the mesh checks its own
          throw new XdsInvalidException(level.where, field + ".header.value (" + ServerStrings.printable(name) + ")",
              value, "printable ASCII (OkHttp sends no other character "
              + "in a header value)");
        }
        Boolean append = option.hasAppend() ? Boolean.valueOf(option.getAppend().getValue())
            : switch (option.getAppendAction()) {
              case APPEND_IF_EXISTS_OR_ADD -> Boolean.TRUE;
              case OVERWRITE_IF_EXISTS_OR_ADD -> Boolean.FALSE;
              default -> null;
            };
        if (append == null) {
          notes.add(level.where + ": " + field + " (" + ServerStrings.printable(name) + "): append_action " + option.getAppendAction()
              + " is not implemented: the header is not changed");
          continue;
        }
        if (append) {
          if (add.containsKey(name)) {
            notes.add(level.where + ": " + field + " (" + ServerStrings.printable(name) + "): a second value added to one header is not "
                + "implemented: only the first is added");
          } else {
            add.put(name, value);
          }
        } else {
          set.put(name, value); // a less specific level, applied later, wins
        }
      }
    }
    return new RouteConfig.HeaderOps(set, add, List.copyOf(remove));
  }

  /**
   * The rewrite of route action {@code a}, or null; one the mesh cannot perform is reported and, when it
   * would change the path, returned as {@code UNROUTABLE_REWRITE} so the route's calls fail.
   */
  static RouteConfig.Rewrite rewrite(String key, RouteAction a, List<String> notes) {
    String uri = a.getPrefixRewrite().isEmpty() ? null : a.getPrefixRewrite();
    String authority = null;
    switch (a.getHostRewriteSpecifierCase()) {
      case HOST_REWRITE_LITERAL -> authority = a.getHostRewriteLiteral().isEmpty() ? null : a.getHostRewriteLiteral();
      case AUTO_HOST_REWRITE -> {
        if (a.getAutoHostRewrite().getValue()) {
          notes.add(key + ": route.auto_host_rewrite is not implemented: the Host header is kept");
        }
      }
      case HOST_REWRITE_HEADER, HOST_REWRITE_PATH_REGEX -> notes.add(key + ": route."
          + a.getHostRewriteSpecifierCase().name().toLowerCase(Locale.ROOT) + " is not implemented: the Host header is kept");
      default -> { }
    }
    if (uri != null && !uri.startsWith("/")) {
      throw new XdsInvalidException(key, "route.prefix_rewrite", uri, "a path starting with '/'");
    }
    if (authority != null && !SettingValues.isHostAndPort(authority)) { // the Host header: no path, space or line break
      throw new XdsInvalidException(key, "route.host_rewrite_literal", authority.replace("\r", "\\r")
          .replace("\n", "\\n"), "a host with an optional port, such as ratings.internal:8080");
    }
    return uri == null && authority == null ? null : new RouteConfig.Rewrite(uri, authority);
  }

  /** Whether {@code a} rewrites the path in a way the mesh cannot (regex or extension): its calls must fail. */
  static boolean unsupportedPathRewrite(String key, RouteAction a, List<String> notes) {
    if (a.hasRegexRewrite() || a.hasPathRewritePolicy()) {
      notes.add(key + ": route." + (a.hasRegexRewrite() ? "regex_rewrite" : "path_rewrite_policy")
          + " is not implemented: its calls fail rather than reach the wrong path");
      return true;
    }
    return false;
  }

  private static void checkName(String where, String field, String name) {
    if (name.isEmpty() || name.startsWith(":") || name.equals("host")) {
      throw new XdsInvalidException(where, field, name.isEmpty() ? "''" : name,
          "a header name other than host and pseudo-headers");
    }
    if (!SettingValues.isToken(name)) {
      throw new XdsInvalidException(where, field, name,
          "a header name (RFC 9110 token)");
    }
  }

  private record Level(String where, List<HeaderValueOption> add, List<String> remove) {}
}
