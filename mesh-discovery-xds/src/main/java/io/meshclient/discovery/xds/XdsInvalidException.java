package io.meshclient.discovery.xds;

/**
 * A resource fails validation; the message is the NACK's error_detail, naming the resource and the field. It is
 * logged, shown in the status and in the reasons calls fail with: a string value is {@link ServerStrings#printable
 * cut and escaped}, and the message on one line, at most {@link ResourceUpdate#MAX_DETAIL} characters (a value
 * such as the clusters CDS has may be long).
 */
final class XdsInvalidException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  XdsInvalidException(String resource, String field, Object value, String expected) {
    this(resource + ": " + field + ": " + (value instanceof String s ? ServerStrings.printable(s) : value)
        + " (expected: " + expected + ")");
  }

  /** A problem already worded {@code resource: field: value (expected: ...)}. */
  XdsInvalidException(String detail) {
    super(ServerStrings.printable(detail, ResourceUpdate.MAX_DETAIL), null, false, false);
  }
}
