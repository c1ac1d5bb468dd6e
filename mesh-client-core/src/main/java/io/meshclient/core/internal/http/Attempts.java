package io.meshclient.core.internal.http;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.meshclient.api.CallOutcome;
import io.meshclient.api.CircuitBreakerOpenException;
import io.meshclient.api.MeshException;
import io.meshclient.api.RequestContext;
import io.meshclient.api.RequestNotRetriedException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.MeshListener;
import io.meshclient.core.Sleeper;
import io.meshclient.core.Ticker;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.internal.RoutePlan;
import io.meshclient.core.internal.ServiceRuntime;
import io.meshclient.core.internal.SubsetRuntime;
import io.meshclient.core.internal.routing.Route;
import io.meshclient.core.observation.AttemptKind;
import io.micrometer.observation.Observation;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The attempt loop of one call: pick an instance (not one already tried, when there is another), check
 * the circuit breaker, send with the per-try timeout, record the outcome for the balancer, the outlier
 * detector and the breaker, then decide whether to retry: the outcome must be retriable, the request
 * safe to send again, attempts, budget and deadline left.
 */
final class Attempts {
  /** What a 5xx is recorded as in the circuit breaker; shared, without a stack trace. */
  private static final IOException SERVER_ERROR = new ServerErrorResponse();
  /**
   * Response bodies up to this size, with a known length, are read inside the attempt when the call could
   * be retried, so a connection that breaks mid-body is retried instead of failing the caller's read.
   */
  static final long PREFETCH_LIMIT = 64 * 1024;

  private final MeshListener listener;
  private final Ticker ticker;
  /** The waits between attempts, shared with {@link HedgedAttempts}. */
  final RetryBackoff retryBackoff;

  Attempts(MeshListener listener, Ticker ticker, Sleeper sleeper) {
    this.listener = listener;
    this.ticker = ticker;
    this.retryBackoff = new RetryBackoff(listener, ticker, sleeper);
  }

  static io.meshclient.core.RoutingDecision decision(MeshCall call, List<ServiceInstance> candidates,
      ServiceInstance chosen, int attempt) {
    List<String> ids = new java.util.ArrayList<>(candidates.size());
    candidates.forEach(c -> ids.add(c.id()));
    io.meshclient.core.config.BalancerConfig balancer = call.target.config().loadBalancer();
    Route route = call.plan.route();
    return new io.meshclient.core.RoutingDecision(call.target.name(), call.plan.name(), call.subset.name(),
        call.watch.draw, route == null ? 0 : route.drawBound(), balancer == null ? null : balancer.name(),
        List.copyOf(ids), chosen.id(), attempt);
  }

