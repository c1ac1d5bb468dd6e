package io.meshclient.core.internal.http;

import io.meshclient.api.NoHealthyInstanceException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.internal.ServiceRuntime;
import io.meshclient.core.internal.SubsetRuntime;
import java.io.IOException;
import java.net.ConnectException;
import okhttp3.Request;

/**
 * The connect failure a call dies of, told in terms of the mesh: the service and the instances tried; and the
 * failure behind a retry that found every instance ejected.
 */
final class ConnectFailures {
  private ConnectFailures() {}

  /**
   * The connect failure a call dies of, naming the service, the attempts and every instance tried (OkHttp's
   * names one address), as Envoy's "upstream connect error ... retried" does; still a {@link ConnectException}.
   */
  static ConnectException named(Request request, ServiceRuntime service, int attempts,
      ServiceInstance[] tried, ServiceInstance last, ConnectException e) {
    StringBuilder instances = new StringBuilder();
    if (tried != null) {
      for (ServiceInstance t : tried) {
        if (!t.equals(last)) {
          instances.append(t.authority()).append(", ");
        }
      }
    }
    instances.append(last.authority());
    ConnectException named = new ConnectException(request.method() + " " + request.url().redact() + " to service "
        + service.name() + " failed after " + attempts + (attempts == 1 ? " attempt" : " attempts")
        + " (instances tried: " + instances + "): " + e.getMessage());
    named.initCause(e);
    return named;
  }

  /**
   * No instance left for an attempt. After a failed one (whose instance the outlier detector may have just
   * ejected), that failure is the cause, told as the call would have been without a retry: the only clue to why.
   */
  static NoHealthyInstanceException noInstanceAfter(ServiceRuntime service, SubsetRuntime subset,
      IOException lastError, ServiceInstance lastInstance) {
    NoHealthyInstanceException e = service.noInstance(subset);
    if (lastError != null) {
      e.initCause(TlsFailures.of(lastError) != null ? TlsFailures.named(service, subset, lastInstance, lastError)
          : lastError);
    }
    return e;
  }
}
