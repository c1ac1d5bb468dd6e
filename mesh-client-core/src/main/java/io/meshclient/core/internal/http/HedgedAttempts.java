package io.meshclient.core.internal.http;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.meshclient.api.CallOutcome;
import io.meshclient.api.CircuitBreakerOpenException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.CallListener;
import io.meshclient.core.MeshListener;
import io.meshclient.core.Ticker;
import io.meshclient.core.config.HedgeConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.internal.CancellableWait;
import io.meshclient.core.internal.RoutePlan;
import io.meshclient.core.internal.ServiceRuntime;
import io.meshclient.core.internal.SubsetRuntime;
import io.meshclient.core.observation.AttemptKind;
import io.micrometer.observation.Observation;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The attempt loop of a hedged route: each attempt is sent as its own call on the client the caller's call was
 * made on ({@link OwnCalls#clientOf}), so through the caller's interceptors after the mesh's; if no
 * response has come after the route's hedge delay, the same request goes to another instance (at most
 * {@code max-extra} times, each taken from the retry budget). The first response wins; the other calls are
 * cancelled through their own {@link Call#cancel()} (never the caller's call, which would discard the
 * winner too), which resets their connections. A cancelled loser counts as neither success nor failure.
 * If every call of an attempt fails, the retry rules decide, as in {@link Attempts}.
 */
final class HedgedAttempts {
  /** How often a waiting caller checks whether its own call was cancelled. */
  private static final long CANCEL_CHECK_NANOS = CancellableWait.CHECK_NANOS;

  private final Attempts attempts;
  private final MeshListener listener;
  private final Ticker ticker;

  HedgedAttempts(Attempts attempts, MeshListener listener, Ticker ticker) {
    this.attempts = attempts;
    this.listener = listener;
    this.ticker = ticker;
  }

  /**
   * Whether {@code call} is hedged: its route hedges, its method is idempotent, its body replayable, and the
   * client it was made on is known ({@link OwnCalls#clientOf}), for its attempts to go through the same
   * interceptors as the caller's chain.
   */
  static boolean applies(MeshCall call) {
    return call.plan.hedge() != null && MeshInterceptor.isIdempotent(call.sent.method())
        && (call.sent.body() == null || !call.sent.body().isOneShot())
        && OwnCalls.clientOf(call.chain.call()) != null;
  }

  Response run(MeshCall call) throws IOException {
    RoutePlan plan = call.plan;
    HedgeConfig hedge = plan.hedge();
    RetryConfig retry = plan.retry();
    ServiceRuntime service = call.target;
    SubsetRuntime subset = call.subset;
    long perTryMillis = retry.perTryTimeout() == null ? plan.timeoutMillis()
        : Math.min(plan.timeoutMillis(), retry.perTryTimeout().toMillis());
    long deadline = call.plan.deadline(call.start);
    call.service.budget().onRequest();
    ServiceInstance[] tried = null;
    Result last = null; // the previous attempt's outcome, whose failure is the cause if no instance is left
    for (int attempt = 1; ; attempt++) {
      long now = ticker.nanoTime();
      if (attempt == 1 && deadline != 0 && deadline - now <= 0) {
        throw Attempts.deadlinePassed(call, retry);
      }
      long tryMillis = deadline == 0 ? perTryMillis : Math.max(1, Math.min(perTryMillis, (deadline - now) / 1_000_000L));
      Group group = new Group();
      Response open = null; // the winner's response, until it is returned or closed
      try {
        ServiceInstance first = next(call, subset, service, tried, group, attempt, now);
        if (first == null) {
          throw ConnectFailures.noInstanceAfter(service, subset, last == null ? null : last.error,
              last == null ? null : last.instance);
        }
        launch(call, group, first, tryMillis, true);
        Result winner = group.await(call, plan.hedgeDelayNanos());
        while (winner == null && group.hedges < hedge.maxExtra()) {
          if (!hedgeOnce(call, group, subset, service, tried, attempt, tryMillis)) {
            break;
          }
          winner = group.await(call, plan.hedgeDelayNanos());
        }
        if (winner == null) {
          winner = group.await(call, Long.MAX_VALUE);
        }
        // A failure wins only when nothing else is still on its way.
        while (winner.response == null && winner.unchecked == null && group.pending > 0) {
          winner = group.await(call, Long.MAX_VALUE);
        }
        group.decide(winner);
        open = winner.response;
        winner.rethrow();
        for (Launched l : group.launched) {
          tried = Attempts.remember(tried, l.instance);
        }
        String reason = Attempts.retryReason(plan, winner.outcome, winner.response, true);
        long backoff = reason == null ? -1 : attempts.retryBackoff.next(call.service, retry, attempt, deadline);
        if (backoff < 0) {
          if (winner.response != null) {
            if (deadline != 0) {
              Attempts.bodyDeadline(winner.response, deadline, ticker);
            }
            open = null;
            return winner.response;
          }
          call.failedAs(winner.outcome);
          if (TlsFailures.of(winner.error) != null) {
            throw TlsFailures.named(service, subset, winner.instance, winner.error);
          }
          throw winner.error;
        }
        if (winner.response != null) {
          open = null;
          winner.response.close();
        }
        attempts.retryBackoff.pause(call.chain.call(), backoff);
        listener.onRetry(call.service.name(), reason);
        last = winner;
      } catch (IOException | RuntimeException | Error e) {
        group.decide(null);
        if (open != null) {
          open.close(); // a listener threw after the winner was chosen: nobody will read it
        }
        throw e;
      }
    }
  }

  /** Sends one more copy to an instance the attempt has not used; false when none may be sent. */
  private boolean hedgeOnce(MeshCall call, Group group, SubsetRuntime subset, ServiceRuntime service,
      ServiceInstance[] tried, int attempt, long tryMillis) throws IOException {
    ServiceInstance other = next(call, subset, service, tried, group, attempt, ticker.nanoTime());
    if (other == null) {
      return false;
    }
    // The breaker's permit first, which can be given back: a hedge it refuses takes nothing from the budget.
    CircuitBreaker breaker = service.breaker();
    if (breaker != null && !breaker.tryAcquirePermission()) {
      listener.onBreakerRejected(service.name());
      return false;
    }
    if (!call.service.budget().tryRetry()) {
      if (breaker != null) {
        breaker.releasePermission();
      }
      listener.onRetryBudgetExhausted(call.service.name());
      return false;
    }
    group.hedges++;
    call.hedged();
    launch(call, group, other, tryMillis, false);
    // Told once the copy is on its way: if the listener throws, the attempt's end cancels the copy, which
    // gives its breaker permit back.
    listener.onHedge(call.service.name(), call.plan.name());
    return true;
  }

  /**
   * The instance for the next call of an attempt: one not yet used by the attempt (nor, if possible, by an
   * earlier attempt), or null when the first call has no candidate or a hedge has no other instance.
   * The first call of an attempt takes its breaker permit here.
   */
  private ServiceInstance next(MeshCall call, SubsetRuntime subset, ServiceRuntime service, ServiceInstance[] tried,
      Group group, int attempt, long now) throws IOException {
    List<ServiceInstance> candidates = subset.candidates(now);
    if (candidates.isEmpty()) {
      return null;
    }
    ServiceInstance[] avoid = tried;
    for (Launched l : group.launched) {
      avoid = Attempts.remember(avoid, l.instance);
    }
    ServiceInstance instance = Attempts.pick(subset, candidates, call, avoid);
    if (!group.launched.isEmpty() && avoid != null && Attempts.contains(avoid, instance)) {
      for (Launched l : group.launched) {
        if (l.instance.equals(instance)) {
          return null; // a hedge to an instance already waited on would only add load
        }
      }
    }
    Attempts.refuseInsecure(call.sent, service, subset, instance);
    call.attempts(attempt);
    if (call.observer() != CallListener.NONE) {
      call.watch.decision = Attempts.decision(call, candidates, instance, attempt);
      call.watch.observer.onAttempt(call.watch.decision);
    }
    // After the call's listener, as in Attempts: a listener that throws leaves no permit taken (in
    // half-open, a probe slot that nothing would ever give back).
    if (group.launched.isEmpty()) {
      CircuitBreaker breaker = service.breaker();
      if (breaker != null && !breaker.tryAcquirePermission()) {
        listener.onBreakerRejected(service.name());
        throw new CircuitBreakerOpenException(service.name(),
            breaker.getState().name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
    }
    return instance;
  }

  /** Starts one call of an attempt on the caller's client; its outcome is recorded when it ends. */
  private void launch(MeshCall call, Group group, ServiceInstance instance, long tryMillis, boolean first)
      throws IOException {
    ServiceRuntime service = call.target;
    SubsetRuntime subset = call.subset;
    Request.Builder routing;
    HttpUrl url;
    try {
      url = service.rewrite(call.sent.url(), instance, subset);
      routing = call.sent.newBuilder().url(url);
      OwnCalls.tagTls(routing, service.tlsClient(subset));
      OwnCalls.tagHedged(routing, call.service.name(),
          (int) Math.min(tryMillis, subset.connectTimeoutMillis(call.plan)), (int) tryMillis);
    } catch (java.net.ConnectException e) {
      subset.balancer().onStart(instance);
      attempts.record(service, subset, service.breaker(), instance, CallOutcome.CONNECT_FAILURE, 0, 0, e);
      group.add(new Launched(instance, null));
      group.offer(new Result(instance, null, e, CallOutcome.CONNECT_FAILURE, null));
      return;
    }
    Observation traced = call.traced() == null ? null : call.traced().attempt(routing, call.sent.method(), url,
        service.name(), subset.name(), !first ? AttemptKind.HEDGE : call.attempts() == 1 ? AttemptKind.FIRST
            : AttemptKind.RETRY, call.attempts(), instance);
    Call sent = OwnCalls.clientOf(call.chain.call()).newCall(routing.build());
    Launched launched = new Launched(instance, sent);
    group.add(launched);
    subset.balancer().onStart(instance);
    long start = ticker.nanoTime();
    // As in Attempts: a small body is read in the attempt when it could be retried, so a cut costs a retry.
    boolean prefetch = call.attempts() < call.plan.retry().attempts()
        && call.plan.retry().on().contains(RetryConfig.Condition.RESET);
    sent.enqueue(new Callback() {
      @Override
      public void onResponse(Call c, Response response) {
        if (prefetch && call.plan.retryStatusReason(response.code()) == null) {
          try {
            Attempts.prefetchSmallBody(response);
          } catch (IOException e) {
            response.close();
            onFailure(c, e);
            return;
          }
        }
        long latency = ticker.nanoTime() - start;
        CallOutcome outcome = response.code() >= 500 ? CallOutcome.SERVER_ERROR : CallOutcome.SUCCESS;
        try {
          attempts.record(service, subset, service.breaker(), instance, outcome, response.code(), latency, null);
          if (call.plan.latency() != null) {
            call.plan.latency().record(latency);
          }
          if (traced != null) {
            CallObservation.end(traced, response, null, false);
          }
        } catch (RuntimeException | Error bug) {
          response.close();
          group.offer(Result.unchecked(instance, bug));
          return;
        }
        group.offer(new Result(instance, response, null, outcome, null));
      }

      @Override
      public void onFailure(Call c, IOException e) {
        CallOutcome outcome = Attempts.classify(e, null, c.isCanceled());
        try {
          attempts.record(service, subset, service.breaker(), instance, outcome, 0, ticker.nanoTime() - start, e);
          if (traced != null) {
            CallObservation.end(traced, null, e, c.isCanceled());
          }
        } catch (RuntimeException | Error bug) {
          group.offer(Result.unchecked(instance, bug));
          return;
        }
        group.offer(new Result(instance, null, e, outcome, null));
      }
    });
  }

  /**
   * How one call of an attempt ended. {@code unchecked}: what recording its outcome threw (a listener that
   * broke its promise not to throw), handed to the caller's thread instead of OkHttp's dispatcher thread, where
   * it would leave the caller waiting for a result that never comes.
   */
  private record Result(ServiceInstance instance, Response response, IOException error, CallOutcome outcome,
      Throwable unchecked) {
    static Result unchecked(ServiceInstance instance, Throwable unchecked) {
      return new Result(instance, null, null, CallOutcome.CANCELLED, unchecked);
    }

    /** Throws {@code unchecked}, if there is one. */
    void rethrow() {
      if (unchecked instanceof RuntimeException e) {
        throw e;
      }
      if (unchecked instanceof Error e) {
        throw e;
      }
    }
  }

  private record Launched(ServiceInstance instance, Call call) {}

  /** The calls of one attempt and their results, in the order they ended. */
  private static final class Group {
    final List<Launched> launched = new ArrayList<>(2);
    private final ArrayDeque<Result> ended = new ArrayDeque<>(2);
    int hedges;
    int pending;
    private boolean decided;

    synchronized void add(Launched l) {
      launched.add(l);
      pending++;
    }

    /** A call ended; after the attempt is decided, a late response is closed at once. */
    synchronized void offer(Result r) {
      if (decided) {
        if (r.response != null) {
          r.response.close();
        }
        return;
      }
      ended.add(r);
      notifyAll();
    }

    /**
     * The next result to end, waiting at most {@code nanos}; null if none ended in time. Throws if the
     * caller's own call was cancelled meanwhile.
     */
    synchronized Result await(MeshCall call, long nanos) throws IOException {
      long deadline = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + nanos;
      while (ended.isEmpty()) {
        CancellableWait.throwIfCanceled(call.chain.call());
        long left = deadline == Long.MAX_VALUE ? CANCEL_CHECK_NANOS : Math.min(CANCEL_CHECK_NANOS,
            deadline - System.nanoTime());
        if (left <= 0) {
          return null;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for a hedged response");
        }
      }
      pending--;
      return ended.poll();
    }

    /** Ends the attempt: keeps {@code winner}, closes every other response and cancels the calls still running. */
    void decide(Result winner) {
      List<Call> running = new ArrayList<>();
      synchronized (this) {
        if (decided) {
          return;
        }
        decided = true;
        for (Result r : ended) {
          if (r != winner && r.response != null) {
            r.response.close();
          }
        }
        ended.clear();
        for (Launched l : launched) {
          if (l.call != null && (winner == null || l.instance != winner.instance)) {
            running.add(l.call);
          }
        }
      }
      running.forEach(Call::cancel); // outside the lock: a cancelled call's callback takes it
    }
  }
}