  /**
   * Sends {@code call.sent} to the call's destination until an outcome is final: the route's policies
   * (retry, timeouts, budget) from {@code call.plan}, the destination's balancer, outlier detector,
   * breaker and TLS from {@code call.target} and {@code call.subset}.
   */
  Response run(MeshCall call) throws IOException {
    Interceptor.Chain chain = call.chain;
    Request request = call.sent;
    ServiceRuntime service = call.target;
    SubsetRuntime subset = call.subset;
    RetryConfig retry = call.plan.retry();
    long timeoutMillis = call.plan.timeoutMillis();
    long perTryMillis = retry.perTryTimeout() == null ? timeoutMillis
        : Math.min(timeoutMillis, retry.perTryTimeout().toMillis());
    long deadline = call.plan.deadline(call.start);
    boolean idempotent = MeshInterceptor.isIdempotent(request.method());
    boolean resendable = (idempotent || retry.nonIdempotent()) && (request.body() == null || !request.body().isOneShot());
    call.service.budget().onRequest();
    ServiceInstance[] tried = null;
    IOException lastError = null; // the previous attempt's, the cause if no instance is left for the next
    ServiceInstance lastInstance = null;
    ConnectionReuseInterceptor.Attempt wire = ConnectionReuseInterceptor.record(chain.call());
    for (int attempt = 1; ; attempt++) {
      long now = ticker.nanoTime();
      if (attempt == 1 && deadline != 0 && deadline - now <= 0) {
        throw deadlinePassed(call, retry); // retries are kept inside it by RetryBackoff
      }
      List<ServiceInstance> candidates = subset.candidates(now);
      if (candidates.isEmpty()) {
        throw ConnectFailures.noInstanceAfter(service, subset, lastError, lastInstance);
      }
      ServiceInstance instance = pick(subset, candidates, call, tried);
      refuseInsecure(request, service, subset, instance);
      call.attempts(call.attempts() + 1); // a free resend counted too (attempt is what retry.attempts limits)
      if (call.observer() != io.meshclient.core.CallListener.NONE) {
        call.watch.decision = decision(call, candidates, instance, call.attempts());
        call.watch.observer.onAttempt(call.watch.decision);
      }
      CircuitBreaker breaker = service.breaker();
      if (breaker != null && !breaker.tryAcquirePermission()) {
        listener.onBreakerRejected(service.name());
        throw new CircuitBreakerOpenException(service.name(),
            breaker.getState().name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
      long tryMillis = perTryMillis;
      if (deadline != 0) {
        tryMillis = Math.max(1, Math.min(tryMillis, (deadline - now) / 1_000_000L));
      }
      Interceptor.Chain timed = withTls(withTimeouts(chain,
          (int) Math.min(tryMillis, subset.connectTimeoutMillis(call.plan)), (int) tryMillis), service.tlsClient(subset));
      wire.begin();
      subset.balancer().onStart(instance);
      long attemptStart = ticker.nanoTime();
      Response response = null;
      IOException error = null;
      Observation traced = null;
      CallOutcome outcome;
      try {
        // Inside the try: an instance whose host cannot be put in a URL fails as a connect failure
        // (recorded, releases its breaker permit, retried elsewhere), not as an unchecked exception.
        HttpUrl url = service.rewrite(request.url(), instance, subset);
        Request.Builder routing = request.newBuilder().url(url);
        if (call.traced() != null) {
          traced = call.traced().attempt(routing, request.method(), url, service.name(), subset.name(),
              call.attempts() == 1 ? AttemptKind.FIRST : AttemptKind.RETRY, call.attempts(), instance);
        }
        response = timed.proceed(routing.build());
        if (deadline != 0) {
          bodyDeadline(response, deadline, ticker);
        }
        if (resendable && attempt < retry.attempts() && retry.on().contains(RetryConfig.Condition.RESET)
            && call.plan.retryStatusReason(response.code()) == null) {
          prefetchSmallBody(response);
        }
        outcome = response.code() >= 500 ? CallOutcome.SERVER_ERROR : CallOutcome.SUCCESS;
      } catch (IOException e) {
        if (response != null) {
          response.close();
          response = null;
        }
        error = e;
        outcome = classify(e, wire, chain.call().isCanceled());
      } catch (RuntimeException | Error e) {
        // Thrown by code after the mesh (an interceptor of the caller's client), not by the instance: the
        // attempt gives back what it holds (the balancer's in-flight count, a breaker permit) without blaming
        // the instance, and the exception goes to the caller unchanged.
        if (response != null) {
          response.close();
        }
        if (traced != null) {
          CallObservation.end(traced, null, e, false);
        }
        record(service, subset, breaker, instance, CallOutcome.CANCELLED, 0, ticker.nanoTime() - attemptStart, null);
        throw e;
      }
      boolean stale = error != null && outcome == CallOutcome.IO_ERROR && wire.reusedConnection();
      String reason = retryReason(call.plan, outcome, response, resendable);
      // OkHttp's own recovery from a stale keep-alive connection or a refused HTTP/2 stream: not counted.
      String freeReason = error == null ? null : wire.resendForFree(outcome, request, error);
      boolean free = freeReason != null;
      if (free) {
        reason = freeReason;
      }
      long backoff;
      try {
        if (traced != null) {
          CallObservation.end(traced, response, error, outcome == CallOutcome.CANCELLED);
        }
        long latency = ticker.nanoTime() - attemptStart;
        // A connection the server closed while idle, or a stream it refused unprocessed, says nothing about the
        // instance: a cancelled attempt (no failure for the outlier detector or the breaker; its permit given back).
        record(service, subset, breaker, instance, free ? CallOutcome.CANCELLED : outcome,
            response == null ? 0 : response.code(), latency, error);
        backoff = reason == null || free ? 0 : retryBackoff.next(call.service, retry, attempt, deadline);
      } catch (RuntimeException | Error e) {
        // A listener (or a breaker event consumer) threw, which it must not: the response will reach
        // nobody, so it is closed here, or its connection would never go back to the pool.
        if (response != null) {
          response.close();
        }
        throw e;
      }
      if (reason == null || backoff < 0) {
        if (error == null) {
          return response;
        }
        call.failedAs(outcome);
        if (TlsFailures.of(error) != null) {
          throw TlsFailures.named(service, subset, instance, error);
        }
        RequestNotRetriedException reset = resendable ? null
            : StreamResets.notResent(request, service, instance, error);
        if (reset != null) {
          throw reset;
        }
        if (stale && !resendable) {
          throw new RequestNotRetriedException(service.name(), request.method() + " " + request.url().redact()
              + " failed on a reused connection to " + instance.authority()
              + " after the request may have reached the server; not sent again because "
              + request.method() + " is not idempotent (" + error + ")", error);
        }
        if (error instanceof ConnectException && outcome == CallOutcome.CONNECT_FAILURE) {
          throw ConnectFailures.named(request, service, call.attempts(), tried, instance, (ConnectException) error);
        }
        throw error;
      }
      // Closed before the backoff: the connection goes back to the pool while the call waits, and nothing
      // is left open when the wait ends the call (interrupted, cancelled).
      if (response != null) {
        response.close();
      }
      retryBackoff.pause(chain.call(), backoff);
      if (free) {
        attempt--;
      }
      listener.onRetry(call.service.name(), reason);
      tried = remember(tried, instance);
      lastError = error;
      lastInstance = instance;
    }
  }

  /**
   * The failure of a call whose deadline passed before its first attempt (an injected delay took it all): not
   * sent, as an attempt would only time out at once and be blamed on its instance.
   */
  static SocketTimeoutException deadlinePassed(MeshCall call, RetryConfig retry) {
    return new SocketTimeoutException(call.request().method() + " " + call.request().url().redact()
        + " not sent: its deadline (retry.deadline: " + retry.deadline().toMillis()
        + "ms) passed before the first attempt");
  }

  /**
   * Refuses, before any I/O, an https:// call to an instance that would get it as plain HTTP: neither the
   * instance is secure nor the subset the call is routed to (by default, the service) has TLS.
   */
  static void refuseInsecure(Request request, ServiceRuntime service, SubsetRuntime subset, ServiceInstance instance)
      throws MeshException {
    if (request.isHttps() && !instance.secure() && !subset.encrypts()) {
      throw new MeshException(service.name(), request.method() + " " + request.url().redact()
          + " refused before sending: instance " + instance.id() + " of service " + service.name()
          + " is not secure and mesh.services." + service.name() + (subset.turnsTlsOff()
              ? ".subset-policies." + subset.name() + ".tls turns TLS off" : ".tls is not set")
          + "; an https:// call is never sent as plain HTTP");
    }
  }

  /**
   * The chain with a subset's own TLS client, or {@code chain} itself without one. OkHttp pools connections by
   * the factory and verifier too, so the subset's connections are never another's. Two copies of OkHttp's chain
   * (and its chain cleaner for the trust manager), only for calls routed to a subset with its own TLS.
   */
  static Interceptor.Chain withTls(Interceptor.Chain chain, io.meshclient.core.internal.tls.SubsetTls tls) {
    return tls == null ? chain : chain.withSslSocketFactory(tls.socketFactory(),
        tls.trustManagerOr(chain.getX509TrustManagerOrNull())).withHostnameVerifier(tls.hostnameVerifier());
  }

  /**
   * Bounds reading {@code response}'s body by the call's {@code deadline} (a {@link Ticker} time), without
   * allocating: an okio deadline on the body's source, which OkHttp forwards to the connection's socket timeout
   * (HTTP/1, detached and cleared when the body ends, so a pooled connection keeps none) or to the stream's
   * (HTTP/2). A read still waiting at the deadline fails with a {@link SocketTimeoutException} and the
   * connection is closed; bytes already received stay readable.
   */
  static void bodyDeadline(Response response, long deadline, Ticker ticker) {
    response.body().source().timeout().deadlineNanoTime(System.nanoTime() + (deadline - ticker.nanoTime()));
  }

  /** Buffers a small fixed-length body in OkHttp's own source (no copy); throws if the connection breaks. */
  static void prefetchSmallBody(Response response) throws IOException {
    long length = response.body().contentLength();
    if (length > 0 && length <= PREFETCH_LIMIT && !response.body().source().request(length)) {
      throw new java.net.ProtocolException("response body ended after fewer than " + length + " bytes");
    }
  }

  /** Why an attempt that ended so is sent again under {@code plan}'s retry policy, or null if it is not. */
  static String retryReason(RoutePlan plan, CallOutcome outcome, Response response, boolean resendable) {
    RetryConfig retry = plan.retry();
    switch (outcome) {
      case CONNECT_FAILURE:
        return retry.on().contains(RetryConfig.Condition.CONNECT_FAILURE) ? "connect-failure" : null;
      case IO_ERROR:
        return resendable && retry.on().contains(RetryConfig.Condition.RESET) ? "reset" : null;
      case TIMEOUT:
        return resendable && retry.on().contains(RetryConfig.Condition.TIMEOUT) ? "timeout" : null;
      case CANCELLED:
        return null;
      default:
        return response != null && resendable ? plan.retryStatusReason(response.code()) : null;
    }
  }

  void record(ServiceRuntime service, SubsetRuntime subset, CircuitBreaker breaker, ServiceInstance instance,
      CallOutcome outcome, int status, long latency, IOException error) {
    subset.balancer().onComplete(instance, outcome, latency);
    subset.recordOutcome(instance, outcome, status, latency);
    if (breaker != null) {
      if (outcome == CallOutcome.SUCCESS) {
        breaker.onSuccess(latency, TimeUnit.NANOSECONDS);
      } else if (outcome == CallOutcome.CANCELLED) {
        breaker.releasePermission();
      } else {
        breaker.onError(latency, TimeUnit.NANOSECONDS, error != null ? error : SERVER_ERROR);
      }
    }
  }

  /** The balancer's choice, unless it was already tried and an untried instance exists. */
  static ServiceInstance pick(SubsetRuntime subset, List<ServiceInstance> candidates, RequestContext context,
      ServiceInstance[] tried) {
    ServiceInstance instance = subset.balancer().pick(candidates, context);
    if (tried == null || !contains(tried, instance) || candidates.size() <= tried.length) {
      return instance;
    }
    for (int i = 0; i < 3; i++) {
      instance = subset.balancer().pick(candidates, context);
      if (!contains(tried, instance)) {
        return instance;
      }
    }
    for (ServiceInstance candidate : candidates) {
      if (!contains(tried, candidate)) {
        return candidate;
      }
    }
    return instance;
  }

  static boolean contains(ServiceInstance[] tried, ServiceInstance instance) {
    for (ServiceInstance t : tried) {
      if (t.equals(instance)) {
        return true;
      }
    }
    return false;
  }

  static ServiceInstance[] remember(ServiceInstance[] tried, ServiceInstance instance) {
    if (tried == null) {
      return new ServiceInstance[] {instance};
    }
    if (contains(tried, instance)) {
      return tried;
    }
    ServiceInstance[] more = java.util.Arrays.copyOf(tried, tried.length + 1);
    more[tried.length] = instance;
    return more;
  }

  /** A 5xx response, as an exception for the breaker's failure count. */
  private static final class ServerErrorResponse extends IOException {
    private static final long serialVersionUID = 1L;

    ServerErrorResponse() {
      super("5xx response");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  /** The chain with these timeouts; each {@code withXxx} copies OkHttp's chain, so only when a value differs. */
  static Interceptor.Chain withTimeouts(Interceptor.Chain chain, int connectMillis, int readWriteMillis) {
    Interceptor.Chain c = chain;
    if (c.connectTimeoutMillis() != connectMillis) {
      c = c.withConnectTimeout(connectMillis, TimeUnit.MILLISECONDS);
    }
    if (c.readTimeoutMillis() != readWriteMillis) {
      c = c.withReadTimeout(readWriteMillis, TimeUnit.MILLISECONDS);
    }
    if (c.writeTimeoutMillis() != readWriteMillis) {
      c = c.withWriteTimeout(readWriteMillis, TimeUnit.MILLISECONDS);
    }
    return c;
  }

  static CallOutcome classify(IOException e, ConnectionReuseInterceptor.Attempt wire, boolean canceled) {
    if (canceled || e instanceof io.meshclient.api.MeshClosedException) { // a hedge refused as the mesh closed
      return CallOutcome.CANCELLED;
    }
    if (e instanceof ConnectException || (wire != null && wire.failedToConnect())) {
      return CallOutcome.CONNECT_FAILURE;
    }
    if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
      return CallOutcome.TIMEOUT;
    }
    return CallOutcome.IO_ERROR;
  }
}
