package io.meshclient.core.internal.http;

import java.io.IOException;
import java.net.Socket;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import kotlin.jvm.JvmClassMappingKt;
import kotlin.reflect.KClass;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * A network interceptor that tells the mesh interceptor, for each attempt of a call, whether it got a
 * connection at all and whether that connection was reused: a connection is reused if and only if it
 * carried an earlier exchange. This is judged per connection, not from connection events: OkHttp 5's
 * fast fallback connects on its own threads, and a call may race two connects and take a pooled one.
 * As a network interceptor it survives {@code newBuilder().eventListenerFactory(other)}.
 *
 * <p>The record lives in a tag of the call, so it is per call whatever thread runs it. The set of
 * connections that carried an exchange forgets closed connections in sweeps whose cost is amortised
 * over the additions, so it stays about as large as the pool.
 */
final class ConnectionReuseInterceptor implements Interceptor {
  /**
   * The tag key, made once: OkHttp's {@code tag(Class)} turns the class into a new Kotlin class reference
   * on every call (16 B each, twice per attempt), its {@code tag(KClass)} takes this one as it is.
   */
  private static final KClass<Attempt> KEY = JvmClassMappingKt.getKotlinClass(Attempt.class);

  private final Set<Connection> used = ConcurrentHashMap.newKeySet();
  private final AtomicInteger sweepAt = new AtomicInteger(64);

  /** Starts recording a new attempt of {@code call} and returns its record. */
  static Attempt begin(Call call) {
    Attempt attempt = call.tag(KEY, Attempt::new);
    attempt.connected = false;
    attempt.reused = false;
    return attempt;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Connection connection = chain.connection();
    Attempt attempt = chain.call().tag(KEY);
    if (connection != null) {
      boolean reused = !used.add(connection);
      if (!reused && used.size() >= sweepAt.get()) {
        sweep();
      }
      if (attempt != null) {
        attempt.connected = true;
        attempt.reused = reused;
      }
    }
    return chain.proceed(chain.request());
  }

  /** Forgets closed connections; the next sweep comes when the set has doubled. */
  private void sweep() {
    for (Iterator<Connection> it = used.iterator(); it.hasNext(); ) {
      Socket socket = it.next().socket();
      if (socket.isClosed()) {
        it.remove();
      }
    }
    sweepAt.set(Math.max(64, used.size() * 2));
  }

  /** What happened on the wire during one attempt of a call. */
  static final class Attempt {
    /** A connection was ready (new or pooled) and an exchange started on it. */
    volatile boolean connected;
    /** That connection had carried an earlier exchange. */
    volatile boolean reused;

    /** The attempt failed before any connection was made. */
    boolean failedToConnect() {
      return !connected;
    }

    /** The attempt ran on a connection that had carried an earlier exchange. */
    boolean reusedConnection() {
      return connected && reused;
    }
  }
}
