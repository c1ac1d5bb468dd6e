package io.meshclient.core.config;

/**
 * A copy of a share of a route's requests sent to a subset of the same service or to another service,
 * fire-and-forget (Istio's {@code mirror} and {@code mirrorPercentage}). The caller's response is never
 * delayed or failed by the copy. Copies carry {@code x-mesh-shadow: true} and a {@code -shadow} suffix on
 * their Host header, and are never mirrored again. A request body is mirrored only when it can be sent
 * twice.
 *
 * @param subset the subset of the same service to copy to, or null
 * @param service another service to copy to, or null; exactly one of {@code subset} and {@code service}
 * @param percent the share of the route's requests copied, 0..100
 * @param maxConcurrent copies in flight at most; a copy over the cap is dropped and counted
 */
public record MirrorConfig(String subset, String service, double percent, int maxConcurrent) {

  /** Copies mirrored at most at once, unless configured. */
  public static final int DEFAULT_MAX_CONCURRENT = MeshKeys.MIRROR_MAX.defaultInt();

  /** Copies {@code percent} of requests to {@code subset} of the same service. */
  public static MirrorConfig toSubset(String subset, double percent) {
    return new MirrorConfig(subset, null, percent, DEFAULT_MAX_CONCURRENT);
  }

  /** Copies {@code percent} of requests to another service. */
  public static MirrorConfig toService(String service, double percent) {
    return new MirrorConfig(null, service, percent, DEFAULT_MAX_CONCURRENT);
  }

  public MirrorConfig withMaxConcurrent(int max) {
    return new MirrorConfig(subset, service, percent, max);
  }
}
