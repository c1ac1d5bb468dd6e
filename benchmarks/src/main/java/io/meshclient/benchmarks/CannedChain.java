package io.meshclient.benchmarks;

import java.net.Proxy;
import java.net.ProxySelector;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Authenticator;
import okhttp3.Cache;
import okhttp3.Call;
import okhttp3.CertificatePinner;
import okhttp3.Connection;
import okhttp3.ConnectionPool;
import okhttp3.CookieJar;
import okhttp3.Dns;
import okhttp3.EventListener;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * An {@link Interceptor.Chain} whose {@code proceed} returns a canned response without any I/O, so that
 * an interceptor's own work can be measured. Timeout adjustments return this chain (OkHttp's real chain
 * returns a copy of itself for each one; {@code DecisionBenchmark.okHttpCallThroughMesh} measures that
 * too). Remembers the last request proceeded with, so a benchmark can check where it was routed.
 */
final class CannedChain implements Interceptor.Chain {
  /** Makes the chain's call: never executed, it only carries the per-call tags the mesh keeps on it. */
  private static final okhttp3.OkHttpClient CALLS = new okhttp3.OkHttpClient();
  private final Request request;
  private final Response response;
  private final Call call;
  private Request proceeded;

  CannedChain(Request request, Response response) {
    this.request = request;
    this.response = response;
    this.call = CALLS.newCall(request);
  }

  /** The request last passed to {@link #proceed}, or null. */
  Request proceeded() {
    return proceeded;
  }

  @Override
  public Request request() {
    return request;
  }

  @Override
  public Response proceed(Request next) {
    proceeded = next;
    return response;
  }

  @Override
  public Connection connection() {
    return null;
  }

  @Override
  public Call call() {
    return call;
  }

  @Override
  public int connectTimeoutMillis() {
    return 1_000;
  }

  @Override
  public Interceptor.Chain withConnectTimeout(int timeout, TimeUnit unit) {
    return this;
  }

  @Override
  public int readTimeoutMillis() {
    return 10_000;
  }

  @Override
  public Interceptor.Chain withReadTimeout(int timeout, TimeUnit unit) {
    return this;
  }

  @Override
  public int writeTimeoutMillis() {
    return 10_000;
  }

  @Override
  public Interceptor.Chain withWriteTimeout(int timeout, TimeUnit unit) {
    return this;
  }

  @Override
  public boolean getFollowSslRedirects() {
    return true;
  }

  @Override
  public boolean getFollowRedirects() {
    return true;
  }

  @Override
  public Dns getDns() {
    return Dns.SYSTEM;
  }

  @Override
  public Interceptor.Chain withDns(Dns dns) {
    throw unsupported("withDns");
  }

  @Override
  public SocketFactory getSocketFactory() {
    return SocketFactory.getDefault();
  }

  @Override
  public Interceptor.Chain withSocketFactory(SocketFactory socketFactory) {
    throw unsupported("withSocketFactory");
  }

  @Override
  public boolean getRetryOnConnectionFailure() {
    return false;
  }

  @Override
  public Interceptor.Chain withRetryOnConnectionFailure(boolean retry) {
    throw unsupported("withRetryOnConnectionFailure");
  }

  @Override
  public Authenticator getAuthenticator() {
    return Authenticator.NONE;
  }

  @Override
  public Interceptor.Chain withAuthenticator(Authenticator authenticator) {
    throw unsupported("withAuthenticator");
  }

  @Override
  public CookieJar getCookieJar() {
    return CookieJar.NO_COOKIES;
  }

  @Override
  public Interceptor.Chain withCookieJar(CookieJar cookieJar) {
    throw unsupported("withCookieJar");
  }

  @Override
  public Cache getCache() {
    return null;
  }

  @Override
  public Interceptor.Chain withCache(Cache cache) {
    throw unsupported("withCache");
  }

  @Override
  public Proxy getProxy() {
    return null;
  }

  @Override
  public Interceptor.Chain withProxy(Proxy proxy) {
    throw unsupported("withProxy");
  }

  @Override
  public ProxySelector getProxySelector() {
    return ProxySelector.getDefault();
  }

  @Override
  public Interceptor.Chain withProxySelector(ProxySelector proxySelector) {
    throw unsupported("withProxySelector");
  }

  @Override
  public Authenticator getProxyAuthenticator() {
    return Authenticator.NONE;
  }

  @Override
  public Interceptor.Chain withProxyAuthenticator(Authenticator authenticator) {
    throw unsupported("withProxyAuthenticator");
  }

  @Override
  public SSLSocketFactory getSslSocketFactoryOrNull() {
    return null;
  }

  @Override
  public Interceptor.Chain withSslSocketFactory(SSLSocketFactory factory, X509TrustManager trustManager) {
    throw unsupported("withSslSocketFactory");
  }

  @Override
  public X509TrustManager getX509TrustManagerOrNull() {
    return null;
  }

  @Override
  public HostnameVerifier getHostnameVerifier() {
    return null;
  }

  @Override
  public Interceptor.Chain withHostnameVerifier(HostnameVerifier verifier) {
    throw unsupported("withHostnameVerifier");
  }

  @Override
  public CertificatePinner getCertificatePinner() {
    return CertificatePinner.DEFAULT;
  }

  @Override
  public Interceptor.Chain withCertificatePinner(CertificatePinner pinner) {
    throw unsupported("withCertificatePinner");
  }

  @Override
  public ConnectionPool getConnectionPool() {
    return null;
  }

  @Override
  public Interceptor.Chain withConnectionPool(ConnectionPool pool) {
    throw unsupported("withConnectionPool");
  }

  @Override
  public EventListener getEventListener() {
    return EventListener.NONE;
  }

  private static UnsupportedOperationException unsupported(String method) {
    return new UnsupportedOperationException(method + "(): not supported by the canned chain");
  }
}
