package io.meshclient.core.internal.http;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.observation.AttemptKind;
import io.meshclient.core.observation.MeshAttemptContext;
import io.meshclient.core.observation.MeshCallContext;
import io.meshclient.core.observation.MeshObservationNames;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The observation of one call through the mesh and the child observations of the requests it sends.
 * Made only when the mesh has an observation registry (the request path checks one field for null
 * otherwise). The call's parent is, in this order: an {@link Observation} the request carries as a tag
 * (the Spring starter's WebClient connector sets the one in the Reactor context), the observation current
 * on the thread that executed or enqueued the call ({@link CallerObservation}, captured there, so an
 * enqueued call keeps it on OkHttp's dispatcher thread), else the one current on this thread.
 * Started and ended on the thread running the interceptor, in scope meanwhile: tracing handlers take a
 * current span that differs from the parent observation's as the parent (micrometer-tracing's {@code
 * getParentSpan}), so without the scope the caller's span would parent the attempts. Attempt observations
 * have no scope; those of hedges and mirrors end on dispatcher threads.
 */
final class CallObservation {
  private final ObservationRegistry registry;
  private final Observation call;
  private final Observation.Scope scope;
  private String route = MeshObservationNames.NONE;
  private String subset = MeshObservationNames.NONE;

  private CallObservation(ObservationRegistry registry, Observation call) {
    this.registry = registry;
    this.call = call;
    this.scope = call.openScope();
  }

  /** The started observation of a call to {@code service}, or null when the registry has no handler. */
  static CallObservation start(ObservationRegistry registry, Interceptor.Chain chain, Request request, String service) {
    if (registry.isNoop()) {
      return null;
    }
    Observation parent = request.tag(Observation.class);
    if (parent == null) {
      CallerObservation caller = chain.call().tag(CallerObservation.class);
      parent = caller == null ? null : caller.observation();
    }
    MeshCallContext context = new MeshCallContext(service, request.method());
    Observation call = Observation.createNotStarted(MeshObservationNames.CALL, () -> context, registry);
    if (parent != null) {
      call.parentObservation(parent);
    }
    call.contextualName(request.method() + " " + service)
        .lowCardinalityKeyValue(MeshObservationNames.SERVICE, service)
        .lowCardinalityKeyValue(MeshObservationNames.SUBSET, MeshObservationNames.NONE)
        .lowCardinalityKeyValue(MeshObservationNames.ROUTE, MeshObservationNames.NONE)
        .start();
    return new CallObservation(registry, call);
  }

  /** The call was routed: the route taken (null: none matched) and the destination subset (null: all). */
  void routed(String routeName, String subsetName) {
    route = routeName == null ? MeshObservationNames.NONE : routeName;
    subset = subsetName == null ? MeshObservationNames.ALL : subsetName;
    call.lowCardinalityKeyValue(MeshObservationNames.ROUTE, route)
        .lowCardinalityKeyValue(MeshObservationNames.SUBSET, subset);
  }

  /**
   * Starts the observation of one request of the call, to {@code instance} of {@code service}: the tracing
   * handler injects the trace headers into {@code carrier}, so build the request after this.
   */
  Observation attempt(Request.Builder carrier, String method, HttpUrl url, String service, String subsetName,
      AttemptKind kind, int number, ServiceInstance instance) {
    MeshAttemptContext context = new MeshAttemptContext(kind, number);
    context.setCarrier(carrier);
    context.setRemoteServiceName(service);
    context.setRemoteServiceAddress(url.scheme() + "://" + url.host() + ":" + url.port());
    Observation attempt = Observation.createNotStarted(MeshObservationNames.ATTEMPT, () -> context, registry)
        .parentObservation(call)
        .contextualName(method + " " + service + " " + kind.tagValue())
        .lowCardinalityKeyValue(MeshObservationNames.SERVICE, service)
        .lowCardinalityKeyValue(MeshObservationNames.SUBSET, subsetName == null ? MeshObservationNames.ALL : subsetName)
        .lowCardinalityKeyValue(MeshObservationNames.ROUTE, route)
        .lowCardinalityKeyValue(MeshObservationNames.KIND, kind.tagValue())
        .highCardinalityKeyValue(MeshObservationNames.ATTEMPT_NUMBER, Integer.toString(number));
    if (instance != null) {
      attempt.highCardinalityKeyValue(MeshObservationNames.INSTANCE, instance.id());
    }
    return attempt.start();
  }

  /** Ends an attempt's observation: with its response, or its failure (a cancellation is not an error). */
  static void end(Observation attempt, Response response, Throwable failure, boolean cancelled) {
    if (response != null) {
      ((MeshAttemptContext) attempt.getContext()).setResponse(response);
      attempt.highCardinalityKeyValue(MeshObservationNames.STATUS, Integer.toString(response.code()));
    } else if (cancelled) {
      attempt.highCardinalityKeyValue(MeshObservationNames.CANCELLED, "true");
    } else if (failure != null) {
      attempt.error(failure);
    }
    attempt.stop();
  }

  /** Ends the call's observation with the response the caller gets, or the failure it gets instead. */
  void end(Response response, Throwable failure) {
    scope.close();
    if (response != null) {
      call.highCardinalityKeyValue(MeshObservationNames.STATUS, Integer.toString(response.code()));
    } else if (failure != null) {
      call.error(failure);
    }
    call.stop();
  }

  /** The observation current when a call was executed or enqueued, kept as the call's tag. */
  record CallerObservation(Observation observation) {}
}
