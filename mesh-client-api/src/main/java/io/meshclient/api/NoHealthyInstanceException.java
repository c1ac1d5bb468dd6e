package io.meshclient.api;

/** The request's service, or the subset its route chose, has no instance that may take traffic. */
public final class NoHealthyInstanceException extends MeshException {
  private static final long serialVersionUID = 1L;

  private final String subset;

  /**
   * @param subset the chosen subset, or null when the route chose the whole service
   */
  public NoHealthyInstanceException(String service, String subset) {
    super(service, "no healthy instance of service '" + service + "'"
        + (subset == null ? "" : " in subset '" + subset + "'"));
    this.subset = subset;
  }

  /** The subset that was empty, or null for the whole service. */
  public String subset() {
    return subset;
  }
}
