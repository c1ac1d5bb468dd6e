package io.meshclient.discovery.xds;

/** A resource fails validation; the message is the NACK's error_detail, naming the resource and the field. */
final class XdsInvalidException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  XdsInvalidException(String resource, String field, Object value, String expected) {
    this(resource + ": " + field + ": " + value + " (expected: " + expected + ")");
  }

  /** A problem already worded {@code resource: field: value (expected: ...)}. */
  XdsInvalidException(String detail) {
    super(detail, null, false, false);
  }
}
