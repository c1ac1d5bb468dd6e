package io.meshclient.core.http;

import io.meshclient.api.RequestContext;
import okhttp3.Request;

/** A {@link RequestContext} reading straight from an OkHttp {@link Request}; the path is computed once. */
final class OkHttpRequestContext implements RequestContext {
  private final Request request;
  private String path;

  OkHttpRequestContext(Request request) {
    this.request = request;
  }

  @Override
  public String method() {
    return request.method();
  }

  @Override
  public String path() {
    String p = path;
    if (p == null) {
      p = request.url().encodedPath();
      path = p;
    }
    return p;
  }

  @Override
  public String header(String name) {
    return request.header(name);
  }

  @Override
  public <T> T attribute(Class<T> key) {
    return request.tag(key);
  }
}
