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
  final Interceptor.Chain chain;
  /** The service the request's host names: its routes and the matched route's policies apply. */
  final ServiceRuntime service;
  final long start;
  RoutePlan plan;
  /** Where the call goes: the service itself, or another service the route sends it to. */
  ServiceRuntime target;
  SubsetRuntime subset;
  /** The split draw, when decisions are recorded and the route splits; else -1. */
  int draw = -1;
  /** The request after the route's header changes and rewrite. */
  Request sent;
  /** This call's listener; {@link CallListener#NONE} when nobody observes it. */
  CallListener observer = CallListener.NONE;
  /** Attempts sent so far. */
  int attempts;
  /** Hedged copies sent so far. */
  int hedges;
  /** The last attempt's decision, kept only when observed. */
  io.meshclient.core.RoutingDecision decision;
  /** The call's observation, or null when the mesh has no observation registry. */
  CallObservation traced;

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

  /** Whether the call's response is the route's fault abort: one that came without any request sent. */
  boolean faultAborted() {
    return sent == null;
  }
}
