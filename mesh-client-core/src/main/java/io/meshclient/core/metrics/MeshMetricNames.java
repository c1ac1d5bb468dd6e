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
  /** Counter of hedged copies sent, tagged {@link #SERVICE} and {@link #ROUTE}. */
  public static final String HEDGES = "mesh.client.hedges";
  /** Counter of retries refused because the retry budget was spent, tagged {@link #SERVICE}. */
  public static final String RETRY_BUDGET_EXHAUSTED = "mesh.client.retry.budget.exhausted";
  /** Counter of attempts refused by an open circuit breaker, tagged {@link #SERVICE}. */
  public static final String BREAKER_REJECTED = "mesh.client.circuit.breaker.rejected";
  /** Counter of outlier ejections, tagged {@link #SERVICE}. */
  public static final String EJECTIONS = "mesh.client.outlier.ejections";
  /** Gauge of instances ejected now, tagged {@link #SERVICE}. */
  public static final String EJECTED = "mesh.client.outlier.ejected";
  /** Counter of discovered instances dropped for an address outside the allow-list, tagged {@link #SERVICE}. */
  public static final String INSTANCES_REJECTED = "mesh.client.discovery.rejected";
  /** Counter of mirrored copies, tagged {@link #SERVICE}, {@link #ROUTE} and {@link #RESULT}. */
  public static final String MIRRORS = "mesh.client.mirrors";
  /** Counter of injected faults, tagged {@link #SERVICE}, {@link #ROUTE} and {@link #KIND} ({@code delay}, {@code abort}). */
  public static final String FAULTS = "mesh.client.faults.injected";

  /** Counter: configurations swapped in or refused, tagged {@link #RESULT} ({@code applied}, {@code refused}). */
  public static final String RECONFIGURATIONS = "mesh.client.reconfigurations";

  public static final String SERVICE = "service";
  public static final String SUBSET = "subset";
  public static final String METHOD = "method";
  public static final String STATUS = "status";
  public static final String OUTCOME = "outcome";
  public static final String ERROR = "error";
  public static final String LIMITER = "limiter";
  public static final String REASON = "reason";
  public static final String ROUTE = "route";
  public static final String KIND = "kind";
  public static final String RESULT = "result";

  /** The {@link #SUBSET} tag value of calls that no route sent to a subset. */
  public static final String ALL_INSTANCES = "all";
}
