package io.meshclient.core.internal.http;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.ConcurrencyLimitExceededException;
import io.meshclient.api.MeshClosedException;
import io.meshclient.api.MeshException;
import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.api.PeerIdentityMismatchException;
import io.meshclient.api.RateLimitExceededException;
import io.meshclient.api.UnknownServiceException;
import io.meshclient.api.spi.SettingValues;
import io.meshclient.core.CallListener;
import io.meshclient.core.CallRecord;
import io.meshclient.core.MeshListener;
import io.meshclient.core.Sleeper;
import io.meshclient.core.Ticker;
import io.meshclient.core.config.FaultConfig;
import io.meshclient.core.internal.MeshRuntime;
import io.meshclient.core.internal.RoutePlan;
import io.meshclient.core.internal.ServiceRuntime;
import io.meshclient.core.internal.SubsetRuntime;
import io.meshclient.core.internal.ratelimit.GcraRateLimiter;
import io.meshclient.core.internal.routing.Route;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.util.random.RandomGenerator;
import okhttp3.EventListener;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The mesh's request path, as an OkHttp application interceptor: resolve, route, inject faults, admit,
 * then {@link Attempts} (pick, call, record, retry), then record the call. A request to a host that is
 * not a mesh service passes through untouched, unless it is a single-label name ({@code reviewz}) and
 * {@code mesh.unknown-hosts} is {@code refuse} (the default).
 *
 * <p>Refusals (rate limit, concurrency cap, open breaker, no instance) are thrown before {@code
 * chain.proceed}, so no byte leaves the process. OkHttp's own silent retry is off in the mesh's client;
 * the mesh decides what is sent again.
 */
public final class MeshInterceptor implements Interceptor {
  private final MeshRuntime runtime;
  private final MeshListener listener;
  private final Ticker ticker;
  private final RandomGenerator random;
  private final Attempts attempts;
  private final Mirrors mirrors;
  private final Faults faults;
  private final HedgedAttempts hedged;
  /** Makes the per-call listeners, or null: then no call builds a decision or a record. */
  private final CallListener.Factory callListeners;
  /** Where call and attempt observations go, or null: then no call makes one. */
  private final ObservationRegistry observations;

  /**
   * @param observations the registry of call and attempt observations, or null for none (then the
   *     client also needs {@link #callerCapture})
   */
  public MeshInterceptor(MeshRuntime runtime, MeshListener listener, CallListener.Factory callListeners,
      ObservationRegistry observations, Ticker ticker, RandomGenerator random, Sleeper sleeper) {
    this.runtime = runtime;
    this.listener = listener;
    this.ticker = ticker;
    this.random = random;
    this.attempts = new Attempts(listener, ticker, sleeper);
    this.mirrors = new Mirrors(listener, random, ticker);
    this.faults = new Faults(listener, random, sleeper);
    this.hedged = new HedgedAttempts(attempts, listener, ticker);
    this.callListeners = callListeners;
    this.observations = observations;
  }

  /**
   * The event listeners the mesh's OkHttpClient must have for an enqueued call's observation to get the
   * caller's as parent: {@code base}'s, each followed by one that keeps the caller's current observation.
   */
  public static EventListener.Factory callerCapture(EventListener.Factory base, ObservationRegistry observations) {
    return CallerCapture.around(base, observations);
  }

  /**
   * The network interceptor the mesh's OkHttpClient must have for this interceptor to tell a failure on
   * a reused connection (sent again once, uncounted) from one on a new connection (retry rules apply).
   */
  public static Interceptor connectionReuse() {
    return new ConnectionReuseInterceptor();
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    if (runtime.isClosed()) {
      throw meshClosed(chain.request(), null);
    }
    try {
      return route(chain);
    } catch (IOException e) {
      if (runtime.isClosed() && chain.call().isCanceled() && !(e instanceof MeshClosedException)) {
        throw meshClosed(chain.request(), e);
      }
      throw e;
    }
  }

