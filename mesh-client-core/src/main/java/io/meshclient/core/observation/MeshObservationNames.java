package io.meshclient.core.observation;

/**
 * The names and tag keys of the mesh's observations. Low-cardinality tags (also on the timers a meter
 * handler makes of them): {@link #SERVICE}, {@link #SUBSET}, {@link #ROUTE}, and on attempts {@link
 * #KIND}. High-cardinality tags (spans only): {@link #INSTANCE}, {@link #ATTEMPT_NUMBER}, {@link
 * #STATUS}, {@link #CANCELLED}.
 */
public final class MeshObservationNames {
  /** One call through the mesh, from the route match to the response the caller gets. */
  public static final String CALL = "mesh.client.call";
  /** One request sent for a call: its first try, a retry, a hedge or a mirrored copy. */
  public static final String ATTEMPT = "mesh.client.attempt";

  /** The destination service (for a call: the service its URL names). */
  public static final String SERVICE = "mesh.service";
  /** The destination subset; {@link #ALL} when the call goes to the whole service. */
  public static final String SUBSET = "mesh.subset";
  /** The route taken; {@link #NONE} when no route matched (or the call was refused before routing). */
  public static final String ROUTE = "mesh.route";
  /** What an attempt is: {@link AttemptKind#tagValue()}. */
  public static final String KIND = "mesh.attempt.kind";

  /** The instance an attempt went to ({@code ServiceInstance.id()}). */
  public static final String INSTANCE = "mesh.instance";
  /** The attempt's number within its call, from 1 (a hedge carries its attempt's number). */
  public static final String ATTEMPT_NUMBER = "mesh.attempt.number";
  /** The HTTP status an attempt or call got, absent when it failed without a response. */
  public static final String STATUS = "http.response.status_code";
  /** {@code true} on an attempt cancelled by the mesh (a hedge that lost) or by the caller; not an error. */
  public static final String CANCELLED = "mesh.attempt.cancelled";

  /** The {@link #SUBSET} of a call to the whole service. */
  public static final String ALL = "all";
  /** The {@link #ROUTE} (and {@link #SUBSET}) of a call refused before it was routed. */
  public static final String NONE = "none";

  private MeshObservationNames() {}
}
