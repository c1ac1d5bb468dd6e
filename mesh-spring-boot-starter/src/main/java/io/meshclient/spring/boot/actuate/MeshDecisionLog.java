package io.meshclient.spring.boot.actuate;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.Mesh;
import io.meshclient.core.MeshListener;
import io.meshclient.core.RoutingDecision;
import io.meshclient.core.config.RouteConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A small ring buffer of the mesh's recent routing decisions, for {@code /actuator/mesh/decisions}:
 * which route matched, which subset was drawn, the candidates and the instance chosen, or why the call
 * was refused.
 *
 * <p>The mesh tells listeners that ask for decisions which route and subset a call took ({@link
 * MeshListener#onRouted}) and publishes a {@link RoutingDecision} per attempt (split draw, candidates,
 * chosen instance); an OkHttp interceptor placed before the mesh's frames each call, and the mesh's other
 * {@link MeshListener} events, which arrive on the same thread, add the status, refusals and duration.
 * Only public API is used: the route's destination and the balancer come from {@link Mesh#config()}. The last attempt's decision is kept. Recording costs a few small
 * allocations per call, so the starter installs the log only when the endpoint is exposed.
 * Thread-safe; the newest entries overwrite the oldest.
 */
public final class MeshDecisionLog {
  /** How many decisions are kept by default. */
  public static final int DEFAULT_CAPACITY = 100;

  private final AtomicReferenceArray<Decision> ring;
  private final AtomicLong written = new AtomicLong();
  private final ThreadLocal<Pending> pending = new ThreadLocal<>();
  private final MeshListener listener = new Listener();
  private volatile Mesh mesh;

  /** A log keeping the last {@code capacity} decisions. */
  public MeshDecisionLog(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
    }
    this.ring = new AtomicReferenceArray<>(capacity);
  }

  /** The interceptor to put into the mesh's base OkHttpClient. */
  public Interceptor interceptor() {
    return this::intercept;
  }

  /** The listener to give the mesh. */
  public MeshListener listener() {
    return listener;
  }

  /** Starts recording calls through {@code meshToWatch}; calls before this are not recorded. */
  public void attach(Mesh meshToWatch) {
    this.mesh = meshToWatch;
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

  private Response intercept(Interceptor.Chain chain) throws IOException {
    Mesh m = mesh;
    Request request = chain.request();
    if (m == null) {
      return chain.proceed(request);
    }
    Pending p = new Pending();
    pending.set(p);
    long start = System.nanoTime();
    Response response = null;
    IOException failure = null;
    try {
      response = chain.proceed(request);
      return response;
    } catch (IOException e) {
      failure = e;
      throw e;
    } finally {
      pending.remove();
      if (p.service != null) {
        record(m, request, p, response, failure, System.nanoTime() - start);
      }
    }
  }

  private void record(Mesh m, Request request, Pending p, Response response, IOException failure, long nanos) {
    ServiceConfig service = m.config().services().get(p.service);
    RouteConfig route = null;
    if (p.route != null && service != null) {
      for (RouteConfig r : service.routes()) {
        if (r.name().equals(p.route)) {
          route = r;
        }
      }
    }
    // The subset is known once the call completes; a refusal before that shows the whole service.
    List<ServiceInstance> instances = p.subset != null ? p.subsetInstances : m.instances(p.service);
    List<String> candidates = new ArrayList<>();
    String chosen = null;
    RoutingDecision d = p.decision;
    if (d != null) {
      candidates.addAll(d.candidates());
      chosen = d.chosen();
    } else {
      instances.forEach(i -> candidates.add(i.id()));
    }
    if (chosen == null && response != null) {
      String authority = response.request().url().host() + ":" + response.request().url().port();
      for (ServiceInstance i : instances) {
        if (i.authority().equals(authority) || (i.host() + ":" + i.port()).equals(authority)) {
          chosen = i.id();
        }
      }
    }
    String balancer = (service != null && service.loadBalancer() != null ? service.loadBalancer()
        : m.config().defaults().loadBalancer()).name();
    String refusal = p.refusal != null ? p.refusal : failure != null ? failure.getClass().getSimpleName() : null;
    Decision decision = new Decision(Instant.now(), p.service, request.method(), request.url().encodedPath(),
        p.route, route == null ? "all instances (no route matched)" : RouteText.destination(route),
        p.subset, d == null || d.draw() < 0 ? null : d.draw() + " of " + d.drawBound(), balancer, candidates, chosen,
        d == null ? 0 : d.attempt(), response != null ? response.code() : p.status, refusal, nanos / 1_000_000.0);
    ring.set((int) (written.getAndIncrement() % ring.length()), decision);
  }

  /**
   * One routing decision.
   *
   * @param route the matched route's name, or null when none matched
   * @param destination the matched route's destination, such as {@code split {v1=80, v3=20}}
   * @param subset the subset drawn, or null for the whole service (or a refusal before the draw)
   * @param draw the split draw that chose the subset, such as {@code 37 of 100}, or null without a split
   * @param candidates the ids of the instances the balancer chose among (ejected ones left out)
   * @param chosen the id of the instance the call went to, or null if it went nowhere
   * @param attempts how many attempts the call took (0 if refused before any)
   * @param status the HTTP status, or 0 without a response
   * @param refusal why the call failed or was refused without I/O, or null
   */
  public record Decision(Instant time, String service, String method, String path, String route,
      String destination, String subset, String draw, String balancer, List<String> candidates, String chosen,
      int attempts, int status, String refusal, double durationMillis) {}

  /** What the listener learns during one call on this thread. */
  private static final class Pending {
    String service;
    String route;
    List<ServiceInstance> subsetInstances = List.of();
    RoutingDecision decision;
    String subset;
    int status;
    String refusal;
  }

  private final class Listener implements MeshListener {
    @Override
    public boolean wantsDecisions() {
      return true;
    }

    @Override
    public void onRouted(String service, String route, String subset, List<ServiceInstance> subsetInstances) {
      Pending p = pending.get();
      if (p != null) {
        p.service = service;
        p.route = route;
        p.subsetInstances = subsetInstances;
      }
    }

    @Override
    public void onDecision(RoutingDecision decision) {
      Pending p = pending.get();
      if (p != null) {
        p.decision = decision;
      }
    }

    @Override
    public void onCallComplete(String service, String subset, String method, int status, CallOutcome outcome,
        long durationNanos) {
      Pending p = pending.get();
      if (p != null) {
        p.subset = subset;
        p.status = status;
      }
    }

    @Override
    public void onRateLimited(String service, String limiter) {
      Pending p = pending.get();
      if (p != null) {
        p.refusal = "rate limit '" + limiter + "'";
      }
    }

    @Override
    public void onConcurrencyLimited(String service) {
      Pending p = pending.get();
      if (p != null) {
        p.refusal = "max-concurrent-requests";
      }
    }
  }
}
