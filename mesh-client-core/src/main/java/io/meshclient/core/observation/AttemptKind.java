package io.meshclient.core.observation;

import java.util.Locale;

/** What one request sent for a call is, as the {@link MeshObservationNames#KIND} tag says. */
public enum AttemptKind {
  /** The call's first request. */
  FIRST,
  /** A request sent again after a retriable outcome. */
  RETRY,
  /** An extra copy sent while an earlier request of the same attempt was still waiting (the route's hedge). */
  HEDGE,
  /** A fire-and-forget copy (the route's mirror); its response is discarded. */
  MIRROR;

  private final String tagValue = name().toLowerCase(Locale.ROOT);

  /** The tag value: {@code first}, {@code retry}, {@code hedge} or {@code mirror}. */
  public String tagValue() {
    return tagValue;
  }
}
