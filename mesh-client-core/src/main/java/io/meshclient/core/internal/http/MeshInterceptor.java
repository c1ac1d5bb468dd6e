package io.meshclient.core.internal.http;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.ConcurrencyLimitExceededException;
import io.meshclient.api.MeshException;
import io.meshclient.api.PeerIdentityMismatchException;
import io.meshclient.api.RateLimitExceededException;
import io.meshclient.core.MeshListener;
import io.meshclient.core.Sleeper;
import io.meshclient.core.Ticker;
import io.meshclient.core.config.FaultConfig;
import io.meshclient.core.internal.MeshRuntime;
import io.meshclient.core.internal.ServiceRuntime;
import io.meshclient.core.internal.SubsetRuntime;
import io.meshclient.core.internal.ratelimit.GcraRateLimiter;
import io.meshclient.core.internal.routing.Route;
import java.io.IOException;
import java.util.random.RandomGenerator;
import okhttp3.Interceptor;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The mesh's request path, as an OkHttp application interceptor: resolve, route, inject faults, admit,
 * then {@link Attempts} (pick, call, record, retry), then record the call. A request to a host that is
 * not a mesh service passes through untouched.
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
  private final Sleeper sleeper;
  private final Attempts attempts;
  private final Mirrors mirrors;
  private final boolean decisions;

  /**
   * @param client the mesh's own client, for mirrored copies (known only once the client is built)
   */
  public MeshInterceptor(MeshRuntime runtime, MeshListener listener, Ticker ticker, RandomGenerator random,
      Sleeper sleeper, java.util.function.Supplier<okhttp3.OkHttpClient> client) {
    this.runtime = runtime;
    this.listener = listener;
    this.ticker = ticker;
    this.random = random;
    this.sleeper = sleeper;
    this.attempts = new Attempts(listener, ticker, sleeper);
    this.mirrors = new Mirrors(listener, random, ticker, client);
    this.decisions = listener.wantsDecisions();
  }

  /** The event listener the mesh's OkHttpClient must use for this interceptor to see connection reuse. */
  public static okhttp3.EventListener wireEvents() {
    return new WireEvents();
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    ServiceRuntime service = runtime.service(request.url().host());
    if (service == null) {
      return chain.proceed(request);
    }
    long start = ticker.nanoTime();
    OkHttpRequestContext context = new OkHttpRequestContext(request);
    Route route = service.routes().match(context);
    int routeIndex = route == null ? -1 : route.index();
    int draw = -1;
    SubsetRuntime subset;
    if (route == null) {
      subset = service.all();
    } else if (decisions && route.drawBound() > 0) {
      draw = random.nextInt(route.drawBound());
      subset = service.subset(route.subsetForDraw(draw));
    } else {
      subset = service.subset(route.pickSubset(random));
    }
    if (decisions) {
      listener.onRouted(service.name(), route == null ? null : route.name(), subset.name(), subset.instances());
    }
    FaultConfig fault = service.fault(routeIndex);
    if (fault != null) {
      Response aborted = injectFault(fault, request, service, route);
      if (aborted != null) {
        listener.onCallComplete(service.name(), subset.name(), request.method(), aborted.code(),
            aborted.code() >= 500 ? CallOutcome.SERVER_ERROR : CallOutcome.SUCCESS, ticker.nanoTime() - start);
        return aborted;
      }
    }
    admit(service, route);
    if (service.inFlight().incrementAndGet() > service.maxConcurrentRequests()) {
      service.inFlight().decrementAndGet();
      listener.onConcurrencyLimited(service.name());
      throw new ConcurrencyLimitExceededException(service.name(), service.maxConcurrentRequests());
    }
    if (route != null && service.mirror(routeIndex) != null) {
      mirrors.maybeMirror(request, service, route);
    }
    int status = 0;
    CallOutcome outcome = CallOutcome.IO_ERROR;
    try {
      Response response = attempts.run(chain, request, service, route, draw, subset, context, start);
      status = response.code();
      outcome = status >= 500 ? CallOutcome.SERVER_ERROR : CallOutcome.SUCCESS;
      return response;
    } catch (MeshException e) {
      outcome = outcomeOf(e, chain.call().isCanceled());
      throw e;
    } catch (IOException e) {
      outcome = Attempts.classify(e, null, chain.call().isCanceled());
      throw e;
    } finally {
      service.inFlight().decrementAndGet();
      listener.onCallComplete(service.name(), subset.name(), request.method(), status, outcome,
          ticker.nanoTime() - start);
    }
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
    if (e.getCause() instanceof IOException cause && !(cause instanceof MeshException)) {
      return Attempts.classify(cause, null, false);
    }
    return CallOutcome.REFUSED;
  }

  private void admit(ServiceRuntime service, Route route) throws RateLimitExceededException {
    if (route != null) {
      GcraRateLimiter routeLimiter = service.routeLimiter(route.index());
      if (routeLimiter != null && !routeLimiter.acquirePermission(1)) {
        listener.onRateLimited(service.name(), routeLimiter.getName());
        throw new RateLimitExceededException(service.name(), routeLimiter.getName());
      }
    }
    GcraRateLimiter limiter = service.limiter();
    if (limiter != null && !limiter.acquirePermission(1)) {
      listener.onRateLimited(service.name(), limiter.getName());
      throw new RateLimitExceededException(service.name(), limiter.getName());
    }
  }

  /** Delays and/or aborts as the route's fault says; returns the abort response, or null to go on. */
  private Response injectFault(FaultConfig fault, Request request, ServiceRuntime service, Route route)
      throws IOException {
    if (fault.header() != null && request.header(fault.header()) == null) {
      return null;
    }
    if (fault.delayPercent() > 0 && random.nextDouble() * 100 < fault.delayPercent()) {
      listener.onFaultInjected(service.name(), route.name(), "delay");
      sleeper.sleep(fault.delay().toNanos());
    }
    if (fault.abortPercent() > 0 && random.nextDouble() * 100 < fault.abortPercent()) {
      listener.onFaultInjected(service.name(), route.name(), "abort");
      long now = System.currentTimeMillis();
      return new Response.Builder()
          .request(request)
          .protocol(Protocol.HTTP_1_1)
          .code(fault.abortStatus())
          .message("fault injected by mesh-client")
          .header("x-mesh-fault", "abort")
          .body(ResponseBody.create(new byte[0], null))
          .sentRequestAtMillis(now)
          .receivedResponseAtMillis(now)
          .build();
    }
    return null;
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
