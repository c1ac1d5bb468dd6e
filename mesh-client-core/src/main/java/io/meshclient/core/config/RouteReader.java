package io.meshclient.core.config;

import io.meshclient.api.spi.Setting;
import io.meshclient.api.spi.SettingValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the entries of a service's {@code routes} list in a raw tree: match, destinations, rate limit, retry,
 * fault, mirror, header operations, rewrite and hedge, naming the full key of every problem.
 */
final class RouteReader {
  /** How a header or query parameter is matched, as listed in an "unknown key" error. */
  private static final List<String> MATCH_KINDS = List.of("exact", "prefix", "regex", "present");

  private final List<String> problems;

  /** @param problems where problems are recorded: the reader's own list, so one pass reports every bad key */
  RouteReader(List<String> problems) {
    this.problems = problems;
  }

  RouteConfig route(ConfigNode node, RetryConfig serviceRetry) {
    node.allowOnly(MeshKeys.ROUTES);
    List<RouteConfig.Destination> destinations = new ArrayList<>();
    List<String> forms = new ArrayList<>();
    if (node.has("to")) {
      forms.add("to");
      if (node.raw("to") instanceof Map) {
        ConfigNode to = node.child("to");
        to.allowOnly(MeshKeys.TO);
        destinations.add(new RouteConfig.Destination(to.string("service"), to.string("subset"), 1));
      } else {
        destinations.add(new RouteConfig.Destination(null, node.string("to"), 1));
      }
    }
    ConfigNode splitNode = node.child("split");
    if (splitNode != null) {
      forms.add("split");
      for (String subset : splitNode.childNames()) {
        Object raw = splitNode.raw(subset);
        Integer weight = raw == null ? null : (Integer) MeshKeys.WEIGHT.parse(splitNode.key(subset), raw, problems);
        // a refused weight is reported once, as itself
        destinations.add(new RouteConfig.Destination(null, subset, weight == null ? 1 : weight));
      }
    }
    if (node.has("destinations")) {
      forms.add("destinations");
      Setting weight = MeshKeys.DESTINATIONS.child("weight");
      for (ConfigNode d : node.list("destinations")) {
        d.allowOnly(MeshKeys.DESTINATIONS);
        destinations.add(new RouteConfig.Destination(d.string("service"), d.string("subset"), d.integer(weight, 1)));
      }
    }
    if (forms.size() > 1) {
      node.report(node.key(), "both " + String.join(" and ", forms), "one destination: 'to', 'split' or 'destinations'");
    }
    ConfigNode headers = node.child("headers");
    if (headers != null) {
      headers.allowOnly(MeshKeys.HEADERS);
    }
    ConfigNode rewrite = node.child("rewrite");
    if (rewrite != null) {
      rewrite.allowOnly(MeshKeys.REWRITE);
    }
    return new RouteConfig(node.string("name"), match(node.child("match")), destinations,
        MeshConfigReader.rateLimit(node.child(MeshKeys.RATE_LIMIT)), node.duration(MeshKeys.TIMEOUT),
        ResilienceReader.retry(node.child(MeshKeys.RETRY), serviceRetry, true), ResilienceReader.fault(node.child(MeshKeys.FAULT)),
        mirror(node.child(MeshKeys.MIRROR)), node.duration(MeshKeys.CONNECT_TIMEOUT),
        headerOps(headers == null ? null : headers.child("request")),
        headerOps(headers == null ? null : headers.child("response")),
        rewrite == null ? null : new RouteConfig.Rewrite(rewrite.string("uri"), rewrite.string("authority")),
        hedge(node.child(MeshKeys.HEDGE)));
  }

  /** {@code after: 50ms} or {@code after: p95}, with the optional parts' defaults. */
  private HedgeConfig hedge(ConfigNode node) {
    if (node == null) {
      return null;
    }
    node.allowOnly(MeshKeys.HEDGE);
    String after = node.string("after");
    Duration fixed = null;
    double percentile = 0;
    if (after == null) {
      if (!node.has("after")) {
        node.report(node.key("after"), "missing", "a delay such as 50ms, or a percentile such as p95");
      }
      return null;
    }
    String text = after.trim();
    if (text.startsWith("p") || text.startsWith("P")) {
      Double p = SettingValues.decimalNumber(text.substring(1));
      percentile = p == null ? -1 : p;
      if (!(percentile >= 50 && percentile <= 99.9)) {
        node.report(node.key("after"), after, "a percentile from p50 to p99.9, such as p95");
        return null;
      }
    } else {
      fixed = SettingValues.parseDuration(text);
      if (fixed == null) {
        node.report(node.key("after"), after, "a delay such as 50ms, or a percentile such as p95");
        return null;
      }
    }
    return new HedgeConfig(fixed, percentile, node.duration(MeshKeys.HEDGE_FALLBACK, HedgeConfig.DEFAULT_FALLBACK),
        node.integer(MeshKeys.HEDGE_MAX_EXTRA, 1), node.integer(MeshKeys.HEDGE_MIN_SAMPLES, 100));
  }

