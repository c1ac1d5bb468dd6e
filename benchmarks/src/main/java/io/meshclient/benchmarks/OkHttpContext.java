package io.meshclient.benchmarks;

import io.meshclient.api.RequestContext;
import okhttp3.Request;

/**
 * The same view of an OkHttp request that core's (package-private) {@code OkHttpRequestContext} gives
 * routes and balancers: headers read straight from the request, the path computed once.
 */
final class OkHttpContext implements RequestContext {
  private final Request request;
  private String path;

  OkHttpContext(Request request) {
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
