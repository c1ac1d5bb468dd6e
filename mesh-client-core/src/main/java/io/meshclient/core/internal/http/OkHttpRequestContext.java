package io.meshclient.core.internal.http;

import io.meshclient.api.RequestContext;
import okhttp3.Request;

/**
 * A {@link RequestContext} reading straight from an OkHttp {@link Request}, as routes and balancers see
 * every call through the mesh: headers read from the request, the path computed once. Not thread-safe:
 * one context per request. Extended only by the mesh's own per-call state, which reads the request from
 * its chain rather than keep a second reference to it (its constructor is not public).
 */
public abstract class OkHttpRequestContext implements RequestContext {
  private String path;

  OkHttpRequestContext() {}

  /** The context of {@code request}, for evaluating routes or balancers outside a call. */
  public static OkHttpRequestContext of(Request request) {
    java.util.Objects.requireNonNull(request, "request");
    return new OkHttpRequestContext() {
      @Override
      Request request() {
        return request;
      }
    };
  }

  /** The request as the caller made it. */
  abstract Request request();

  @Override
  public String method() {
    return request().method();
  }

  @Override
  public String path() {
    String p = path;
    if (p == null) {
      p = request().url().encodedPath();
      path = p;
    }
    return p;
  }

  @Override
  public String header(String name) {
    return request().header(name);
  }

  @Override
  public int port() {
    return request().url().port();
  }

  @Override
  public String queryParameter(String name) {
    return request().url().queryParameter(name);
  }

  @Override
  public <T> T attribute(Class<T> key) {
    return request().tag(key);
  }
}