  private UnknownServiceException unknownService(Request request) {
    String host = request.url().host();
    return new UnknownServiceException(host, request.method() + " " + request.url().redact() + " refused: '" + host
        + "' is not a mesh service (a " + (host.indexOf('.') < 0 || host.indexOf('.') == host.length() - 1
            ? "single-label host" : "cluster name")
        + " that is not one is refused unless mesh.unknown-hosts is pass-through)"
        + SettingValues.didYouMean(host, runtime.services().keySet()));
  }

  /** A call refused (cause null) or cancelled because the mesh closed. */
  private static MeshClosedException meshClosed(Request request, IOException cause) {
    return new MeshClosedException(request.url().host(), "mesh closed: " + request.method() + " "
        + request.url().redact() + (cause == null ? " not sent" : " cancelled after the close grace period"), cause);
  }

  private Response route(Chain chain) throws IOException {
    Request request = chain.request();
    ServiceRuntime service = runtime.service(request.url().host());
    // A hedge or a mirrored copy is addressed to its instance: sent there, even when the instance's host is also a
    // service's name (or a single-label name the mesh would refuse), with its TLS and timeouts.
    if (service == null || OwnCalls.isAddressed(request)) {
      if (service == null && runtime.refusesUnknown(request.url().host()) && !OwnCalls.isAddressed(request)) {
        throw unknownService(request);
      }
      return OwnCalls.send(chain, request, listener);
    }
    MeshCall call = new MeshCall(chain, service, ticker.nanoTime());
    CallListener observer = callListeners == null ? null : callListeners.newCall(service.name(), request);
    if (observer == null) {
      observer = CallListener.NONE;
    }
    CallObservation traced = observations == null ? null
        : CallObservation.start(observations, chain, request, service.name());
    if (observer == CallListener.NONE && traced == null) {
      return send(call);
    }
    call.watch = new MeshCall.Watch(observer, traced);
    Response response = null;
    IOException failure = null;
    RuntimeException bug = null;
    try {
      response = send(call);
      return response;
    } catch (IOException e) {
      failure = e;
      throw e;
    } catch (RuntimeException e) {
      bug = e;
      throw e;
    } finally {
      boolean ended = false;
      try {
        try {
          if (observer != CallListener.NONE) {
            observer.onEnd(record(call, response, failure));
          }
        } finally {
          if (traced != null) {
            traced.end(response, failure != null ? failure : bug);
          }
        }
        ended = true;
      } finally {
        if (!ended && response != null) {
          response.close(); // the caller never gets it: the listener's exception replaces it
        }
      }
    }
  }

