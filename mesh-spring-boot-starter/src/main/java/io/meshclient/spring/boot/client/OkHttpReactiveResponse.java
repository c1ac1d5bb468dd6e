package io.meshclient.spring.boot.client;

import java.io.IOException;
import java.net.HttpCookie;
import java.nio.channels.Channels;
import okhttp3.Response;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * An OkHttp response as a reactive one. The body is read from OkHttp's stream only as the subscriber
 * asks for buffers (backpressure), on a bounded-elastic thread (never a caller's event loop); it is
 * closed, and the connection released, when the body ends, fails or is cancelled.
 */
final class OkHttpReactiveResponse implements ClientHttpResponse {
  /** Bytes per buffer read from the response. */
  private static final int BUFFER_SIZE = 16 * 1024;

  /** Bodies of known length up to this are read whole on OkHttp's thread, before the response is emitted. */
  static final long READ_AHEAD_LIMIT = 64 * 1024;

  private final Response response;
  private final HttpHeaders headers = new HttpHeaders();
  /** The whole body when it was read ahead; null when it streams. */
  private final byte[] readAhead;

  /**
   * Wraps {@code response}; on OkHttp's callback thread, where blocking is allowed, a body of known length
   * up to {@link #READ_AHEAD_LIMIT} is read whole now (and the connection released), which spares a small
   * response the hop to another thread.
   *
   * @throws IOException if that read fails
   */
  OkHttpReactiveResponse(Response response) throws IOException {
    this.response = response;
    response.headers().forEach(header -> headers.add(header.getFirst(), header.getSecond()));
    long length = response.body().contentLength();
    if (length >= 0 && length <= READ_AHEAD_LIMIT) {
      try (response) {
        readAhead = response.body().bytes();
      }
    } else {
      readAhead = null;
    }
  }

  @Override
  public HttpStatusCode getStatusCode() {
    return HttpStatusCode.valueOf(response.code());
  }

  @Override
  public HttpHeaders getHeaders() {
    return headers;
  }

  @Override
  public MultiValueMap<String, ResponseCookie> getCookies() {
    MultiValueMap<String, ResponseCookie> cookies = new LinkedMultiValueMap<>();
    for (String header : response.headers(HttpHeaders.SET_COOKIE)) {
      try {
        for (HttpCookie cookie : HttpCookie.parse(header)) {
          cookies.add(cookie.getName(), ResponseCookie.from(cookie.getName(), cookie.getValue())
              .domain(cookie.getDomain()).path(cookie.getPath()).maxAge(cookie.getMaxAge())
              .secure(cookie.getSecure()).httpOnly(cookie.isHttpOnly()).build());
        }
      } catch (IllegalArgumentException e) {
        // a malformed Set-Cookie is left out of the parsed cookies; the header itself stays readable
      }
    }
    return cookies;
  }

  @Override
  public Flux<DataBuffer> getBody() {
    if (readAhead != null) {
      return readAhead.length == 0 ? Flux.empty()
          : Flux.defer(() -> Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(readAhead)));
    }
    return DataBufferUtils.readByteChannel(() -> Channels.newChannel(response.body().byteStream()),
            DefaultDataBufferFactory.sharedInstance, BUFFER_SIZE)
        .doFinally(signal -> response.close())
        .subscribeOn(Schedulers.boundedElastic());
  }

  /** Releases the connection without reading the body. */
  void close() {
    response.close();
  }
}
