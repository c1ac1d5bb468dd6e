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
  private static int status(Throwable t) {
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
    if (status(t) == HttpURLConnection.HTTP_FORBIDDEN) {
      return described + "; grant the service account 'list' and 'watch' on " + resource + " (API group "
          + (group.isEmpty() ? "\"\" (core)" : group) + ") in namespace '" + namespace + "'";
    }
    return described;
  }

  /**
   * One line without a stack trace: the failure kind and the innermost message. A refusal (401, 403)
   * reads as the API server's own reason, which names the user, verb and resource, and nothing more:
   * fabric8's message repeats the whole Status object.
   */
  static String describe(Throwable t) {
    int code = status(t);
    if (code == HttpURLConnection.HTTP_UNAUTHORIZED || code == HttpURLConnection.HTTP_FORBIDDEN) {
      KubernetesClientException k = clientException(t);
      String reason = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage()
          : code == HttpURLConnection.HTTP_UNAUTHORIZED ? "the credentials were not accepted" : "no reason given";
      return (code == HttpURLConnection.HTTP_FORBIDDEN ? "forbidden" : "unauthorized") + " (HTTP " + code + "): "
          + reason;
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return of(t).name().toLowerCase(java.util.Locale.ROOT) + ": " + root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : " " + root.getMessage());
  }
}
