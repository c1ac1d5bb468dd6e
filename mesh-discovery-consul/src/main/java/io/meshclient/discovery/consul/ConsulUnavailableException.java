package io.meshclient.discovery.consul;

import io.meshclient.discovery.consul.ConsulWatchListener.Failure;
import java.io.IOException;

/**
 * A health query got no usable answer. The message names the service and the cause, never the token
 * (which is only ever in a header).
 */
final class ConsulUnavailableException extends IOException {
  private static final long serialVersionUID = 1L;

  private final Failure failure;

  ConsulUnavailableException(Failure failure, String message, Throwable cause) {
    super(message, cause);
    this.failure = failure;
  }

  Failure failure() {
    return failure;
  }
}
