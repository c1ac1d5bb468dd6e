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
 * HTTP/2 stream resets, told apart by what they say about the request. A stream the server did not process:
 * refused with {@code REFUSED_STREAM} (RFC 9113 §8.7), or never created because the call lost a race with the
 * server's GOAWAY. Such a request may be sent again whatever its method, as OkHttp does by itself and Envoy's
 * {@code refused-stream} does; the mesh does it once per call
 * ({@link ConnectionReuseInterceptor.Attempt#resendForFree}). A stream the server reset with another code on a
 * live connection ({@link #resetByServer}): the request may have been processed, and the connection was not
 * stale. A request the mesh may not send again is failed naming the instance and the service ({@link #notResent}).
 */
final class StreamResets {
  /** Why an attempt whose HTTP/2 stream the server refused is sent again, for the retry listener. */
  static final String REASON = "refused-stream";

  private StreamResets() {}

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
   * Whether the server reset the request's stream on a live connection ({@code RST_STREAM} with a code other
   * than {@code REFUSED_STREAM} or {@code CANCEL}): the request may have been processed, and the connection was
   * not dead in the pool. OkHttp also ends the streams of a connection the server closed (its end of stream,
   * without GOAWAY: a stale pooled connection) with {@code CANCEL}, so a {@code CANCEL} is not told apart.
   */
  static boolean resetByServer(IOException e) {
    return e instanceof StreamResetException reset && reset.errorCode != ErrorCode.REFUSED_STREAM
        && reset.errorCode != ErrorCode.CANCEL;
  }

  /**
   * The failure of a call the mesh may not send again ({@code resendable} false: not idempotent, or a one-shot
   * body) whose stream the server refused or reset ({@code e}), naming the instance, the service and why it was
   * not sent again; null for another failure.
   */
  static RequestNotRetriedException notResent(Request request, ServiceRuntime service, ServiceInstance instance,
      IOException e) {
    String why = MeshInterceptor.isIdempotent(request.method()) ? "its body is one-shot"
        : request.method() + " is not idempotent";
    if (refused(e)) {
      return new RequestNotRetriedException(service.name(), request.method() + " " + request.url().redact()
          + " was refused unprocessed by instance " + instance.id() + " (" + instance.authority()
          + ") of service " + service.name() + "; not sent again because " + (rewritable(request, e)
              ? why + " and its one resend of a refused stream was taken" : "its one-shot body may have been written")
          + " (" + e + ")", e);
    }
    if (resetByServer(e)) {
      return new RequestNotRetriedException(service.name(), request.method() + " " + request.url().redact()
          + " was reset by instance " + instance.id() + " (" + instance.authority() + ") of service "
          + service.name() + " with " + ((StreamResetException) e).errorCode + " after it was sent; not sent again"
          + " because " + why + " (" + e + ")", e);
    }
    return null;
  }
}
