package io.meshclient.core.internal.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.EventListener;
import okhttp3.Protocol;

/**
 * Tells the mesh interceptor, for the attempt running on this thread, whether a new connection was
 * opened and whether the request was written. OkHttp runs an attempt's interceptors and its connection
 * events on one thread, so a per-thread record needs no allocation per call and no lookup by call.
 */
final class WireEvents extends EventListener {
  private static final ThreadLocal<Attempt> CURRENT = ThreadLocal.withInitial(Attempt::new);

  /** Starts recording a new attempt on this thread and returns its record. */
  static Attempt begin() {
    Attempt attempt = CURRENT.get();
    attempt.connectStarted = false;
    attempt.connected = false;
    attempt.requestStarted = false;
    return attempt;
  }

  @Override
  public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
    CURRENT.get().connectStarted = true;
  }

  @Override
  public void connectEnd(Call call, InetSocketAddress address, Proxy proxy, Protocol protocol) {
    CURRENT.get().connected = true;
  }

  @Override
  public void connectFailed(Call call, InetSocketAddress address, Proxy proxy, Protocol protocol, IOException e) {
    CURRENT.get().connectStarted = true;
  }

  @Override
  public void connectionAcquired(Call call, Connection connection) {
    CURRENT.get().connected = true;
  }

  @Override
  public void requestHeadersStart(Call call) {
    CURRENT.get().requestStarted = true;
  }

  /** What happened on the wire during one attempt. */
  static final class Attempt {
    /** A new connection was being opened (true) or a pooled one reused (false). */
    boolean connectStarted;
    /** A connection was ready (new or pooled). */
    boolean connected;
    /** Request bytes may have been written. */
    boolean requestStarted;

    /** The attempt failed before any connection was made. */
    boolean failedToConnect() {
      return !connected;
    }

    /** The attempt ran on a pooled connection (none was opened for it). */
    boolean reusedConnection() {
      return connected && !connectStarted;
    }
  }
}
