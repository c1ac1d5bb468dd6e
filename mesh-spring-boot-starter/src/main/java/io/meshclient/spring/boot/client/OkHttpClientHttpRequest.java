package io.meshclient.spring.boot.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.List;
import java.util.Set;
import io.meshclient.api.MeshException;
import io.meshclient.spring.boot.MeshRefusedException;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.AbstractClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;

/**
 * One request: headers and a buffered body, sent with one synchronous OkHttp call; a refusal by the mesh
 * is thrown as a {@link MeshRefusedException}. Not thread-safe.
 */
final class OkHttpClientHttpRequest extends AbstractClientHttpRequest {
  /** Methods OkHttp refuses without a body; an empty one is sent. */
  private static final Set<String> BODY_REQUIRED = Set.of("POST", "PUT", "PATCH", "PROPPATCH", "REPORT");
  /** Headers OkHttp derives from the body and the connection itself. */
  private static final Set<String> DERIVED = Set.of("content-length", "transfer-encoding", "host", "connection");

  private final OkHttpClient client;
  private final URI uri;
  private final HttpMethod method;
  private final ByteArrayOutputStream body = new ByteArrayOutputStream(256);

  OkHttpClientHttpRequest(OkHttpClient client, URI uri, HttpMethod method) {
    this.client = client;
    this.uri = uri;
    this.method = method;
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
  protected OutputStream getBodyInternal(HttpHeaders headers) {
    return body;
  }

  @Override
  protected ClientHttpResponse executeInternal(HttpHeaders headers) throws IOException {
    Request.Builder request = new Request.Builder().url(uri.toString());
    headers.forEach((name, values) -> {
      if (!DERIVED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        for (String value : values) {
          request.addHeader(name, value);
        }
      }
    });
    request.method(method.name(), body(headers));
    try {
      return new OkHttpClientHttpResponse(client.newCall(request.build()).execute());
    } catch (MeshException e) {
      MeshRefusedException refused = MeshRefusedException.of(e);
      if (refused != null) {
        throw refused; // by type, not as a ResourceAccessException that retry-on-I/O policies retry
      }
      throw e;
    }
  }

  private RequestBody body(HttpHeaders headers) {
    byte[] bytes = body.toByteArray();
    if (bytes.length == 0 && !BODY_REQUIRED.contains(method.name())) {
      return null;
    }
    List<String> contentType = headers.getValuesAsList(HttpHeaders.CONTENT_TYPE);
    MediaType mediaType = contentType.isEmpty() ? null : MediaType.parse(contentType.get(0));
    return RequestBody.create(bytes, mediaType);
  }
}
