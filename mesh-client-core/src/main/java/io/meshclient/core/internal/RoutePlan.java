package io.meshclient.core.internal;

import io.meshclient.core.config.FaultConfig;
import io.meshclient.core.config.MirrorConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.StringMatch;
import io.meshclient.core.internal.ratelimit.GcraRateLimiter;
import io.meshclient.core.internal.routing.Route;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One route compiled with everything a call taking it needs: the match and destinations ({@link
 * #route()}), and the policies resolved against the service's (timeouts, retry, fault, mirror, route
 * limiter, header changes, rewrite). A service has one plan per route and a default plan for requests no
 * route matches (all instances, the service's policies). Built once per configuration; immutable apart
 * from the mirror counter, which lives as long as the configuration.
 */
public final class RoutePlan {
  private final Route route;
  private final GcraRateLimiter limiter;
  private final long timeoutMillis;
  private final long connectTimeoutMillis;
  private final RetryConfig retry;
  private final FaultConfig fault;
  private final MirrorConfig mirror;
  private final io.meshclient.core.config.HedgeConfig hedge;
  private final RouteLatency latency;
  private final AtomicInteger mirrorsInFlight = new AtomicInteger();
  private final RouteConfig.HeaderOps requestHeaders;
  private final RouteConfig.HeaderOps responseHeaders;
  private final String rewriteUri;
  private final String rewriteAuthority;
  /** The length of the prefix a rewritten path replaces, or -1 to replace the whole path. */
  private final int rewritePrefixLength;
  private final boolean editsRequest;
  /** The retried statuses, ascending, and the retry reason of each ("status-503"), made once per plan. */
  private final int[] retryStatuses;
  private final String[] retryStatusReasons;

  RoutePlan(Route route, GcraRateLimiter limiter, long timeoutMillis, long connectTimeoutMillis, RetryConfig retry) {
    this.route = route;
    this.limiter = limiter;
    this.timeoutMillis = timeoutMillis;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.retry = retry;
    RouteConfig config = route == null ? null : route.config();
    this.fault = config == null ? null : config.fault();
    this.mirror = config == null ? null : config.mirror();
    this.hedge = config == null ? null : config.hedge();
    this.latency = hedge != null && hedge.after() == null ? new RouteLatency(hedge.percentile(), hedge.minSamples())
        : null;
    this.requestHeaders = config == null ? RouteConfig.HeaderOps.NONE : config.requestHeaders();
    this.responseHeaders = config == null ? RouteConfig.HeaderOps.NONE : config.responseHeaders();
    RouteConfig.Rewrite rewrite = config == null ? null : config.rewrite();
    this.rewriteUri = rewrite == null ? null : rewrite.uri();
    this.rewriteAuthority = rewrite == null ? null : rewrite.authority();
    StringMatch path = config == null ? null : config.match().path();
    this.rewritePrefixLength = path != null && path.kind() == StringMatch.Kind.PREFIX ? path.value().length() : -1;
    this.editsRequest = !requestHeaders.isEmpty() || rewriteUri != null || rewriteAuthority != null;
    this.retryStatuses = sorted(retry.statuses());
    this.retryStatusReasons = new String[retryStatuses.length];
    for (int i = 0; i < retryStatuses.length; i++) {
      retryStatusReasons[i] = "status-" + retryStatuses[i];
    }
  }

  /**
   * The statuses in ascending order. A loop, not an IntStream: the stream pipeline's classes (a dozen of them)
   * would be loaded for this alone when the first mesh is built, on the application's start-up.
   */
  private static int[] sorted(java.util.Set<Integer> statuses) {
    int[] sorted = new int[statuses.size()];
    int i = 0;
    for (Integer status : statuses) {
      sorted[i++] = status;
    }
    java.util.Arrays.sort(sorted);
    return sorted;
  }

  /** The route, or null for the default plan (no route matched: all instances of the service). */
  public Route route() {
    return route;
  }

  /** The route's name, or null for the default plan. */
  public String name() {
    return route == null ? null : route.name();
  }

  /** The route's own rate limit, on top of the service's, or null. */
  public GcraRateLimiter limiter() {
    return limiter;
  }

  /** The call timeout: the route's, else the service's, else the default. */
  public long timeoutMillis() {
    return timeoutMillis;
  }

  /** The connect timeout: the route's, else the service's, else the default. */
  public long connectTimeoutMillis() {
    return connectTimeoutMillis;
  }

  /** The retry policy: the route's, else the service's, else the default. */
  public RetryConfig retry() {
    return retry;
  }

  /**
   * The deadline ({@code retry.deadline}) of a call that started at {@code start}, in ticker time, or 0 without
   * one: the attempts' bound, and the longest the call waits for a rate-limit permit.
   */
  public long deadline(long start) {
    java.time.Duration deadline = retry.deadline();
    return deadline == null ? 0 : start + deadline.toNanos();
  }

  /** Nanoseconds left at {@code now} to the {@link #deadline} of a call started at {@code start}, or Long.MAX_VALUE. */
  public long nanosLeft(long start, long now) {
    long deadline = deadline(start);
    return deadline == 0 ? Long.MAX_VALUE : deadline - now;
  }

  /**
   * The retry reason of a response with {@code status} ({@code "status-503"}) when {@link #retry()} retries
   * that status, else null. Allocates nothing: no boxing of the status, no string built per call.
   */
  public String retryStatusReason(int status) {
    int[] statuses = retryStatuses;
    for (int i = 0; i < statuses.length; i++) {
      if (statuses[i] == status) {
        return retryStatusReasons[i];
      }
    }
    return null;
  }

  /** Faults to inject, or null. */
  public FaultConfig fault() {
    return fault;
  }

  /** The mirror, or null. */
  public MirrorConfig mirror() {
    return mirror;
  }

  /** Hedged requests for this route, or null. */
  public io.meshclient.core.config.HedgeConfig hedge() {
    return hedge;
  }

  /** The route's attempt latencies, kept only when the hedge delay is a percentile; else null. */
  public RouteLatency latency() {
    return latency;
  }

  /** How long to wait for a response before hedging: the fixed delay, the percentile, or its fallback. */
  public long hedgeDelayNanos() {
    if (hedge.after() != null) {
      return hedge.after().toNanos();
    }
    long p = latency.percentileNanos();
    return p >= 0 ? p : hedge.fallback().toNanos();
  }

  /** Copies of this route's requests in flight now. */
  public AtomicInteger mirrorsInFlight() {
    return mirrorsInFlight;
  }

  /**
   * The request as this route sends it: headers removed, set and added (in that order), the path and the
   * authority rewritten; {@code request} itself when the route changes nothing.
   */
  public Request edit(Request request) {
    if (!editsRequest) {
      return request;
    }
    Request.Builder out = request.newBuilder();
    if (rewriteUri != null) {
      String path = request.url().encodedPath();
      String rest = rewritePrefixLength >= 0 && path.length() >= rewritePrefixLength
          ? path.substring(rewritePrefixLength) : "";
      HttpUrl url = request.url().newBuilder().encodedPath(join(rewriteUri, rest)).build();
      out.url(url);
    }
    apply(requestHeaders, out::removeHeader, out::header, out::addHeader);
    if (rewriteAuthority != null) {
      out.header("Host", rewriteAuthority);
    }
    return out.build();
  }

  /** {@code response} with this route's response header changes; itself when there are none. */
  public Response edit(Response response) {
    if (responseHeaders.isEmpty()) {
      return response;
    }
    Response.Builder out = response.newBuilder();
    apply(responseHeaders, out::removeHeader, out::header, out::addHeader);
    return out.build();
  }

  /** {@code uri} followed by what the prefix left; a path that must start with '/' stays so. */
  private static String join(String uri, String rest) {
    String joined = uri + rest;
    return joined.isEmpty() ? "/" : joined.charAt(0) == '/' ? joined : "/" + joined;
  }

  private static void apply(RouteConfig.HeaderOps ops, java.util.function.Consumer<String> remove,
      java.util.function.BiConsumer<String, String> set, java.util.function.BiConsumer<String, String> add) {
    ops.remove().forEach(remove);
    for (Map.Entry<String, String> e : ops.set().entrySet()) {
      set.accept(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, String> e : ops.add().entrySet()) {
      add.accept(e.getKey(), e.getValue());
    }
  }
}
