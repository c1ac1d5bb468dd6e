package io.meshclient.core.internal.http;

import io.meshclient.api.RequestNotRetriedException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.internal.ServiceRuntime;
import java.io.IOException;
import okhttp3.Request;
import okhttp3.internal.http2.ConnectionShutdownException;
import okhttp3.internal.http2.ErrorCode;
import okhttp3.internal.http2.StreamResetException;

/**
 * HTTP/2 streams the server did not process: refused with {@code REFUSED_STREAM} (RFC 9113 §8.7), or never
 * created because the call lost a race with the server's GOAWAY. Such a request may be sent again whatever its
 * method, as OkHttp does by itself and Envoy's {@code refused-stream} does; the mesh does it once per call
 * ({@link ConnectionReuseInterceptor.Attempt#resendForFree}), and otherwise tells the caller why not.
 */
final class RefusedStreams {
  /** Why an attempt whose HTTP/2 stream the server refused is sent again, for the retry listener. */
  static final String REASON = "refused-stream";

  private RefusedStreams() {}

  /**
   * Whether {@code e} says the server did not process the request: its HTTP/2 stream was refused, or the call
   * lost a race with the server's GOAWAY and its stream was never opened ({@link ConnectionShutdownException},
   * thrown before any of the request is written).
   */
  static boolean refused(IOException e) {
    return e instanceof ConnectionShutdownException
        || (e instanceof StreamResetException reset && reset.errorCode == ErrorCode.REFUSED_STREAM);
  }

  /**
   * Whether a request whose stream was refused so ({@code e}) may be written again: a GOAWAY race wrote none of
   * it; a refused stream may have had its body written (OkHttp writes it at once), which a one-shot body allows
   * only once.
   */
  static boolean rewritable(Request request, IOException e) {
    return e instanceof ConnectionShutdownException || request.body() == null || !request.body().isOneShot();
  }

  /**
   * The failure of a call the mesh may not send again (not idempotent, or a one-shot body) whose stream was
   * refused ({@code e}) after its one resend, or whose body could not be written again: naming the instance and
   * the service, and why it was not sent again.
   */
  static RequestNotRetriedException notResent(Request request, ServiceRuntime service, ServiceInstance instance,
      IOException e) {
    return new RequestNotRetriedException(service.name(), request.method() + " " + request.url().redact()
        + " was refused unprocessed by instance " + instance.id() + " (" + instance.authority() + ") of service "
        + service.name() + "; not sent again because " + (rewritable(request, e)
            ? request.method() + " is not idempotent and its one resend of a refused stream was taken"
            : "its one-shot body may have been written")
        + " (" + e + ")", e);
  }
}
