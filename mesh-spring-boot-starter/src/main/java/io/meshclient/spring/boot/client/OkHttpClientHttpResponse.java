package io.meshclient.spring.boot.client;

import java.io.InputStream;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpResponse;

/** An OkHttp {@link Response} seen as a Spring {@link ClientHttpResponse}; closing it frees the connection. */
final class OkHttpClientHttpResponse implements ClientHttpResponse {
  private final Response response;
  private HttpHeaders headers;

  OkHttpClientHttpResponse(Response response) {
    this.response = response;
  }

  @Override
  public HttpStatusCode getStatusCode() {
    return HttpStatusCode.valueOf(response.code());
  }

  @Override
  public String getStatusText() {
    return response.message();
  }

  @Override
  public HttpHeaders getHeaders() {
    HttpHeaders h = headers;
    if (h == null) {
      h = new HttpHeaders();
      for (int i = 0; i < response.headers().size(); i++) {
        h.add(response.headers().name(i), response.headers().value(i));
      }
      headers = h;
    }
    return h;
  }

  @Override
  public InputStream getBody() {
    ResponseBody body = response.body();
    return body.byteStream();
  }

  @Override
  public void close() {
    response.close();
  }
}
