package io.meshclient.core.internal;

import io.meshclient.core.internal.resilience.OutlierDetector;
import io.meshclient.core.internal.tls.SubsetTls;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What calls routed to one subset share besides its balancer: the outlier detector that records them and
 * decides which instances they skip, the in-flight counter and cap that admit them, their connect timeout and
 * their TLS. Each is the subset's own ({@code subset-policies.<subset>}, a DestinationRule subset's {@code
 * trafficPolicy}) or the service's. Immutable; the detector, the counter and the TLS client are state kept
 * across snapshots.
 *
 * @param detector the detector, or null when outlier detection is off for these calls
 * @param ownDetector whether the detector is the subset's: it sees only the subset's calls, and its
 *     max-ejected share is of the subset's instances
 * @param inFlight the calls in flight counted against {@code maxConcurrentRequests}
 * @param ownLimit whether the counter and cap are the subset's, apart from the service's
 * @param connectTimeoutMillis the subset's connect timeout, or -1 for the route's (by default the service's)
 * @param tls the subset's own TLS client, or null for the service's TLS (or none)
 * @param plaintext whether the subset's own setting turns TLS off for these calls, whatever the service's
 */
record SubsetPolicy(OutlierDetector detector, boolean ownDetector, AtomicInteger inFlight, int maxConcurrentRequests,
    boolean ownLimit, long connectTimeoutMillis, SubsetTls tls, boolean plaintext) {

  /** Whether calls routed here go over TLS to instances that are not secure themselves. */
  boolean encrypts(boolean serviceTls) {
    return tls != null || serviceTls && !plaintext;
  }
}
