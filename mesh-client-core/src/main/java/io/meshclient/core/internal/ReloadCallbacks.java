package io.meshclient.core.internal;

import io.meshclient.core.MeshListener;

/**
 * The mesh's calls of a {@link MeshListener}'s callbacks on the reload and discovery paths, never on a call's: a
 * service removed, an instance refused, a reconfiguration applied or refused. A listener that throws is logged at
 * WARNING (its class, the callback and the exception's message; the stack trace at DEBUG) and the reload goes on
 * as if it had not: a swap under way completes, and is reported applied or refused as it is. The per-call
 * callbacks are called bare: this costs a try block on paths that run once per reload or delivery.
 */
public final class ReloadCallbacks {
  private static final System.Logger LOG = System.getLogger(ReloadCallbacks.class.getName());

  private ReloadCallbacks() {}

  /** {@link MeshListener#onServiceRemoved}, a throwing listener logged. */
  public static void serviceRemoved(MeshListener listener, String service) {
    try {
      listener.onServiceRemoved(service);
    } catch (RuntimeException e) {
      threw(listener, "onServiceRemoved('" + service + "')", e);
    }
  }

  /** {@link MeshListener#onInstanceRejected}, a throwing listener logged. */
  public static void instanceRejected(MeshListener listener, String service, String instanceId, String reason) {
    try {
      listener.onInstanceRejected(service, instanceId, reason);
    } catch (RuntimeException e) {
      threw(listener, "onInstanceRejected('" + service + "', '" + instanceId + "')", e);
    }
  }

  /** {@link MeshListener#onReconfigure}, a throwing listener logged. */
  public static void reconfigured(MeshListener listener, boolean applied) {
    try {
      listener.onReconfigure(applied);
    } catch (RuntimeException e) {
      threw(listener, "onReconfigure(" + applied + ")", e);
    }
  }

  private static void threw(MeshListener listener, String callback, RuntimeException e) {
    String what = "MeshListener " + listener.getClass().getName() + "." + callback + " threw " + e
        + "; ignored: the mesh goes on as if it had returned";
    LOG.log(System.Logger.Level.WARNING, what);
    LOG.log(System.Logger.Level.DEBUG, what, e);
  }
}