  /** The call, from its route to its response: route, fault, admit, edit, mirror, attempts. */
  private Response send(MeshCall call) throws IOException {
    Chain chain = call.chain;
    Request request = call.request();
    ServiceRuntime service = call.service;
    RoutePlan plan = service.plan(call);
    call.plan = plan;
    destination(call, plan.route());
    ServiceRuntime target = call.target;
    SubsetRuntime subset = call.subset;
    CallObservation traced = call.traced();
    if (traced != null) {
      traced.routed(plan.name(), subset.name());
    }
    FaultConfig fault = plan.fault();
    try {
      if (fault != null) {
        Response aborted = faults.inject(fault, request, chain.call(), service, plan);
        if (aborted != null) {
          listener.onCallComplete(target.name(), subset.name(), request.method(), aborted.code(),
              aborted.code() >= 500 ? CallOutcome.SERVER_ERROR : CallOutcome.SUCCESS, ticker.nanoTime() - call.start);
          return aborted;
        }
      }
      admit(chain.call(), service, plan, target, call.start);
    } catch (IOException e) {
      if (!(e instanceof MeshException) && chain.call().isCanceled()) {
        // Cancelled during an injected delay or the wait for a permit: a cancel, as one during an attempt.
        listener.onCallComplete(target.name(), subset.name(), request.method(), 0, CallOutcome.CANCELLED,
            ticker.nanoTime() - call.start);
      }
      throw e;
    }
    // The subset's own counter when it has its own cap (as Envoy's cluster per subset), else the service's.
    if (subset.inFlight().incrementAndGet() > subset.maxConcurrentRequests()) {
      subset.inFlight().decrementAndGet();
      listener.onConcurrencyLimited(target.name());
      throw subset.hasOwnLimit()
          ? new ConcurrencyLimitExceededException(target.name(), subset.name(), subset.maxConcurrentRequests())
          : new ConcurrencyLimitExceededException(target.name(), subset.maxConcurrentRequests());
    }
    int status = 0;
    CallOutcome outcome = CallOutcome.IO_ERROR;
    Response response = null;
    boolean returned = false;
    // Everything after the in-flight count is taken runs inside the try, so that whatever throws (a
    // listener, the mirror, a header edit) gives the count back: before, the subset stayed one call fuller.
    try {
      call.sent = plan.edit(request);
      if (plan.mirror() != null) {
        mirrors.maybeMirror(chain.call(), call.sent, service, plan, traced);
      }
      response = HedgedAttempts.applies(call) ? hedged.run(call) : attempts.run(call);
      response = plan.edit(response);
      status = response.code();
      outcome = status >= 500 ? CallOutcome.SERVER_ERROR : CallOutcome.SUCCESS;
      returned = true;
      return response;
    } catch (MeshException e) {
      outcome = outcomeOf(e, chain.call().isCanceled());
      throw e;
    } catch (IOException e) {
      outcome = call.outcome(e, chain.call().isCanceled());
      throw e;
    } finally {
      subset.inFlight().decrementAndGet();
      boolean told = false;
      try {
        listener.onCallComplete(target.name(), subset.name(), request.method(), status, outcome,
            ticker.nanoTime() - call.start);
        told = true;
      } finally {
        if (response != null && !(returned && told)) {
          response.close(); // the caller never gets it: an unchecked exception replaces it
        }
      }
    }
  }

  /**
   * Sets the call's destination: the whole service when no route matched, else the route's target (drawn
   * when it splits), a subset of this service or of another.
   */
  private void destination(MeshCall call, Route route) throws NoHealthyInstanceException {
    ServiceRuntime service = call.service;
    if (route == null) {
      call.target = service;
      call.subset = service.all();
      return;
    }
    int index;
    if (call.observer() != CallListener.NONE && route.drawBound() > 0) {
      call.watch.draw = random.nextInt(route.drawBound());
      index = route.targetForDraw(call.watch.draw);
    } else {
      index = route.pick(random);
    }
    Route.Target target = route.target(index);
    if (target.service() == null) {
      call.target = service;
      call.subset = target.subsetIndex() < 0 ? service.all() : service.subset(target.subsetIndex());
      return;
    }
    // Another service: looked up per call, so its current snapshot (instances, breaker) is used. A
    // configuration always names services that exist; a gap can only be the instant of a swap.
    ServiceRuntime other = runtime.service(target.service());
    SubsetRuntime subset = other == null ? null : target.subset() == null ? other.all() : other.subset(target.subset());
    if (subset == null) {
      throw new NoHealthyInstanceException(target.service(), target.subset());
    }
    call.target = other;
    call.subset = subset;
  }

  /** What {@code call} came to, for its listener. */
  private CallRecord record(MeshCall call, Response response, IOException failure) {
    CallRecord.Reason reason;
    CallOutcome outcome;
    String limiter = null;
    boolean canceled = call.chain.call().isCanceled();
    if (response != null) {
      reason = call.faultAborted() ? CallRecord.Reason.FAULT_ABORT : CallRecord.Reason.RESPONSE;
      outcome = response.code() >= 500 ? CallOutcome.SERVER_ERROR : CallOutcome.SUCCESS;
    } else {
      outcome = failure instanceof MeshException mesh ? outcomeOf(mesh, canceled)
          : failure != null ? call.outcome(failure, canceled) : CallOutcome.IO_ERROR;
      if (canceled) {
        reason = CallRecord.Reason.CANCELLED;
      } else if (failure instanceof RateLimitExceededException limited) {
        reason = CallRecord.Reason.RATE_LIMITED;
        limiter = limited.limiter();
      } else if (failure instanceof ConcurrencyLimitExceededException) {
        reason = CallRecord.Reason.CONCURRENCY_LIMITED;
      } else if (failure instanceof io.meshclient.api.CircuitBreakerOpenException) {
        reason = CallRecord.Reason.BREAKER_OPEN;
      } else if (failure instanceof NoHealthyInstanceException) {
        reason = CallRecord.Reason.NO_HEALTHY_INSTANCE;
      } else {
        reason = CallRecord.Reason.FAILED;
      }
    }
    RoutePlan plan = call.plan;
    Route route = plan == null ? null : plan.route();
    return new CallRecord(call.service.name(), route == null ? null : route.config(), route == null ? null : route.name(),
        call.target == null ? call.service.name() : call.target.name(), call.subset == null ? null : call.subset.name(),
        call.watch.draw, route == null ? 0 : route.drawBound(), call.request().method(), call.attempts(),
        call.watch.hedges, call.watch.decision,
        response == null ? 0 : response.code(), outcome, reason, limiter, ticker.nanoTime() - call.start);
  }

