package io.meshclient.spring.boot.actuate;

import io.meshclient.core.CallListener;
import io.meshclient.core.CallRecord;
import io.meshclient.core.Mesh;
import io.meshclient.core.RoutingDecision;
import io.meshclient.core.config.ServiceConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import okhttp3.Request;

/**
 * A small ring buffer of the mesh's recent routing decisions, for {@code /actuator/mesh/decisions}:
 * which route matched, which subset was drawn, the candidates the balancer chose among and the instance
 * chosen, or why the call was refused.
 *
 * <p>It is an ordinary {@link CallListener.Factory}: each call gets its own listener, which receives the
 * call's attempts and its {@link CallRecord}, so nothing is matched again and no {@code ThreadLocal} is
 * needed. Recording costs a few small allocations per call, so the starter installs the log only when the
 * endpoint is exposed. Thread-safe; the newest entries overwrite the oldest.
 */
public final class MeshDecisionLog implements CallListener.Factory {
  /** How many decisions are kept by default. */
  public static final int DEFAULT_CAPACITY = 100;

  private final AtomicReferenceArray<Decision> ring;
  private final AtomicLong written = new AtomicLong();
  private volatile Mesh mesh;

  /** A log keeping the last {@code capacity} decisions. */
  public MeshDecisionLog(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
    }
    this.ring = new AtomicReferenceArray<>(capacity);
  }

  /** Starts recording calls through {@code meshToWatch}; calls before this are not recorded. */
  public void attach(Mesh meshToWatch) {
    this.mesh = meshToWatch;
  }

  @Override
  public CallListener newCall(String service, Request request) {
    Mesh m = mesh;
    if (m == null) {
      return CallListener.NONE;
    }
    String path = request.url().encodedPath();
    return new CallListener() {
      @Override
      public void onEnd(CallRecord record) {
        record(m, path, record);
      }
    };
  }

  /** The recorded decisions, newest first. */
  public List<Decision> recent() {
    long end = written.get();
    List<Decision> out = new ArrayList<>();
    for (long i = end - 1; i >= 0 && i >= end - ring.length(); i--) {
      Decision d = ring.get((int) (i % ring.length()));
      if (d != null) {
        out.add(d);
      }
    }
    return out;
  }

  private void record(Mesh m, String path, CallRecord r) {
    RoutingDecision d = r.lastAttempt();
    String balancer = d != null && d.balancer() != null ? d.balancer() : balancer(m, r.destination());
    String refusal = switch (r.reason()) {
      case RESPONSE -> null;
      case FAULT_ABORT -> "fault abort";
      case RATE_LIMITED -> "rate limit '" + r.limiter() + "'";
      case CONCURRENCY_LIMITED -> "max-concurrent-requests";
      case BREAKER_OPEN -> "circuit breaker open";
      case NO_HEALTHY_INSTANCE -> "no healthy instance";
      case CANCELLED -> "cancelled";
      case FAILED -> r.outcome().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    };
    Decision decision = new Decision(Instant.now(), r.service(), r.method(), path, r.routeName(),
        r.route() == null ? "all instances (no route matched)" : RouteText.destination(r.route()),
        r.destination().equals(r.service()) ? r.subset() : r.destination() + (r.subset() == null ? "" : "/" + r.subset()),
        r.draw() < 0 ? null : r.draw() + " of " + r.drawBound(), balancer,
        d == null ? List.of() : d.candidates(), d == null ? null : d.chosen(), r.attempts(), r.status(), refusal,
        r.durationNanos() / 1_000_000.0);
    ring.set((int) (written.getAndIncrement() % ring.length()), decision);
  }

  private static String balancer(Mesh m, String service) {
    ServiceConfig config = m.config().services().get(service);
    return (config != null && config.loadBalancer() != null ? config.loadBalancer()
        : m.config().defaults().loadBalancer()).name();
  }

  /**
   * One routing decision.
   *
   * @param route the matched route's name, or null when none matched
   * @param destination the matched route's destination, such as {@code split {v1=80, v3=20}}
   * @param subset the subset drawn, or null for the whole service; {@code ratings/v1} when a route sent
   *     the call to another service
   * @param draw the split draw that chose the subset, such as {@code 37 of 100}, or null without a split
   * @param candidates the ids of the instances the balancer chose among (ejected ones left out); empty
   *     when the call was refused before the balancer chose
   * @param chosen the id of the instance the call went to, or null if it went nowhere
   * @param attempts how many attempts the call took (0 if refused before any)
   * @param status the HTTP status, or 0 without a response
   * @param refusal why the call failed or was refused without a response, or null
   */
  public record Decision(Instant time, String service, String method, String path, String route,
      String destination, String subset, String draw, String balancer, List<String> candidates, String chosen,
      int attempts, int status, String refusal, double durationMillis) {}
}
