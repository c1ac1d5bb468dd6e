package io.meshclient.discovery.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.WatcherException;
import io.meshclient.discovery.kubernetes.KubernetesWatchListener.Failure;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;

/** Sorts the throwables informers report into {@link Failure}s. */
final class Failures {
  private Failures() {}

  /** The HTTP status of the API server's refusal in {@code t}'s causes, or 0. */
  static int code(Throwable t) {
    KubernetesClientException k = clientException(t);
    return k == null ? 0 : k.getCode();
  }

  private static KubernetesClientException clientException(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof KubernetesClientException k && k.getCode() > 0) {
        return k;
      }
    }
    return null;
  }

  static Failure of(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof KubernetesClientException k && k.getCode() == HttpURLConnection.HTTP_GONE
          || c instanceof WatcherException w && w.isHttpGone()) {
        return Failure.GONE;
      }
      if (c instanceof ConnectException || c instanceof UnknownHostException
          || c instanceof HttpConnectTimeoutException) {
        return Failure.CONNECT;
      }
      if (c instanceof HttpTimeoutException || c instanceof java.net.SocketTimeoutException) {
        return Failure.TIMEOUT;
      }
      if (c instanceof KubernetesClientException k && k.getCode() >= 400) {
        return Failure.HTTP_STATUS;
      }
    }
    return Failure.IO;
  }

  /**
   * {@link #describe(Throwable)}, and when the API server refused the credentials (403), the RBAC rule
   * that would let the watch of {@code resource} (in API group {@code group}, "" for the core group) in
   * {@code namespace} through: an informer lists and watches.
   */
  static String describe(Throwable t, String resource, String group, String namespace) {
    String described = describe(t);
    if (code(t) == HttpURLConnection.HTTP_FORBIDDEN) {
      return described + "; grant the service account 'list' and 'watch' on " + resource + " (API group "
          + (group.isEmpty() ? "\"\" (core)" : group) + ") in namespace '" + namespace + "'";
    }
    return described;
  }

  /**
   * One line without a stack trace: the failure kind and the innermost message. An answer with an error
   * status reads as the API server's own message (at most {@value #MAX_MESSAGE} characters), which for a
   * refusal (401, 403) names the user, verb and resource: fabric8's message repeats the URL and the whole
   * Status object after it.
   */
  static String describe(Throwable t) {
    int code = code(t);
    if (code >= 400) {
      KubernetesClientException k = clientException(t);
      String message = k.getStatus() == null ? null : k.getStatus().getMessage();
      if (message == null || message.isBlank()) {
        message = code == HttpURLConnection.HTTP_UNAUTHORIZED ? "the credentials were not accepted"
            : k.getStatus() != null && k.getStatus().getReason() != null ? k.getStatus().getReason() : "no reason given";
      }
      message = message.strip();
      String kind = code == HttpURLConnection.HTTP_FORBIDDEN ? "forbidden"
          : code == HttpURLConnection.HTTP_UNAUTHORIZED ? "unauthorized" : of(t).name().toLowerCase(java.util.Locale.ROOT);
      return kind + " (HTTP " + code + "): "
          + (message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 3) + "...");
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return of(t).name().toLowerCase(java.util.Locale.ROOT) + ": " + root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : " " + root.getMessage());
  }

  /** The longest API server message quoted in a description. */
  static final int MAX_MESSAGE = 300;
}
