package io.meshclient.core.internal.http;

import io.meshclient.core.MeshListener;
import io.meshclient.core.Sleeper;
import io.meshclient.core.config.FaultConfig;
import io.meshclient.core.internal.CancellableWait;
import io.meshclient.core.internal.RoutePlan;
import io.meshclient.core.internal.ServiceRuntime;
import java.io.IOException;
import java.util.random.RandomGenerator;
import okhttp3.Call;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** A route's fault injection (Istio's {@code fault}): a delay before the call, an abort instead of it. */
final class Faults {
  private final MeshListener listener;
  private final RandomGenerator random;
  private final Sleeper sleeper;

  Faults(MeshListener listener, RandomGenerator random, Sleeper sleeper) {
    this.listener = listener;
    this.random = random;
    this.sleeper = sleeper;
  }

  /**
   * Delays and/or aborts as the route's fault says; returns the abort response, or null to go on. The delay
   * is a {@link CancellableWait}: cancelling {@code call} ends it within a slice.
   *
   * @throws IOException "Canceled", as OkHttp says it, if {@code call} is cancelled during the delay
   */
  Response inject(FaultConfig fault, Request request, Call call, ServiceRuntime service, RoutePlan route)
      throws IOException {
    if (fault.header() != null && request.header(fault.header()) == null) {
      return null;
    }
    if (fault.delayPercent() > 0 && random.nextDouble() * 100 < fault.delayPercent()) {
      // counted when the delay starts, as Envoy's fault.delays_injected is: a call cancelled during it stays counted
      listener.onFaultInjected(service.name(), route.name(), "delay");
      CancellableWait.sleep(sleeper, call, fault.delay().toNanos());
    }
    if (fault.abortPercent() > 0 && random.nextDouble() * 100 < fault.abortPercent()) {
      listener.onFaultInjected(service.name(), route.name(), "abort");
      long now = System.currentTimeMillis();
      return new Response.Builder()
          .request(request)
          .protocol(Protocol.HTTP_1_1)
          .code(fault.abortStatus())
          .message("fault injected by mesh-client")
          .header("x-mesh-fault", "abort")
          .body(ResponseBody.create(new byte[0], null))
          .sentRequestAtMillis(now)
          .receivedResponseAtMillis(now)
          .build();
    }
    return null;
  }
}
