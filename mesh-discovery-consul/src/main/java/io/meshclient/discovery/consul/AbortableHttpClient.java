package io.meshclient.discovery.consul;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.client.ResponseHandler;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.conn.ClientConnectionManager;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.params.HttpParams;
import org.apache.http.protocol.HttpContext;

/**
 * An HTTP client that can abort the request a given thread is executing. consul-api builds each
 * request itself and never shows it; this client sees it go by, so that closing one watch can cut its
 * blocking query short instead of waiting up to {@code wait} for the agent to answer.
 */
final class AbortableHttpClient extends CloseableHttpClient {
  private final CloseableHttpClient delegate;
  private final Map<Thread, HttpRequestBase> inFlight = new ConcurrentHashMap<>();
  private final Set<Thread> cancelled = ConcurrentHashMap.newKeySet();

  AbortableHttpClient(CloseableHttpClient delegate) {
    this.delegate = delegate;
  }

  /**
   * Aborts the request {@code thread} is executing, and any it starts until {@link #forget} is called
   * for it.
   */
  void cancel(Thread thread) {
    cancelled.add(thread);
    HttpRequestBase request = inFlight.get(thread);
    if (request != null) {
      request.abort();
    }
  }

  /** Aborts every request executing now; requests started later run as usual. */
  void abortInFlight() {
    inFlight.values().forEach(HttpRequestBase::abort);
  }

  /** Drops what is known about {@code thread}, once it executes no more requests. */
  void forget(Thread thread) {
    cancelled.remove(thread);
    inFlight.remove(thread);
  }

  /** Every response-handler variant, the one consul-api uses included, ends up here. */
  @Override
  public <T> T execute(HttpHost target, HttpRequest request, ResponseHandler<? extends T> handler,
      HttpContext context) throws IOException {
    Thread thread = Thread.currentThread();
    HttpRequestBase abortable = request instanceof HttpRequestBase r ? r : null;
    if (abortable != null) {
      inFlight.put(thread, abortable);
      // Checked after registering, so a cancel() racing with the start is never lost.
      if (cancelled.contains(thread)) {
        abortable.abort();
      }
    }
    try {
      // Registered until the handler has read the body: abort() also cuts a body read short.
      return super.execute(target, request, handler, context);
    } finally {
      if (abortable != null) {
        inFlight.remove(thread, abortable);
      }
    }
  }

  @Override
  protected CloseableHttpResponse doExecute(HttpHost target, HttpRequest request, HttpContext context)
      throws IOException {
    return delegate.execute(target, request, context);
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }

  @Override
  @Deprecated
  @SuppressWarnings("deprecation")
  public HttpParams getParams() {
    return delegate.getParams();
  }

  @Override
  @Deprecated
  @SuppressWarnings("deprecation")
  public ClientConnectionManager getConnectionManager() {
    return delegate.getConnectionManager();
  }
}
