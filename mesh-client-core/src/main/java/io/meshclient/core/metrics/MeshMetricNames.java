package io.meshclient.core.metrics;

/** Every meter name and tag key the mesh registers, in one place. */
public final class MeshMetricNames {
  private MeshMetricNames() {}

  /**
   * Timer of calls through the mesh (after retries), tagged {@link #SERVICE}, {@link #SUBSET}, {@link
   * #METHOD}, {@link #STATUS}, {@link #OUTCOME} and {@link #ERROR}. The method, status and outcome tags
   * follow Spring's {@code http.client.requests}.
   */
  public static final String REQUESTS = "mesh.client.requests";
  /** Counter of calls refused by a rate limit, tagged {@link #SERVICE} and {@link #LIMITER}. */
  public static final String RATE_LIMITED = "mesh.client.rate.limited";
  /** Counter of calls refused by the concurrency cap, tagged {@link #SERVICE}. */
  public static final String CONCURRENCY_LIMITED = "mesh.client.concurrency.limited";
  /** Counter of attempts sent again, tagged {@link #SERVICE} and {@link #REASON}. */
  public static final String RETRIES = "mesh.client.retries";

  public static final String SERVICE = "service";
  public static final String SUBSET = "subset";
  public static final String METHOD = "method";
  public static final String STATUS = "status";
  public static final String OUTCOME = "outcome";
  public static final String ERROR = "error";
  public static final String LIMITER = "limiter";
  public static final String REASON = "reason";

  /** The {@link #SUBSET} tag value of calls that no route sent to a subset. */
  public static final String ALL_INSTANCES = "all";
}
