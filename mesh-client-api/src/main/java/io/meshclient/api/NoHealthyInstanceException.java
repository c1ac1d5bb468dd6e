package io.meshclient.api;

/** The request's service, or the subset its route chose, has no instance that may take traffic. */
public final class NoHealthyInstanceException extends MeshException {
  private static final long serialVersionUID = 1L;

  private final String subset;
  private final String reason;

  /**
   * @param subset the chosen subset, or null when the route chose the whole service
   */
  public NoHealthyInstanceException(String service, String subset) {
    this(service, subset, null);
  }

  /**
   * @param subset the chosen subset, or null when the route chose the whole service
   * @param reason why it has no instance, as its discovery says ({@link ServiceDiscovery#whyNoInstances}),
   *     or null; it ends the message
   */
  public NoHealthyInstanceException(String service, String subset, String reason) {
    super(service, "no healthy instance of service '" + service + "'"
        + (subset == null ? "" : " in subset '" + subset + "'") + (reason == null ? "" : ": " + reason));
    this.subset = subset;
    this.reason = reason;
  }

  /** The subset that was empty, or null for the whole service. */
  public String subset() {
    return subset;
  }

  /** Why the subset or service has no instance, as its discovery says, or null when it did not say. */
  public String reason() {
    return reason;
  }
}
