package io.meshclient.core.internal.http;

import io.meshclient.core.internal.tls.SubsetTls;
import kotlin.jvm.JvmClassMappingKt;
import kotlin.reflect.KClass;
import okhttp3.Interceptor;
import okhttp3.Request;

/**
 * The mesh's own calls to an instance (a hedged attempt, a mirrored copy) go out on the mesh's client, so
 * through {@link MeshInterceptor} again, addressed to the instance itself. Their tags carry what that pass
 * applies: the own TLS client of the subset they were routed to, and a hedged attempt's timeouts.
 */
final class OwnCalls {
  private OwnCalls() {}

  /**
   * A hedged attempt, with its connect and read/write timeouts as {@link Attempts} sets them on its chain (the
   * route's, else the subset's, else the service's connect timeout; the per-try timeout): without them it had
   * the mesh-wide defaults of the mesh's client.
   */
  private record Hedged(int connectMillis, int readWriteMillis) {}

  // Tag keys made once: tag(Class) makes a Kotlin class reference per call (see ConnectionReuseInterceptor).
  private static final KClass<Hedged> HEDGED = JvmClassMappingKt.getKotlinClass(Hedged.class);
  private static final KClass<SubsetTls> SUBSET_TLS = JvmClassMappingKt.getKotlinClass(SubsetTls.class);

  /** Makes the call use {@code tls}, the own TLS client of the subset it was routed to; nothing when null. */
  static void tagTls(Request.Builder request, SubsetTls tls) {
    if (tls != null) {
      request.tag(SUBSET_TLS, tls);
    }
  }

  /** Marks the call as a hedged attempt with these timeouts. */
  static void tagHedged(Request.Builder request, int connectMillis, int readWriteMillis) {
    request.tag(HEDGED, new Hedged(connectMillis, readWriteMillis));
  }

  /** Whether {@code request} is a hedged attempt: it is sent even to a host the mesh refuses as unknown. */
  static boolean isHedged(Request request) {
    return request.tag(HEDGED) != null;
  }

  /** {@code chain} with the TLS client and the timeouts {@code request}'s tags ask for. */
  static Interceptor.Chain chain(Interceptor.Chain chain, Request request) {
    SubsetTls tls = request.tag(SUBSET_TLS);
    Interceptor.Chain sending = tls == null ? chain : Attempts.withTls(chain, tls);
    Hedged hedged = request.tag(HEDGED);
    return hedged == null ? sending
        : Attempts.withTimeouts(sending, hedged.connectMillis(), hedged.readWriteMillis());
  }
}
