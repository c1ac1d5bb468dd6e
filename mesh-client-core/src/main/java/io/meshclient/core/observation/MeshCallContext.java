package io.meshclient.core.observation;

import io.micrometer.observation.Observation;
import java.util.Objects;

/**
 * The context of a {@link MeshObservationNames#CALL} observation: one call to a mesh service, parent of
 * its attempts. Its parent is the observation the caller had when it executed or enqueued the call (or
 * the {@code Observation} the request carries as a tag, as the Spring starter's WebClient connector sets
 * from the Reactor context). Written by the calling thread only.
 */
public final class MeshCallContext extends Observation.Context {
  private final String service;
  private final String method;

  /** For the mesh; public so that handlers and filters can recognise it. */
  public MeshCallContext(String service, String method) {
    this.service = Objects.requireNonNull(service, "service");
    this.method = Objects.requireNonNull(method, "method");
  }

  /** The service the call's URL names. */
  public String service() {
    return service;
  }

  /** The HTTP method. */
  public String method() {
    return method;
  }
}
