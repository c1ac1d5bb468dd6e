package io.meshclient.core.internal.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import kotlin.jvm.JvmClassMappingKt;
import kotlin.reflect.KClass;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A network interceptor that tells the mesh interceptor, for each attempt of a call, whether it got a
 * connection at all and whether that connection was reused: a connection is reused if and only if it
 * carried an earlier exchange. This is judged per connection, not from connection events: OkHttp 5's
 * fast fallback connects on its own threads, and a call may race two connects and take a pooled one.
 * As a network interceptor it survives {@code newBuilder().eventListenerFactory(other)}.
 *
 * <p>A request the mesh could not send again (not idempotent, or a one-shot body), or one whose call has
 * already been sent again after a stale connection (its one free resend taken), is not written on a
 * pooled HTTP/1 connection that has been quiet for {@link #PROBE_AFTER_IDLE_NANOS} or more (or half the
 * shortest quiet time after which its server was seen to close one) until a read of at most 1 ms shows the
 * server has not closed it: a server that closed it while it was idle (its keep-alive timeout) has sent its
 * FIN, which the read sees at once. Such a connection is closed and the
 * attempt fails, {@link Attempt#closedBeforeSend() unsent}, for the mesh to send it on another connection.
 * Envoy never sends on such a connection either (it watches idle connections); OkHttp makes the same check
 * for the same requests, but only after 10 s of idleness, which misses servers that close after 5 s.
 *
 * <p>The record lives in a tag of the call, so it is per call whatever thread runs it. The map of
 * connections that carried an exchange forgets closed connections in sweeps whose cost is amortised
 * over the additions, so it stays about as large as the pool.
 */
final class ConnectionReuseInterceptor implements Interceptor {
  /**
   * The tag key, made once: OkHttp's {@code tag(Class)} turns the class into a new Kotlin class reference
   * on every call (16 B each, twice per attempt), its {@code tag(KClass)} takes this one as it is.
   */
  private static final KClass<Attempt> KEY = JvmClassMappingKt.getKotlinClass(Attempt.class);

  /** How long a pooled connection must have been quiet before a request that cannot be resent probes it. */
  static final long PROBE_AFTER_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /**
   * Per server address, the shortest time a pooled HTTP/1 connection to it had been quiet when it was found
   * closed (by the probe) or failed under a request: where the server closes idle connections sooner than
   * {@link #PROBE_AFTER_IDLE_NANOS} (HAProxy's {@code timeout http-keep-alive} is often under a second), requests
   * that cannot be resent probe connections quiet for half that, else every one of them sent after that server's
   * idle close failed unsent-again. Kept small: cleared if it ever holds {@link #MAX_ADDRESSES} addresses.
   */
  private final ConcurrentHashMap<InetSocketAddress, Long> closesIdleAfter = new ConcurrentHashMap<>();
  private static final int MAX_ADDRESSES = 4096;
  /** The shortest quiet time after which a failure on a pooled connection is taken for the server's idle close. */
  static final long LEARN_FROM_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  /** The connections that carried an exchange, each with when it last began or answered one. */
  private final ConcurrentHashMap<Connection, Use> used = new ConcurrentHashMap<>();
  private final AtomicInteger sweepAt = new AtomicInteger(64);

  /** Why an attempt is sent again when {@link Attempt#resendForFree} says so, for the retry listener. */
  static final String FREE_RESEND_REASON = "reused-connection-failed";

  /** Starts recording the attempts of {@code call}: returns its record, {@link Attempt#begin() begun}. */
  static Attempt record(Call call) {
    Attempt attempt = call.tag(KEY, Attempt::new);
    attempt.resent = 0;
    return attempt.begin();
  }

  /**
   * Makes {@code attempt} the record of the request being built: for one of the mesh's own calls, whose
   * record travels with its request (made with it, so no object more per call) instead of in a call tag.
   */
  static void tag(Request.Builder request, Attempt attempt) {
    request.tag(KEY, attempt);
  }

  /** The record {@code request} carries ({@link #tag}), or null. */
  static Attempt tagged(Request request) {
    return request.tag(KEY);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Connection connection = chain.connection();
    Attempt attempt = chain.call().tag(KEY);
    if (attempt == null) {
      attempt = chain.request().tag(KEY); // one of the mesh's own calls, or null: a call the mesh does not route
    }
    if (connection == null) {
      return chain.proceed(chain.request());
    }
    Use use = used.get(connection);
    boolean reused = use != null;
    if (use == null) {
      Use fresh = new Use(); // once per connection
      use = used.putIfAbsent(connection, fresh);
      reused = use != null;
      if (use == null) {
        use = fresh;
        if (used.size() >= sweepAt.get()) {
          sweep();
        }
      }
    }
    long now = System.nanoTime();
    long quiet = now - use.lastActive;
    boolean http1 = isHttp1(connection.protocol());
    if (attempt != null) {
      attempt.connected = true;
      attempt.reused = reused;
      if (reused && (attempt.staleResent() || !resendableForFree(chain.request())) && http1
          && quiet >= probeAfter(connection.route().socketAddress()) && closedByPeer(connection.socket())) {
        attempt.closedBeforeSend = true;
        closedAfter(connection.route().socketAddress(), quiet);
        connection.socket().close(); // the pool drops a closed connection, so no call is given it again
        throw new IOException("connection to " + connection.route().socketAddress()
            + " was closed by the server while idle in the pool; " + chain.request().method() + " not sent on it");
      }
    }
    use.lastActive = now;
    Response response;
    try {
      response = chain.proceed(chain.request());
    } catch (IOException e) {
      if (reused && http1 && !(e instanceof SocketTimeoutException) && !chain.call().isCanceled()) {
        closedAfter(connection.route().socketAddress(), quiet); // most likely the server's idle close
      }
      throw e;
    }
    use.lastActive = System.nanoTime();
    return response;
  }

  /** How long a pooled connection to {@code address} is quiet before a request that cannot be resent probes it. */
  private long probeAfter(InetSocketAddress address) {
    Long closed = closesIdleAfter.isEmpty() ? null : closesIdleAfter.get(address);
    return closed == null ? PROBE_AFTER_IDLE_NANOS : Math.min(PROBE_AFTER_IDLE_NANOS, closed / 2);
  }

  /**
   * Learns that {@code address} closed (or failed under a request) a pooled connection quiet for {@code quiet}.
   * Not under {@link #LEARN_FROM_NANOS}: a failure so soon after the last exchange is rather the server's than an
   * idle close, and would have every request that cannot be resent wait up to 1 ms for the probe.
   */
  private void closedAfter(InetSocketAddress address, long quiet) {
    if (quiet >= 2 * PROBE_AFTER_IDLE_NANOS || quiet < LEARN_FROM_NANOS) {
      return; // probed at the usual quiet time anyway, or not an idle close
    }
    if (closesIdleAfter.size() >= MAX_ADDRESSES) {
      closesIdleAfter.clear();
    }
    closesIdleAfter.merge(address, quiet, Math::min);
  }

  /** HTTP/1 only: a read on a multiplexed (HTTP/2) connection's socket would take another stream's bytes. */
  private static boolean isHttp1(Protocol protocol) {
    return protocol == Protocol.HTTP_1_1 || protocol == Protocol.HTTP_1_0;
  }

  /**
   * Whether the mesh may send {@code request} again, uncounted, after it failed on a reused connection and may
   * have reached the server: OkHttp's rule for a stale keep-alive connection (idempotent, body not one-shot).
   * A request that may not is not written on a long-quiet pooled connection before it is probed.
   */
  static boolean resendableForFree(Request request) {
    return MeshInterceptor.isIdempotent(request.method()) && (request.body() == null || !request.body().isOneShot());
  }

  /**
   * Whether the peer has closed {@code socket} (or sent bytes nobody asked for): a read of at most 1 ms, as
   * OkHttp's own health check. Only for an idle HTTP/1 connection, where nothing is owed to the reader.
   */
  private static boolean closedByPeer(Socket socket) {
    try {
      int timeout = socket.getSoTimeout();
      try {
        socket.setSoTimeout(1);
        socket.getInputStream().read();
        return true; // the end of the stream, or a byte no request asked for: either way unusable
      } finally {
        socket.setSoTimeout(timeout);
      }
    } catch (SocketTimeoutException e) {
      return false; // nothing to read: open
    } catch (IOException e) {
      return true;
    }
  }

  /** Forgets closed connections; the next sweep comes when the set has doubled. */
  private void sweep() {
    for (Iterator<Connection> it = used.keySet().iterator(); it.hasNext(); ) {
      Socket socket = it.next().socket();
      if (socket.isClosed()) {
        it.remove();
      }
    }
    sweepAt.set(Math.max(64, used.size() * 2));
  }

  /** When a connection last began or answered an exchange ({@link System#nanoTime()}). */
  private static final class Use {
    volatile long lastActive = System.nanoTime();
  }

  /** What happened on the wire during one attempt of a call. */
  static class Attempt {
    /** A connection was ready (new or pooled) and an exchange started on it. */
    volatile boolean connected;
    /** That connection had carried an earlier exchange. */
    volatile boolean reused;
    /** The server had closed that (pooled) connection: nothing was written on it. */
    volatile boolean closedBeforeSend;
    /** In {@link #resent}: the call's one free resend of a request that may have reached the server was taken. */
    static final byte STALE = 1;
    /** In {@link #resent}: the call's one free resend of a request whose HTTP/2 stream was refused was taken. */
    static final byte REFUSED = 2;
    /**
     * The free resends the call took ({@link #STALE}, {@link #REFUSED}; per call). One byte, not two booleans:
     * with the three flags above the record stays 16 bytes, allocated once per call.
     */
    private byte resent;

    /** Starts recording a new attempt of the call; returns this record. */
    final Attempt begin() {
      connected = false;
      reused = false;
      closedBeforeSend = false;
      return this;
    }

    /**
     * Why this attempt, which ended with {@code outcome} and {@code error}, is sent again without counting as an
     * attempt or as a failure of the instance, or null if it is not:
     * <ul>
     *   <li>{@link StreamResets#REASON} when the server refused its HTTP/2 stream or the call lost a race with
     *       its GOAWAY ({@link StreamResets#refused}), so that the request was not processed: whatever its
     *       method, once per call, if its body can be written again ({@link StreamResets#rewritable});
     *   <li>{@link #FREE_RESEND_REASON} when it failed only because the pooled connection it was given was dead
     *       (the server closed it while it was idle; not a stream it reset, {@link StreamResets#resetByServer}):
     *       when nothing was written on it, as often as that happens; when the request may have reached the
     *       server, once per call, and only if OkHttp's rule for a stale connection lets it be sent again
     *       ({@link #resendableForFree}).
     * </ul>
     * The normal attempt loop and a hedged route's own calls both ask this.
     */
    final String resendForFree(io.meshclient.api.CallOutcome outcome, Request request, IOException error) {
      if (outcome != io.meshclient.api.CallOutcome.IO_ERROR) {
        return null;
      }
      if (StreamResets.refused(error)) {
        if ((resent & REFUSED) != 0 || !StreamResets.rewritable(request, error)) {
          return null;
        }
        resent |= REFUSED;
        return StreamResets.REASON;
      }
      if (!reusedConnection() || StreamResets.resetByServer(error)) {
        return null; // a stream the server reset on a live connection: not a stale connection
      }
      if (closedBeforeSend) {
        return FREE_RESEND_REASON;
      }
      if (staleResent() || !resendableForFree(request)) {
        return null;
      }
      resent |= STALE;
      return FREE_RESEND_REASON;
    }

    /** The call's one free resend of a request that may have reached the server was taken. */
    boolean staleResent() {
      return (resent & STALE) != 0;
    }

    /** The attempt failed on a pooled connection the server had closed, before anything was written. */
    boolean closedBeforeSend() {
      return closedBeforeSend;
    }

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
