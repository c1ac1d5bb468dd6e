package io.meshclient.core.internal.http;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import okhttp3.Call;
import okhttp3.EventListener;

/**
 * Keeps, as a tag of each call, the observation current on the thread that executes or enqueues it
 * ({@code callStart} runs there for both), so the mesh's call observation has the caller's as its parent
 * even when OkHttp's dispatcher thread runs the call. One shared listener; a call gets a tag only when an
 * observation is current.
 */
final class CallerCapture extends EventListener {
  private final ObservationRegistry registry;

  private CallerCapture(ObservationRegistry registry) {
    this.registry = registry;
  }

  /** {@code base}'s listeners, each followed by the capture. */
  static EventListener.Factory around(EventListener.Factory base, ObservationRegistry registry) {
    CallerCapture capture = new CallerCapture(registry);
    return call -> {
      EventListener listener = base.create(call);
      return listener == EventListener.NONE ? capture : listener.plus(capture);
    };
  }

  @Override
  public void callStart(Call call) {
    Observation current = registry.getCurrentObservation();
    if (current != null) {
      call.tag(CallObservation.CallerObservation.class, () -> new CallObservation.CallerObservation(current));
    }
  }
}