  private static RouteConfig.HeaderOps headerOps(ConfigNode node) {
    if (node == null) {
      return null;
    }
    node.allowOnly(MeshKeys.HEADERS.child("request"));
    return new RouteConfig.HeaderOps(node.textMap("set"), node.textMap("add"), node.strings("remove"));
  }

  private static MirrorConfig mirror(ConfigNode node) {
    if (node == null) {
      return null;
    }
    node.allowOnly(MeshKeys.MIRROR);
    double percent = 100;
    String rawPercent = node.string("percent");
    if (rawPercent != null) {
      String text = rawPercent.trim().endsWith("%") ? rawPercent.trim().substring(0, rawPercent.trim().length() - 1)
          : rawPercent.trim();
      Double p = SettingValues.decimalNumber(text);
      if (p == null) {
        node.report(node.key("percent"), rawPercent, "a percentage such as 10 or 0.5%");
      } else {
        percent = p;
      }
    }
    return new MirrorConfig(node.string("to"), node.string("service"), percent,
        node.integer(MeshKeys.MIRROR_MAX, MirrorConfig.DEFAULT_MAX_CONCURRENT));
  }

  private RouteConfig.Match match(ConfigNode node) {
    if (node == null) {
      return RouteConfig.Match.ANY;
    }
    node.allowOnly(MeshKeys.MATCH);
    StringMatch path = node.has("path") ? stringMatch(node, "path") : null;
    Set<String> methods = new java.util.LinkedHashSet<>();
    node.strings("method").forEach(m -> methods.add(m.trim().toUpperCase(Locale.ROOT)));
    Map<String, StringMatch> headers = matches(node, "headers");
    Map<String, StringMatch> query = matches(node, "query-params");
    Map<String, StringMatch> without = matches(node, "without-headers");
    Object ignoreCase = node.raw("ignore-uri-case");
    if (ignoreCase != null && !"true".equalsIgnoreCase(ignoreCase.toString())
        && !"false".equalsIgnoreCase(ignoreCase.toString())) {
      node.report(node.key("ignore-uri-case"), ignoreCase, "true or false");
    }
    return new RouteConfig.Match(path, methods, headers, query, without,
        ignoreCase != null && "true".equalsIgnoreCase(ignoreCase.toString()));
  }

  /** Name to match under {@code child} of a match block: {@code headers}, {@code query-params}, ... */
  private Map<String, StringMatch> matches(ConfigNode node, String child) {
    Map<String, StringMatch> out = new LinkedHashMap<>();
    ConfigNode parent = node.child(child);
    if (parent != null) {
      for (String name : parent.childNames()) {
        StringMatch m = stringMatch(parent, name);
        if (m != null) {
          out.put(name, m);
        }
      }
    }
    return out;
  }

  /** {@code {exact: x}}, {@code {prefix: x}}, {@code {regex: x}}, {@code {present: true}}, or a bare string (exact). */
  private StringMatch stringMatch(ConfigNode parent, String child) {
    Object raw = parent.raw(child);
    // `end-user:` with nothing after it: mesh.yaml reads null (it was the text "null", which no caller sends),
    // application.yml the empty text (an empty header value): either way a route that never matched, in silence.
    if (raw == null || raw instanceof CharSequence text && text.isEmpty()) {
      parent.report(parent.key(child), "missing", "a value to match; { exact: \"\" } matches an empty value");
      return null;
    }
    if (!(raw instanceof Map)) {
      String exact = parent.text(child);
      return exact == null ? null : StringMatch.exact(exact);
    }
    ConfigNode node = parent.child(child);
    if (node.childNames().size() != 1) {
      node.report(node.key(), node.childNames(), "exactly one of [exact, prefix, regex, present]");
      return null;
    }
    String kind = node.childNames().iterator().next();
    String value = node.text(kind);
    if (value == null) {
      if (!node.has(kind)) {
        node.report(node.key(kind), "missing", "a value to match");
      }
      return null;
    }
    switch (kind) {
      case "exact": return StringMatch.exact(value);
      case "prefix": return StringMatch.prefix(value);
      case "regex": return StringMatch.regex(value);
      case "present":
        if (!"true".equalsIgnoreCase(value)) {
          node.report(node.key(kind), value, "true");
        }
        return StringMatch.present();
      default:
        node.report(node.key(kind), "unknown key", "one of " + MATCH_KINDS + SettingValues.didYouMean(kind, MATCH_KINDS));
        return null;
    }
  }
}
