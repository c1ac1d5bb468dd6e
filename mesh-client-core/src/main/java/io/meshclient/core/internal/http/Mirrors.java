package io.meshclient.core.internal.http;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.MeshListener;
import io.meshclient.core.Ticker;
import io.meshclient.core.config.MirrorConfig;
import io.meshclient.core.internal.RoutePlan;
import io.meshclient.core.internal.ServiceRuntime;
import io.meshclient.core.internal.SubsetRuntime;
import io.meshclient.core.observation.AttemptKind;
import io.micrometer.observation.Observation;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Sends fire-and-forget copies of sampled requests (Istio's {@code mirror}). A copy is enqueued on the client
 * the caller's call was made on ({@link OwnCalls#clientOf}: through the caller's interceptors after the mesh's,
 * as the call itself), so the caller never waits for it; its outcome is only counted. Copies beyond
 * the route's cap are dropped, not queued, so a hanging mirror target cannot pile up work.
 */
final class Mirrors {
  private static final System.Logger LOG = System.getLogger(Mirrors.class.getName());
  /** Marks a copy, so it is recognised downstream and never mirrored again. */
  static final String SHADOW_HEADER = "x-mesh-shadow";

  private final MeshListener listener;
  private final RandomGenerator random;
  private final Ticker ticker;

  Mirrors(MeshListener listener, RandomGenerator random, Ticker ticker) {
    this.listener = listener;
    this.random = random;
    this.ticker = ticker;
  }

  /**
   * Sends a copy of {@code request}, a request of {@code caller}, if the route's mirror samples it; {@code
   * traced}: the call's observation or null. Skipped when the client {@code caller} was made on is not known.
   */
  void maybeMirror(Call caller, Request request, ServiceRuntime service, RoutePlan route, CallObservation traced) {
    MirrorConfig mirror = route.mirror();
    if (request.header(SHADOW_HEADER) != null || !(random.nextDouble() * 100 < mirror.percent())) {
      return;
    }
    OkHttpClient client = OwnCalls.clientOf(caller);
    if (client == null || (request.body() != null && request.body().isOneShot())) {
      listener.onMirror(service.name(), route.name(), "skipped");
      return;
    }
    AtomicInteger inFlight = route.mirrorsInFlight();
    if (inFlight.incrementAndGet() > mirror.maxConcurrent()) {
      inFlight.decrementAndGet();
      listener.onMirror(service.name(), route.name(), "dropped");
      return;
    }
    SubsetRuntime subset = mirror.service() != null ? null : service.subset(mirror.subset());
    HttpUrl target = target(request, service, mirror, subset);
    if (target == null || (request.isHttps() && !target.isHttps())) {
      // An https:// call's copy to an instance that is not secure, in a subset without TLS, would be plain
      // HTTP (its URL takes the instance's scheme): never sent, as the call itself would be refused.
      inFlight.decrementAndGet();
      listener.onMirror(service.name(), route.name(), target == null ? "dropped" : "skipped");
      return;
    }
    Request.Builder copy = request.newBuilder().url(target)
        .header(SHADOW_HEADER, "true")
        .header("Host", request.url().host() + "-shadow");
    if (subset != null) {
      OwnCalls.tagTls(copy, service.tlsClient(subset));
      OwnCalls.tagAddressed(copy);
    }
    Observation observation = null;
    if (traced != null) {
      observation = traced.attempt(copy, request.method(), target,
          mirror.service() != null ? mirror.service() : service.name(),
          mirror.service() != null ? null : mirror.subset(), AttemptKind.MIRROR, 1, null);
      // A copy to another service goes through the mesh again: its call observation is this one's child.
      copy.tag(Observation.class, observation);
    }
    Observation mirrored = observation;
    Call sent = client.newCall(copy.build());
    if (subset != null) {
      // Addressed to the instance itself, the copy passes through the mesh untouched, with the client's
      // mesh-wide timeouts: bounded here by the route's instead, so a silent shadow does not hold its slot
      // (max-concurrent) for longer than a call to it would wait.
      sent.timeout().timeout(subset.connectTimeoutMillis(route) + route.timeoutMillis(), TimeUnit.MILLISECONDS);
    }
    sent.enqueue(new Callback() {
      @Override
      public void onResponse(Call call, Response response) {
        try {
          end(mirrored, response, null, false);
        } finally {
          response.close();
          inFlight.decrementAndGet();
        }
        listener.onMirror(service.name(), route.name(), "sent");
      }

      @Override
      public void onFailure(Call call, IOException e) {
        try {
          end(mirrored, null, e, call.isCanceled());
        } finally {
          inFlight.decrementAndGet();
        }
        listener.onMirror(service.name(), route.name(), "failed");
      }
    });
  }

  /**
   * Ends a copy's observation, if it has one. A copy has no caller to give an observation handler's failure
   * to, and OkHttp would print it from its dispatcher thread with the copy's slot ({@code max-concurrent})
   * and its listener event lost: it is logged on one line instead.
   */
  private static void end(Observation mirrored, Response response, IOException failure, boolean cancelled) {
    if (mirrored == null) {
      return;
    }
    try {
      CallObservation.end(mirrored, response, failure, cancelled);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "An observation handler failed when a mirrored copy ended: " + e);
    }
  }

  /**
   * An instance of the mirror subset ({@code subset}, null if the service has none such), or the other
   * service's name; null if the subset has no instance.
   */
  private HttpUrl target(Request request, ServiceRuntime service, MirrorConfig mirror, SubsetRuntime subset) {
    if (mirror.service() != null) {
      return request.url().newBuilder().host(mirror.service()).build();
    }
    List<ServiceInstance> candidates = subset == null ? List.of()
        : subset.candidates(ticker.nanoTime());
    if (candidates.isEmpty()) {
      return null;
    }
    ServiceInstance instance = candidates.get(random.nextInt(candidates.size()));
    try {
      return service.rewrite(request.url(), instance, subset);
    } catch (java.net.ConnectException e) {
      return null; // an unreachable instance: the copy is dropped, as with no instance
    }
  }
}