  /**
   * What a call that ended in one of the mesh's exceptions came to: a refusal (open breaker, no healthy
   * instance), a failed handshake (the peer's identity), or the I/O failure a request that could not be
   * retried died of.
   */
  static CallOutcome outcomeOf(MeshException e, boolean canceled) {
    if (canceled) {
      return CallOutcome.CANCELLED;
    }
    if (e instanceof PeerIdentityMismatchException) {
      return CallOutcome.CONNECT_FAILURE;
    }
    if (e instanceof io.meshclient.api.NoHealthyInstanceException) {
      return CallOutcome.REFUSED; // its cause, if any, is the attempt before, already recorded as its own outcome
    }
    if (e.getCause() instanceof IOException cause && !(cause instanceof MeshException)) {
      return Attempts.classify(cause, null, false);
    }
    return CallOutcome.REFUSED;
  }

  /**
   * The route's own limit (the calling service's), then the destination service's limit. A route permit
   * whose call the service's limit then refuses (or whose wait for it is interrupted or cancelled) is given
   * back: the call is never sent, so the route's next caller is not charged for it. A permit is waited for
   * up to {@code max-wait} but never past the call's deadline: a call would be admitted only to send an
   * attempt bound to time out, blamed on the instance; it is refused at once instead.
   *
   * @throws java.io.InterruptedIOException if the thread is interrupted while waiting for a permit ({@code
   *     max-wait}); nothing stays taken, the interrupt flag stays set
   * @throws IOException "Canceled", as OkHttp says it, if {@code call} is cancelled while waiting for a
   *     permit; nothing stays taken
   */
  private void admit(okhttp3.Call call, ServiceRuntime service, RoutePlan plan, ServiceRuntime target, long start)
      throws IOException {
    GcraRateLimiter routeLimiter = plan.limiter();
    if (routeLimiter != null && !routeLimiter.acquire(1, call, plan.nanosLeft(start, ticker.nanoTime()))) {
      listener.onRateLimited(service.name(), routeLimiter.getName());
      throw refusal(service, routeLimiter);
    }
    GcraRateLimiter limiter = target.limiter();
    if (limiter == null) {
      return;
    }
    boolean admitted = false;
    try {
      admitted = limiter.acquire(1, call, plan.nanosLeft(start, ticker.nanoTime()));
    } finally {
      if (!admitted && routeLimiter != null) {
        routeLimiter.release(1);
      }
    }
    if (!admitted) {
      listener.onRateLimited(target.name(), limiter.getName());
      throw refusal(target, limiter);
    }
  }

  /** The refusal, carrying the bucket's wait for its next permit (the caller's {@code Retry-After}). */
  private static RateLimitExceededException refusal(ServiceRuntime service, GcraRateLimiter limiter) {
    return new RateLimitExceededException(service.name(), limiter.getName(),
        java.time.Duration.ofNanos(limiter.nanosUntilPermit()));
  }

  static boolean isIdempotent(String method) {
    switch (method) {
      case "GET": case "HEAD": case "OPTIONS": case "TRACE": case "PUT": case "DELETE":
        return true;
      default:
        return false;
    }
  }
}
