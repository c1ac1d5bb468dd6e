package io.meshclient.spring.boot.client;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.AbstractClientHttpRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A reactive request turned into one OkHttp {@link Request}. A single-buffer body ({@code bodyValue},
 * written as a {@link Mono}) is joined into bytes, so the mesh may send it again on a failed reused
 * connection; a {@link Flux} body is streamed with backpressure while OkHttp writes it, as a one-shot body
 * the mesh never re-sends. Not thread-safe: WebClient writes it once.
 */
final class OkHttpReactiveRequest extends AbstractClientHttpRequest {
  /** Methods OkHttp refuses without a body; an empty one is sent. */
  private static final Set<String> BODY_REQUIRED = Set.of("POST", "PUT", "PATCH", "PROPPATCH", "REPORT");
  /** Headers OkHttp derives from the body and the connection itself. */
  private static final Set<String> DERIVED = Set.of("content-length", "transfer-encoding", "host", "connection");

  private final HttpMethod method;
  private final URI uri;
  private final Request.Builder request;
  private RequestBody body;

  OkHttpReactiveRequest(HttpMethod method, URI uri) {
    this.method = method;
    this.uri = uri;
    this.request = new Request.Builder().url(uri.toString());
  }

  @Override
  public HttpMethod getMethod() {
    return method;
  }

  @Override
  public URI getURI() {
    return uri;
  }

  @Override
  public DataBufferFactory bufferFactory() {
    return DefaultDataBufferFactory.sharedInstance;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T getNativeRequest() {
    return (T) request;
  }

  @Override
  public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
    return doCommit(() -> {
      if (body instanceof Mono<? extends DataBuffer> single) {
        return single.map(buffer -> {
          byte[] bytes = new byte[buffer.readableByteCount()];
          buffer.read(bytes);
          DataBufferUtils.release(buffer);
          return bytes;
        }).doOnNext(bytes -> this.body = RequestBody.create(bytes, mediaType())).then();
      }
      this.body = new PublisherRequestBody(Flux.from(body), mediaType(), getHeaders().getContentLength());
      return Mono.empty();
    });
  }

  @Override
  public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
    return writeWith(Flux.from(body).concatMap(Flux::from));
  }

  @Override
  public Mono<Void> setComplete() {
    return doCommit();
  }

  @Override
  protected void applyHeaders() {
    getHeaders().forEach((name, values) -> {
      if (!DERIVED.contains(name.toLowerCase(Locale.ROOT))) {
        values.forEach(value -> request.addHeader(name, value));
      }
    });
  }

  @Override
  protected void applyCookies() {
    StringBuilder cookies = new StringBuilder();
    getCookies().values().forEach(list -> list.forEach(cookie -> {
      cookies.append(cookies.isEmpty() ? "" : "; ").append(cookie.getName()).append('=').append(cookie.getValue());
    }));
    if (!cookies.isEmpty()) {
      request.addHeader(HttpHeaders.COOKIE, cookies.toString());
    }
  }

  /** The OkHttp request, once the body has been written (or the request completed without one). */
  Request toOkHttp() {
    RequestBody sent = body;
    if (sent == null && BODY_REQUIRED.contains(method.name())) {
      sent = RequestBody.create(new byte[0], mediaType());
    }
    return request.method(method.name(), sent).build();
  }

  /** Makes a failure of a streamed body's publisher cancel {@code call}, the call that sends this request. */
  void cancelsOnBodyFailure(okhttp3.Call call) {
    if (body instanceof PublisherRequestBody streamed) {
      streamed.cancelsOnFailure(call);
    }
  }

  /** The error a streamed body's publisher ended with while OkHttp wrote it, or null. */
  Throwable bodyFailure() {
    return body instanceof PublisherRequestBody streamed ? streamed.failure() : null;
  }

  private MediaType mediaType() {
    String contentType = getHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
    return contentType == null ? null : MediaType.parse(contentType);
  }
}
