package io.meshclient.discovery.consul;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.client.ResponseHandler;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.Configurable;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.conn.ClientConnectionManager;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.params.HttpParams;
import org.apache.http.protocol.HttpContext;

/**
 * An HTTP client that can abort the request a given thread is executing. consul-api builds each
 * request itself and never shows it; this client sees it go by, so that closing one watch can cut its
 * blocking query short instead of waiting up to {@code wait} for the agent to answer.
 *
 * <p>It also checks each answer before consul-api reads it: the body is read within {@code maxBytes} and
 * within the request's socket timeout (or {@code budget}) from the request's start (see
 * {@link BoundedEntity}), and an {@code X-Consul-Index} that is not an unsigned number is refused as a
 * {@link MalformedAnswerException} (consul-api would throw a bare {@link NumberFormatException}).
 */
final class AbortableHttpClient extends CloseableHttpClient {
  static final String INDEX_HEADER = "X-Consul-Index";

  private final CloseableHttpClient delegate;
  private final long maxBytes;
  private final Duration budget;
  private final Map<Thread, HttpRequestBase> inFlight = new ConcurrentHashMap<>();
  private final Set<Thread> cancelled = ConcurrentHashMap.newKeySet();

  AbortableHttpClient(CloseableHttpClient delegate, long maxBytes, Duration budget) {
    this.delegate = delegate;
    this.maxBytes = maxBytes;
    this.budget = budget;
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
    long start = System.nanoTime();
    CloseableHttpResponse response = delegate.execute(target, request, context);
    try {
      Header index = response.getFirstHeader(INDEX_HEADER);
      if (index != null) {
        try {
          Long.parseUnsignedLong(index.getValue().trim());
        } catch (NumberFormatException e) {
          String value = index.getValue();
          throw new MalformedAnswerException(INDEX_HEADER + " '" + (value.length() <= 40 ? value
              : value.substring(0, 37) + "...") + "' (expected: an unsigned 64-bit number)");
        }
      }
      if (response.getEntity() != null) {
        response.setEntity(new BoundedEntity(response.getEntity(), maxBytes, start, budgetOf(request)));
      }
      return response;
    } catch (IOException | RuntimeException e) {
      response.close(); // not reused: the rest of the answer is never read
      throw e;
    }
  }

  /** The request's own socket timeout (the liveness probe sets one), else {@link #budget}. */
  private Duration budgetOf(HttpRequest request) {
    if (request instanceof Configurable configurable && configurable.getConfig() != null
        && configurable.getConfig().getSocketTimeout() > 0) {
      return Duration.ofMillis(configurable.getConfig().getSocketTimeout());
    }
    return budget;
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
