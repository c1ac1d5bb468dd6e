package io.meshclient.core.http;

import io.meshclient.api.CallOutcome;
import io.meshclient.api.ConcurrencyLimitExceededException;
import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.api.RateLimitExceededException;
import io.meshclient.api.RequestNotRetriedException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.MeshListener;
import io.meshclient.core.Ticker;
import io.meshclient.core.internal.MeshRuntime;
import io.meshclient.core.internal.ServiceRuntime;
import io.meshclient.core.internal.SubsetRuntime;
import io.meshclient.core.ratelimit.GcraRateLimiter;
import io.meshclient.core.routing.Route;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The mesh's request path, as an OkHttp application interceptor: resolve, route, admit, pick, call,
 * record. A request to a host that is not a mesh service passes through untouched.
 *
 * <p>Refusals (rate limit, concurrency cap, no instance) are thrown before {@code chain.proceed}, so
 * no byte leaves the process. OkHttp's own silent retry is off in the mesh's client; instead an
 * idempotent request that fails on a reused keep-alive connection before any response is sent once
 * more (OkHttp never reuses the failed connection), and a non-idempotent one fails with {@link
 * RequestNotRetriedException}.
 */
public final class MeshInterceptor implements Interceptor {
  private final MeshRuntime runtime;
  private final MeshListener listener;
  private final Ticker ticker;
  private final RandomGenerator random;

  public MeshInterceptor(MeshRuntime runtime, MeshListener listener, Ticker ticker, RandomGenerator random) {
    this.runtime = runtime;
    this.listener = listener;
    this.ticker = ticker;
    this.random = random;
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
    SubsetRuntime subset = route == null ? service.all() : service.subset(route.pickSubset(random));
    admit(service, route);
    if (service.inFlight().incrementAndGet() > service.maxConcurrentRequests()) {
      service.inFlight().decrementAndGet();
      listener.onConcurrencyLimited(service.name());
      throw new ConcurrencyLimitExceededException(service.name(), service.maxConcurrentRequests());
    }
    int status = 0;
    CallOutcome outcome = CallOutcome.IO_ERROR;
    try {
      Chain timed = chain.withConnectTimeout((int) service.connectTimeoutMillis(), TimeUnit.MILLISECONDS);
      long timeout = service.timeoutMillis(route == null ? -1 : route.index());
      timed = timed.withReadTimeout((int) timeout, TimeUnit.MILLISECONDS)
          .withWriteTimeout((int) timeout, TimeUnit.MILLISECONDS);
      Response response = callWithReuseRetry(timed, request, service, subset, context);
      status = response.code();
      outcome = status >= 500 ? CallOutcome.SERVER_ERROR : CallOutcome.SUCCESS;
      return response;
    } catch (IOException e) {
      outcome = classify(e, null);
      throw e;
    } finally {
      service.inFlight().decrementAndGet();
      listener.onCallComplete(service.name(), subset.name(), request.method(), status, outcome,
          ticker.nanoTime() - start);
    }
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

  private Response callWithReuseRetry(Chain chain, Request request, ServiceRuntime service, SubsetRuntime subset,
      OkHttpRequestContext context) throws IOException {
    for (int attempt = 1; ; attempt++) {
      List<ServiceInstance> instances = subset.instances();
      if (instances.isEmpty()) {
        throw new NoHealthyInstanceException(service.name(), subset.name());
      }
      ServiceInstance instance = subset.balancer().pick(instances, context);
      Request routed = request.newBuilder().url(rewrite(request.url(), instance)).build();
      WireEvents.Attempt wire = WireEvents.begin();
      subset.balancer().onStart(instance);
      long attemptStart = ticker.nanoTime();
      try {
        Response response = chain.proceed(routed);
        subset.balancer().onComplete(instance,
            response.code() >= 500 ? CallOutcome.SERVER_ERROR : CallOutcome.SUCCESS, ticker.nanoTime() - attemptStart);
        return response;
      } catch (IOException e) {
        subset.balancer().onComplete(instance, classify(e, wire), ticker.nanoTime() - attemptStart);
        if (attempt > 1 || !wire.reusedConnection() || chain.call().isCanceled()) {
          throw e;
        }
        if (!isIdempotent(request.method())) {
          throw new RequestNotRetriedException(service.name(), request.method() + " " + request.url().redact()
              + " failed on a reused connection to " + instance.authority()
              + " after the request may have reached the server; not sent again because "
              + request.method() + " is not idempotent (" + e + ")", e);
        }
        listener.onRetry(service.name(), "reused-connection-failed");
      }
    }
  }

  private static HttpUrl rewrite(HttpUrl url, ServiceInstance instance) {
    return url.newBuilder()
        .scheme(instance.secure() ? "https" : "http")
        .host(instance.host())
        .port(instance.port())
        .build();
  }

  static boolean isIdempotent(String method) {
    switch (method) {
      case "GET": case "HEAD": case "OPTIONS": case "TRACE": case "PUT": case "DELETE":
        return true;
      default:
        return false;
    }
  }

  static CallOutcome classify(IOException e, WireEvents.Attempt wire) {
    if (e instanceof ConnectException || (wire != null && wire.failedToConnect() && !(e instanceof InterruptedIOException))) {
      return CallOutcome.CONNECT_FAILURE;
    }
    if (e instanceof SocketTimeoutException || "timeout".equals(e.getMessage())) {
      return CallOutcome.TIMEOUT;
    }
    if ("Canceled".equals(e.getMessage())) {
      return CallOutcome.CANCELLED;
    }
    return CallOutcome.IO_ERROR;
  }
}
