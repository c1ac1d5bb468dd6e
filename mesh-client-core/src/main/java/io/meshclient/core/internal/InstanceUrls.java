package io.meshclient.core.internal;

import io.meshclient.api.ServiceInstance;
import java.net.ConnectException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import okhttp3.HttpUrl;

/**
 * Rewrites request URLs to one instance cheaply. The instance's scheme, host and port are canonicalised
 * once, into a base URL (OkHttp's {@code HttpUrl.Builder.host} runs IDNA on every call, even for an IP);
 * a small direct-mapped cache keyed by the request URL's text then turns a repeated URL into a lookup
 * with no allocation. Entries are immutable, so racing writers only ever lose a cache slot. Thread-safe.
 *
 * <p>The base URL is made on the first rewrite, not when the instance is discovered: building the mesh
 * then loads none of OkHttp's URL code (about 30 ms of CPU on a cold JVM, IDNA tables included), which
 * matters to an application's start-up. Racing first calls may both build it; they build equal URLs.
 */
final class InstanceUrls {
  private static final int SLOTS = 256;

  private final ServiceInstance instance;
  private final boolean tls;
  /** Made on first use; HttpUrl is immutable (final fields), so a racy publication is safe. */
  private HttpUrl base;
  private final AtomicReferenceArray<Entry> cache = new AtomicReferenceArray<>(SLOTS);

  InstanceUrls(ServiceInstance instance, boolean tls) {
    this.instance = instance;
    this.tls = tls;
  }

  /**
   * @throws ConnectException if the instance's host is not one a URL can name (a discovery may report
   *     anything): the instance cannot be reached, and the call treats it as a connect failure
   */
  private HttpUrl base() throws ConnectException {
    HttpUrl b = base;
    if (b == null) {
      try {
        b = new HttpUrl.Builder()
            .scheme(tls || instance.secure() ? "https" : "http")
            .host(instance.host())
            .port(instance.port())
            .build();
      } catch (IllegalArgumentException e) {
        ConnectException unreachable = new ConnectException("instance " + instance.id() + " of service "
            + instance.service() + ": host '" + instance.host() + "' cannot be put in a URL (" + e.getMessage() + ")");
        unreachable.initCause(e);
        throw unreachable;
      }
      base = b;
    }
    return b;
  }

  /**
   * {@code url} with the instance's scheme, host and port.
   *
   * @throws ConnectException if the instance's host cannot be put in a URL
   */
  HttpUrl rewrite(HttpUrl url) throws ConnectException {
    String key = url.toString();
    int slot = key.hashCode() & (SLOTS - 1);
    Entry e = cache.get(slot);
    if (e != null && e.key.equals(key)) {
      return e.url;
    }
    HttpUrl.Builder builder = base().newBuilder().encodedPath(url.encodedPath());
    String query = url.encodedQuery();
    if (query != null) {
      builder.encodedQuery(query);
    }
    String fragment = url.encodedFragment();
    if (fragment != null) {
      builder.encodedFragment(fragment);
    }
    HttpUrl rewritten = builder.build();
    cache.set(slot, new Entry(key, rewritten));
    return rewritten;
  }

  private record Entry(String key, HttpUrl url) {}
}
