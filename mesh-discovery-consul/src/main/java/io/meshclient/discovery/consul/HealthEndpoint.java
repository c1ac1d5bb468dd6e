package io.meshclient.discovery.consul;

import com.ecwid.consul.UrlParameters;
import com.ecwid.consul.transport.HttpResponse;
import com.ecwid.consul.transport.TransportException;
import com.ecwid.consul.v1.ConsulRawClient;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.api.spi.SettingValues;
import io.meshclient.discovery.consul.ConsulWatchListener.Failure;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import java.time.Duration;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.conn.ConnectTimeoutException;
import org.apache.http.conn.ConnectionPoolTimeoutException;
import org.apache.http.util.EntityUtils;

/**
 * The agent's HTTP API through consul-api's raw client: {@code /v1/health/service/<name>?passing}
 * asked without blocking, blocking queries of the change feeds, and a liveness probe. consul-api is
 * given no token (it would put it in the URL); the HTTP client adds it as a header. Thread-safe.
 */
final class HealthEndpoint implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(HealthEndpoint.class.getPackageName());

  /** One answer: its index and the passing instances, sorted by id. */
  record Answer(long index, List<ServiceInstance> instances) {}

  /** An answer as it came: {@code X-Consul-Index} and the body. */
  record Raw(long index, String content) {}

  /** What the liveness probe asks: cheap, answered by the agent itself (no blocking). */
  static final String PROBE_PATH = "/v1/status/leader";
  /** Connect and read timeout of the liveness probe. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
  /**
   * The largest answer read, in bytes: far above what a health query of one service or the checks of a
   * large datacenter return, far below what would strain a client's heap.
   */
  static final int MAX_ANSWER_BYTES = 64 << 20;

  private final ConsulDiscoverySettings settings;
  private final AbortableHttpClient httpClient;
  private final ConsulRawClient consul;
  private final HealthResponseParser parser = new HealthResponseParser();
  private final String baseUrl;

  HealthEndpoint(ConsulDiscoverySettings settings, SSLContext sslContext) {
    this.settings = settings;
    this.httpClient = new AbortableHttpClient(AgentHttpClients.create(settings, sslContext), MAX_ANSWER_BYTES,
        settings.readTimeout());
    URI url = settings.url();
    int port = url.getPort() != -1 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    String path = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("^/+|/+$", "");
    this.consul = new ConsulRawClient(httpClient, url.getScheme() + "://" + url.getHost(), port, path);
    this.baseUrl = url.getScheme() + "://" + url.getRawAuthority() + (path.isEmpty() ? "" : "/" + path);
  }

  /**
   * Asks, without blocking, for the passing instances of {@code service}.
   *
   * @throws ConsulUnavailableException if there is no usable answer
   */
  Answer fetch(String service) throws ConsulUnavailableException {
    String what = "Consul health query for '" + service + "'";
    Raw raw = get(what, "/v1/health/service/" + pathSegment(service), serviceQuery());
    HealthResponseParser.Parsed parsed;
    try {
      parsed = parser.parseAll(service, raw.content());
    } catch (HealthResponseParser.NoUsableEntry e) {
      throw new ConsulUnavailableException(Failure.MALFORMED_RESPONSE, what + " answered " + e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      throw new ConsulUnavailableException(
          Failure.MALFORMED_RESPONSE, what + " answered unreadable JSON: " + e.getOriginalMessage(), e);
    } catch (RuntimeException e) {
      // An entry no instance can be made of must not end a fetch thread.
      throw new ConsulUnavailableException(
          Failure.MALFORMED_RESPONSE, what + " answered an unusable entry: " + e.getMessage(), e);
    }
    if (!parsed.unusable().isEmpty()) {
      LOG.log(Level.WARNING, "{0} answered {1} unusable entries, left out: {2}", what, parsed.unusable().size(),
          HealthResponseParser.summary(parsed.unusable()));
    }
    return new Answer(raw.index(), parsed.instances());
  }

  /**
   * A blocking query of {@code path} (such as {@code /v1/health/state/any}): held until the index
   * moves past {@code index} or {@code wait} elapses (index 0 answers at once).
   */
  Raw block(String path, String filter, long index) throws ConsulUnavailableException {
    List<String> params = new ArrayList<>();
    if (filter != null) {
      params.add("filter=" + pathSegment(filter));
    }
    params.add("index=" + Long.toUnsignedString(index));
    params.add("wait=" + SettingValues.formatDuration(settings.waitTime()));
    addScope(params, false);
    return get("Consul query " + path, path, frozen(params));
  }

  /** {@code path} asked without blocking, such as {@code /v1/health/state/any}. */
  Raw read(String path) throws ConsulUnavailableException {
    List<String> params = new ArrayList<>();
    addScope(params, false);
    return get("Consul query " + path, path, frozen(params));
  }

  /**
   * Asks the agent for its leader with short timeouts ({@link #PROBE_TIMEOUT}): a held blocking query
   * cannot tell a quiet agent from a lost one, this can.
   */
  void probe() throws ConsulUnavailableException {
    String what = "Consul liveness probe " + PROBE_PATH;
    HttpGet get = new HttpGet(baseUrl + PROBE_PATH);
    int millis = (int) PROBE_TIMEOUT.toMillis();
    get.setConfig(RequestConfig.custom().setConnectTimeout(millis).setConnectionRequestTimeout(millis)
        .setSocketTimeout(millis).setRedirectsEnabled(false).build());
    int status;
    try {
      status = httpClient.execute(get, response -> {
        EntityUtils.consumeQuietly(response.getEntity());
        return response.getStatusLine().getStatusCode();
      });
    } catch (IOException | RuntimeException e) {
      throw new ConsulUnavailableException(classify(e), what + " failed: " + describe(e), e);
    }
    if (status != 200) {
      throw new ConsulUnavailableException(Failure.HTTP_STATUS, what + " answered HTTP " + status, null);
    }
  }

  private Raw get(String what, String path, List<UrlParameters> query) throws ConsulUnavailableException {
    HttpResponse response;
    try {
      response = consul.makeGetRequest(path, query);
    } catch (TransportException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new ConsulUnavailableException(classify(cause), what + " failed: " + describe(cause), cause);
    } catch (RuntimeException e) {
      throw new ConsulUnavailableException(Failure.IO, what + " failed: " + describe(e), e);
    }
    if (response.getStatusCode() != 200) {
      throw new ConsulUnavailableException(Failure.HTTP_STATUS, what + " answered HTTP "
          + response.getStatusCode() + " " + response.getStatusMessage() + reason(response.getContent()), null);
    }
    if (response.getConsulIndex() == null) {
      throw new ConsulUnavailableException(
          Failure.MALFORMED_RESPONSE, what + " answered without an X-Consul-Index header", null);
    }
    return new Raw(response.getConsulIndex(), response.getContent());
  }

  /**
   * The agent's reason for an error status, such as {@code ACL not found} or {@code Permission denied:
   * token with AccessorID '...' lacks permission 'service:read'}: its first line, at most 200 characters,
   * with the ACL token masked should anything echo it. Empty if there is none.
   */
  private String reason(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    String line = body.strip().lines().findFirst().orElse("");
    if (!settings.aclToken().isEmpty()) {
      line = line.replace(settings.aclToken(), "<redacted>");
    }
    return ": " + (line.length() <= 200 ? line : line.substring(0, 197) + "...");
  }

  /** Aborts every request in flight now (later ones run as usual). */
  void abortInFlight() {
    httpClient.abortInFlight();
  }

  /** Aborts the query {@code thread} is running, and those it starts later (see {@link #forget}). */
  void cancel(Thread thread) {
    httpClient.cancel(thread);
  }

  /** Forgets {@code thread}, which runs no more queries. */
  void forget(Thread thread) {
    httpClient.forget(thread);
  }

  /** Closes every connection, in-flight queries included. */
  @Override
  public void close() {
    try {
      httpClient.close();
    } catch (IOException ignored) {
      // Closing sockets we are abandoning: nothing to do about a failure.
    }
  }

  private List<UrlParameters> serviceQuery() {
    List<String> params = new ArrayList<>();
    params.add("passing");
    addScope(params, true);
    return frozen(params);
  }

  private void addScope(List<String> params, boolean withTag) {
    if (!settings.datacenter().isEmpty()) {
      params.add("dc=" + encode(settings.datacenter()));
    }
    if (settings.stale()) {
      params.add("stale");
    }
    if (withTag && !settings.tag().isEmpty()) {
      params.add("tag=" + encode(settings.tag()));
    }
  }

  private static List<UrlParameters> frozen(List<String> params) {
    List<String> frozen = List.copyOf(params);
    return List.of(() -> frozen);
  }

  private static Failure classify(Throwable cause) {
    if (cause instanceof MalformedAnswerException) {
      return Failure.MALFORMED_RESPONSE;
    }
    if (cause instanceof ConnectTimeoutException || cause instanceof SocketTimeoutException) {
      return Failure.TIMEOUT;
    }
    if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
        || cause instanceof UnknownHostException) {
      return Failure.CONNECT;
    }
    return Failure.IO;
  }

  /**
   * The cause in words. httpclient's pool timeout ({@code ConnectionPoolTimeoutException}) and its
   * connect timeout are {@link InterruptedIOException}s too, but nothing was interrupted: only a plain
   * {@code InterruptedIOException} (an aborted request) reads "interrupted".
   */
  static String describe(Throwable cause) {
    String message = cause.getMessage();
    String type;
    if (cause instanceof ConnectionPoolTimeoutException) {
      type = "no free connection to the agent within " + ConsulDiscoverySettings.CONNECT_TIMEOUT.toSeconds()
          + "s (pool of " + AgentHttpClients.MAX_CONNECTIONS + ")";
      return type;
    }
    if (cause instanceof MalformedAnswerException) {
      return message;
    }
    type = cause.getClass() == InterruptedIOException.class ? "interrupted" : cause.getClass().getSimpleName();
    return message == null ? type : type + ": " + message;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** Percent-encodes everything but RFC 3986's unreserved characters. */
  static String pathSegment(String value) {
    return encode(value).replace("+", "%20");
  }
}
