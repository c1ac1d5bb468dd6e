package io.meshclient.core.internal.http;

import io.meshclient.core.MeshListener;
import io.meshclient.core.internal.tls.SubsetTls;
import java.io.IOException;
import kotlin.jvm.JvmClassMappingKt;
import kotlin.reflect.KClass;
import okhttp3.Call;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The mesh's own calls to an instance (a hedged attempt, a mirrored copy) go out on the client the caller's call
 * was made on ({@link #clientOf}), so through {@link MeshInterceptor} again, addressed to the instance itself.
 * Their tags carry what that pass applies: the own TLS client of the subset they were routed to, and a hedged
 * attempt's timeouts.
 */
final class OwnCalls {
  private OwnCalls() {}

  /**
   * The client {@code call} was made on: the mesh's, or one the caller derived from it ({@code
   * mesh.httpClient().newBuilder().addInterceptor(auth).build()}), whose application interceptors after the
   * mesh's and whose network interceptors then apply to the mesh's own calls as to the attempts it sends on the
   * caller's chain. A hedge sent on the mesh's client went out without the caller's authorization header, and
   * could win the race with the 401 that earned it. OkHttp has no public accessor for a call's client (and
   * {@link Call#clone()} would keep the service's name as the host, which OkHttp's dispatcher counts against
   * {@code max-requests-per-host}, so that queued hedges could wait behind the calls waiting for them); its only
   * {@link Call}, {@code RealCall}, has it. Null for any other call (a test's chain): the caller of this then sends
   * nothing of its own (no hedge, no copy) rather than skip the caller's interceptors.
   */
  static OkHttpClient clientOf(Call call) {
    return call instanceof okhttp3.internal.connection.RealCall real ? real.getClient() : null;
  }

  /**
   * A hedged attempt, with its connect and read/write timeouts as {@link Attempts} sets them on its chain (the
   * route's, else the subset's, else the service's connect timeout; the per-try timeout): without them it had
   * the mesh-wide defaults of the mesh's client. It is also the call's record of what happened on the wire,
   * for a pooled connection found dead to be handled as in {@link Attempts}.
   */
  private static final class Hedged extends ConnectionReuseInterceptor.Attempt {
    final String service;
    final int connectMillis;
    final int readWriteMillis;

    Hedged(String service, int connectMillis, int readWriteMillis) {
      this.service = service;
      this.connectMillis = connectMillis;
      this.readWriteMillis = readWriteMillis;
    }
  }

  // A tag key made once: tag(Class) makes a Kotlin class reference per call (see ConnectionReuseInterceptor).
  private static final KClass<SubsetTls> SUBSET_TLS = JvmClassMappingKt.getKotlinClass(SubsetTls.class);

  /** Makes the call use {@code tls}, the own TLS client of the subset it was routed to; nothing when null. */
  static void tagTls(Request.Builder request, SubsetTls tls) {
    if (tls != null) {
      request.tag(SUBSET_TLS, tls);
    }
  }

  /** Marks the call as a hedged attempt of a call to {@code service}, with these timeouts. */
  static void tagHedged(Request.Builder request, String service, int connectMillis, int readWriteMillis) {
    ConnectionReuseInterceptor.tag(request, new Hedged(service, connectMillis, readWriteMillis));
  }

  /** Marks a mirrored copy as addressed to the instance its URL names, for {@link #isAddressed}. */
  static void tagAddressed(Request.Builder request) {
    ConnectionReuseInterceptor.tag(request, new ConnectionReuseInterceptor.Attempt());
  }

  /**
   * Whether {@code request} is one of the mesh's own calls addressed to an instance (a hedged attempt, a copy to a
   * subset): it is sent there as it is, never routed again, even when the instance's host is a service's name.
   */
  static boolean isAddressed(Request request) {
    return ConnectionReuseInterceptor.tagged(request) != null;
  }

  /**
   * Sends {@code request} on {@code chain} with the TLS client and the timeouts its tags ask for. A hedged
   * attempt that fails only because its pooled connection was dead, or whose HTTP/2 stream the server refused
   * unprocessed, is sent again, to the same instance, as {@link Attempts} would
   * ({@link ConnectionReuseInterceptor.Attempt#resendForFree}): without it, the failure was counted against a
   * healthy instance, and failed the call when nothing else was pending.
   */
  static Response send(Interceptor.Chain chain, Request request, MeshListener listener) throws IOException {
    SubsetTls tls = request.tag(SUBSET_TLS);
    Interceptor.Chain sending = tls == null ? chain : Attempts.withTls(chain, tls);
    if (!(ConnectionReuseInterceptor.tagged(request) instanceof Hedged hedged)) {
      return sending.proceed(request);
    }
    sending = Attempts.withTimeouts(sending, hedged.connectMillis, hedged.readWriteMillis);
    while (true) {
      hedged.begin();
      try {
        return sending.proceed(request);
      } catch (IOException e) {
        String free = hedged.resendForFree(Attempts.classify(e, hedged, chain.call().isCanceled()), request, e);
        if (free == null) {
          throw e;
        }
        listener.onRetry(hedged.service, free);
      }
    }
  }
}
