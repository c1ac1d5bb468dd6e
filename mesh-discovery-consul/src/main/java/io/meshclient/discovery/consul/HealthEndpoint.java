package io.meshclient.discovery.consul;

import io.meshclient.api.spi.SettingValues;
import com.ecwid.consul.UrlParameters;
import com.ecwid.consul.transport.HttpResponse;
import com.ecwid.consul.transport.TransportException;
import com.ecwid.consul.v1.ConsulRawClient;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.meshclient.api.ServiceInstance;
import io.meshclient.discovery.consul.ConsulWatchListener.Failure;
import java.io.IOException;
import java.io.InterruptedIOException;
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
import org.apache.http.conn.ConnectTimeoutException;

/**
 * Consul's {@code /v1/health/service/<name>?passing} through consul-api's raw client: one blocking query
 * at a time per calling thread. consul-api is given no token (it would put it in the URL); the HTTP
 * client adds it as a header. Thread-safe.
 */
final class HealthEndpoint implements AutoCloseable {

  /** One answer: the index to block on next time and the passing instances, sorted by id. */
  record Answer(long index, List<ServiceInstance> instances) {}

  private final ConsulDiscoverySettings settings;
  private final AbortableHttpClient httpClient;
  private final ConsulRawClient consul;
  private final HealthResponseParser parser = new HealthResponseParser();

  HealthEndpoint(ConsulDiscoverySettings settings, SSLContext sslContext) {
    this.settings = settings;
    this.httpClient = new AbortableHttpClient(AgentHttpClients.create(settings, sslContext));
    URI url = settings.url();
    int port = url.getPort() != -1 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    String path = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("^/+|/+$", "");
    this.consul = new ConsulRawClient(httpClient, url.getScheme() + "://" + url.getHost(), port, path);
  }

  /**
   * Asks for the passing instances of {@code service}, blocking until the index moves past {@code
   * index} or {@code wait} elapses (index 0 answers at once).
   *
   * @throws ConsulUnavailableException if there is no usable answer
   */
  Answer fetch(String service, long index) throws ConsulUnavailableException {
    String what = "Consul health query for '" + service + "'";
    HttpResponse response;
    try {
      response = consul.makeGetRequest("/v1/health/service/" + pathSegment(service), query(index));
    } catch (TransportException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new ConsulUnavailableException(classify(cause), what + " failed: " + describe(cause), cause);
    } catch (RuntimeException e) {
      throw new ConsulUnavailableException(Failure.IO, what + " failed: " + describe(e), e);
    }
    if (response.getStatusCode() != 200) {
      throw new ConsulUnavailableException(Failure.HTTP_STATUS, what + " answered HTTP "
          + response.getStatusCode() + " " + response.getStatusMessage(), null);
    }
    if (response.getConsulIndex() == null) {
      throw new ConsulUnavailableException(
          Failure.MALFORMED_RESPONSE, what + " answered without an X-Consul-Index header", null);
    }
    try {
      return new Answer(response.getConsulIndex(), parser.parse(service, response.getContent()));
    } catch (JsonProcessingException e) {
      throw new ConsulUnavailableException(
          Failure.MALFORMED_RESPONSE, what + " answered unreadable JSON: " + e.getOriginalMessage(), e);
    } catch (RuntimeException e) {
      // An entry no instance can be made of must not end the watch thread.
      throw new ConsulUnavailableException(
          Failure.MALFORMED_RESPONSE, what + " answered an unusable entry: " + e.getMessage(), e);
    }
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

  private List<UrlParameters> query(long index) {
    List<String> params = new ArrayList<>();
    params.add("passing");
    params.add("index=" + Long.toUnsignedString(index));
    params.add("wait=" + SettingValues.formatDuration(settings.waitTime()));
    if (!settings.datacenter().isEmpty()) {
      params.add("dc=" + encode(settings.datacenter()));
    }
    if (settings.stale()) {
      params.add("stale");
    }
    if (!settings.tag().isEmpty()) {
      params.add("tag=" + encode(settings.tag()));
    }
    List<String> frozen = List.copyOf(params);
    return List.of(() -> frozen);
  }

  private static Failure classify(Throwable cause) {
    if (cause instanceof ConnectTimeoutException || cause instanceof SocketTimeoutException) {
      return Failure.TIMEOUT;
    }
    if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
        || cause instanceof UnknownHostException) {
      return Failure.CONNECT;
    }
    return Failure.IO;
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    String type = cause instanceof InterruptedIOException ? "interrupted" : cause.getClass().getSimpleName();
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
