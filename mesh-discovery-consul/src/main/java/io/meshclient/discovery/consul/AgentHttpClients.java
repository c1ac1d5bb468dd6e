package io.meshclient.discovery.consul;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.apache.http.Header;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.config.ConnectionConfig;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.conn.HttpConnectionFactory;
import org.apache.http.conn.ManagedHttpClientConnection;
import org.apache.http.conn.routing.HttpRoute;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.DefaultHttpResponseParserFactory;
import org.apache.http.impl.conn.DefaultManagedHttpClientConnection;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.impl.io.DefaultHttpRequestWriterFactory;
import org.apache.http.message.BasicHeader;

/**
 * Builds the Apache HTTP client consul-api talks to the agent through, so that the ACL token stays out
 * of URLs and logs:
 *
 * <ul>
 *   <li>The token is a default header of the client ({@code X-Consul-Token}), added below consul-api,
 *       whose TRACE log prints the URI and the headers it set itself: it never sees the token.
 *   <li>Connections never log. httpclient 4.5's default connection factory logs every request header
 *       (logger {@code org.apache.http.headers}) and the raw bytes ({@code org.apache.http.wire}) at
 *       DEBUG; this factory makes plain connections, so no log level reveals the token.
 *   <li>Redirects are not followed: a redirect would carry the token to another host.
 * </ul>
 *
 * The read timeout is {@link ConsulDiscoverySettings#readTimeout()}: consul-api's default of 600 s
 * would let a black-holed agent stall a watch for ten minutes. Retries are off; the watch loop owns them.
 */
final class AgentHttpClients {
  /**
   * Connections per discovery, whatever the number of watched services: each of {@link AgentWatch}'s
   * threads uses at most one at a time, plus one spare. Consul allows 200 per client IP by default
   * ({@code limits.http_max_conns_per_client}).
   */
  static final int MAX_CONNECTIONS = AgentWatch.THREADS + 1;
  static final String TOKEN_HEADER = "X-Consul-Token";

  private AgentHttpClients() {}

  static CloseableHttpClient create(ConsulDiscoverySettings settings, SSLContext sslContext) {
    PoolingHttpClientConnectionManager connections = new PoolingHttpClientConnectionManager(
        RegistryBuilder.<ConnectionSocketFactory>create()
            .register("http", PlainConnectionSocketFactory.getSocketFactory())
            .register("https", new SSLConnectionSocketFactory(sslContext))
            .build(),
        new QuietConnectionFactory());
    connections.setMaxTotal(MAX_CONNECTIONS);
    connections.setDefaultMaxPerRoute(MAX_CONNECTIONS);
    int connectMillis = (int) ConsulDiscoverySettings.CONNECT_TIMEOUT.toMillis();
    RequestConfig requests = RequestConfig.custom()
        .setConnectTimeout(connectMillis)
        .setConnectionRequestTimeout(connectMillis)
        .setSocketTimeout((int) Math.min(Integer.MAX_VALUE, settings.readTimeout().toMillis()))
        .setRedirectsEnabled(false)
        .build();
    List<Header> headers = settings.aclToken().isEmpty()
        ? List.of() : List.of(new BasicHeader(TOKEN_HEADER, settings.aclToken()));
    return HttpClients.custom()
        .setConnectionManager(connections)
        .setDefaultRequestConfig(requests)
        .setDefaultHeaders(headers)
        .disableAutomaticRetries()
        .disableRedirectHandling()
        .disableCookieManagement()
        .disableAuthCaching()
        .setUserAgent("mesh-client-consul")
        .build();
  }

  /** Makes connections that never log headers or wire bytes (see the class comment). */
  private static final class QuietConnectionFactory
      implements HttpConnectionFactory<HttpRoute, ManagedHttpClientConnection> {
    private final AtomicLong ids = new AtomicLong();

    @Override
    public ManagedHttpClientConnection create(HttpRoute route, ConnectionConfig config) {
      ConnectionConfig c = config != null ? config : ConnectionConfig.DEFAULT;
      return new DefaultManagedHttpClientConnection("consul-" + ids.getAndIncrement(), c.getBufferSize(),
          c.getFragmentSizeHint(), null, null, c.getMessageConstraints(), null, null,
          DefaultHttpRequestWriterFactory.INSTANCE, DefaultHttpResponseParserFactory.INSTANCE);
    }
  }
}
