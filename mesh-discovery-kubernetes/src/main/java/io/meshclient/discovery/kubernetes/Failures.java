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

  /** One line without a stack trace: the failure kind and the innermost message. */
  static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return of(t).name().toLowerCase(java.util.Locale.ROOT) + ": " + root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : " " + root.getMessage());
  }
}
