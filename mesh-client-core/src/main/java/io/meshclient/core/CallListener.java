package io.meshclient.core;

import java.util.List;

/**
 * Observes one call through the mesh, from its route to its end. A {@link Factory} makes one per call (as
 * OkHttp's {@code EventListener.Factory} does), so a listener may keep state for its call in its own
 * fields, with no {@code ThreadLocal}. The mesh calls it on the thread running the call; implementations
 * must be fast and must not throw.
 *
 * <p>Without a factory, or for calls a factory answers with {@link #NONE}, the request path builds no
 * {@link RoutingDecision} and no {@link CallRecord}: observing costs nothing unless asked for.
 */
public interface CallListener {
  /** Observes nothing; what a factory returns for the calls it ignores. */
  CallListener NONE = new CallListener() {};

  /** An attempt is about to be sent: where, and among which candidates the balancer chose. */
  default void onAttempt(RoutingDecision decision) {}

  /** The call ended, after its last attempt or its refusal; called once per call. */
  default void onEnd(CallRecord record) {}

  /** Makes one listener per call. */
  @FunctionalInterface
  interface Factory {
    /**
     * A listener for one call to the mesh service {@code service}, or {@link CallListener#NONE}.
     *
     * @param request the request as the caller made it
     */
    CallListener newCall(String service, okhttp3.Request request);

    /** One factory whose listeners forward to a listener of each of {@code factories}, in order. */
    static Factory of(List<Factory> factories) {
      if (factories.size() == 1) {
        return factories.get(0);
      }
      Factory[] all = factories.toArray(new Factory[0]);
      return (service, request) -> {
        List<CallListener> listeners = new java.util.ArrayList<>(all.length);
        for (Factory f : all) {
          CallListener l = f.newCall(service, request);
          if (l != null && l != NONE) {
            listeners.add(l);
          }
        }
        if (listeners.isEmpty()) {
          return NONE;
        }
        if (listeners.size() == 1) {
          return listeners.get(0);
        }
        return new CallListener() {
          @Override
          public void onAttempt(RoutingDecision decision) {
            listeners.forEach(l -> l.onAttempt(decision));
          }

          @Override
          public void onEnd(CallRecord record) {
            listeners.forEach(l -> l.onEnd(record));
          }
        };
      };
    }
  }
}
