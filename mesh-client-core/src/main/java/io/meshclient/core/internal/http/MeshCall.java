package io.meshclient.core.internal.http;

import io.meshclient.core.CallListener;
import io.meshclient.core.internal.RoutePlan;
import io.meshclient.core.internal.ServiceRuntime;
import io.meshclient.core.internal.SubsetRuntime;
import okhttp3.Interceptor;
import okhttp3.Request;

/**
 * The state of one call through the mesh, from the route match to the last attempt: the service the URL
 * named (its routes and the route's policies), the plan of the route taken, the destination service and
 * subset (balancer, outlier detection, breaker, TLS), and the request as the route sends it. It is also
 * the {@link io.meshclient.api.RequestContext} that routes and balancers read, so a call allocates one
 * object for both. Confined to the calling thread.
 */
final class MeshCall extends OkHttpRequestContext {
  private static final io.meshclient.api.CallOutcome[] OUTCOMES = io.meshclient.api.CallOutcome.values();

  final Interceptor.Chain chain;
  /** The service the request's host names: its routes and the matched route's policies apply. */
  final ServiceRuntime service;
  final long start;
  RoutePlan plan;
  /** Where the call goes: the service itself, or another service the route sends it to. */
  ServiceRuntime target;
  SubsetRuntime subset;
  /** The request after the route's header changes and rewrite. */
  Request sent;
  /**
   * Attempts sent so far (the low 16 bits) and, above them, how the attempt whose failure the call dies of ended
   * (its {@link io.meshclient.api.CallOutcome} ordinal + 1; 0 while none has): one int, not two fields, because
   * this object is 56 bytes and a field more would make every call allocate 8 bytes more (object alignment).
   */
  private int attemptsAndFailure;
  /** What only an observed or traced call keeps; null on the others, so they allocate none of it. */
  Watch watch;

  MeshCall(Interceptor.Chain chain, ServiceRuntime service, long start) {
    this.chain = chain;
    this.service = service;
    this.start = start;
  }

  /** The request as the caller made it: the chain's, which keeps it (one reference fewer per call). */
  @Override
  Request request() {
    return chain.request();
  }

  /** Attempts sent so far. */
  int attempts() {
    return attemptsAndFailure & 0xFFFF;
  }

  void attempts(int sent) {
    attemptsAndFailure = (attemptsAndFailure & ~0xFFFF) | sent;
  }

  /**
   * Records how the attempt whose failure the call dies of ended, told with what only the attempt knew (whether it
   * had a connection: a failed TLS handshake is a connect failure).
   */
  void failedAs(io.meshclient.api.CallOutcome outcome) {
    attemptsAndFailure = (attemptsAndFailure & 0xFFFF) | (outcome.ordinal() + 1) << 16;
  }

  /** What the call, ended in {@code e}, came to: its last attempt's outcome if it died of that attempt's failure. */
  io.meshclient.api.CallOutcome outcome(java.io.IOException e, boolean canceled) {
    int failedAs = attemptsAndFailure >>> 16;
    return failedAs != 0 && !canceled ? OUTCOMES[failedAs - 1] : Attempts.classify(e, null, canceled);
  }

  /** This call's listener; {@link CallListener#NONE} when nobody observes it. */
  CallListener observer() {
    Watch w = watch;
    return w == null ? CallListener.NONE : w.observer;
  }

  /** The call's observation, or null when the mesh has no observation registry. */
  CallObservation traced() {
    Watch w = watch;
    return w == null ? null : w.traced;
  }

  /** Counts a hedged copy sent, for the call's record. */
  void hedged() {
    if (watch != null) {
      watch.hedges++;
    }
  }

  /**
   * The part of a call's state that only its listener and its trace read, apart so that a call nobody
   * observes is 16 bytes smaller (it is allocated on every call).
   */
  static final class Watch {
    /** {@link CallListener#NONE} when the call is only traced. */
    final CallListener observer;
    /** Null when the mesh has no observation registry. */
    final CallObservation traced;
    /** The split draw, when the call is observed and its route splits; else -1. */
    int draw = -1;
    /** Hedged copies sent so far. */
    int hedges;
    /** The last attempt's decision, kept when the call is observed. */
    io.meshclient.core.RoutingDecision decision;

    Watch(CallListener observer, CallObservation traced) {
      this.observer = observer;
      this.traced = traced;
    }
  }

  /** Whether the call's response is the route's fault abort: one that came without any request sent. */
  boolean faultAborted() {
    return sent == null;
  }
}
