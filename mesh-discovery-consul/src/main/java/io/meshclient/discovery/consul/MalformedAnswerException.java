package io.meshclient.discovery.consul;

import java.io.IOException;

/**
 * The agent's answer breaks what HTTP or Consul promise (too large, a bad {@code X-Consul-Index}): thrown
 * while the answer is read, so that httpclient drops the connection, and reported as
 * {@link ConsulWatchListener.Failure#MALFORMED_RESPONSE}.
 */
final class MalformedAnswerException extends IOException {
  private static final long serialVersionUID = 1L;

  MalformedAnswerException(String message) {
    super(message);
  }
}
