package io.meshclient.core.observation;

import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.RequestReplySenderContext;
import java.util.Objects;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The context of a {@link MeshObservationNames#ATTEMPT} observation: one request the mesh sends for a
 * call, child of the call's {@link MeshCallContext}. The carrier is the request's builder after the URL
 * was rewritten to the instance: a propagating sender handler (micrometer-tracing's {@code
 * PropagatingSenderTracingObservationHandler}) sets the trace headers on it when the observation starts,
 * replacing any the caller set (a {@code traceparent} Spring's own client observation wrote names the
 * caller's span, not this attempt's). The response is set when one arrives.
 */
public final class MeshAttemptContext extends RequestReplySenderContext<Request.Builder, Response> {
  private final AttemptKind attemptKind;
  private final int attempt;

  /** For the mesh; public so that handlers and filters can recognise it. */
  public MeshAttemptContext(AttemptKind attemptKind, int attempt) {
    super((carrier, key, value) -> {
      if (carrier != null) {
        carrier.header(key, value);
      }
    }, Kind.CLIENT);
    this.attemptKind = Objects.requireNonNull(attemptKind, "attemptKind");
    this.attempt = attempt;
  }

  /** What this request is: first, retry, hedge or mirror. */
  public AttemptKind attemptKind() {
    return attemptKind;
  }

  /** The number of the attempt, from 1; a hedge has its attempt's number, a mirror 1. */
  public int attempt() {
    return attempt;
  }
}
