package io.meshclient.core;

import io.meshclient.core.config.ConnectionPoolConfig;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.internal.MeshRuntime;
import io.meshclient.core.internal.http.MeshInterceptor;
import io.meshclient.core.internal.security.AllowListDns;
import io.meshclient.core.internal.tls.MeshSslSocketFactory;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;

/** Assembles the OkHttpClient a {@link Mesh} hands out, on the mesh's first {@link Mesh#httpClient()}. */
final class MeshHttpClient {
  /** How long {@link #shutDown} waits for cancelled calls to end before closing the pooled connections. */
  private static final Duration CANCELLED_CALLS_WAIT = Duration.ofSeconds(1);

  private MeshHttpClient() {}

  /** What the mesh's OkHttpClient is built from, taken from the builder when the mesh is built. */
  record Settings(MeshConfig config, List<Interceptor> interceptors, MeshListener listener,
      CallListener.Factory callListeners, ObservationRegistry observations, Ticker ticker, RandomGenerator random,
      Sleeper sleeper) {}

  /**
   * The mesh's client: {@code base}'s settings with the mesh's dispatcher, pool, timeouts, TLS, DNS
   * allow-list, interceptor and connection-reuse network interceptor.
   */
  static OkHttpClient build(Settings b, OkHttpClient base, MeshRuntime runtime,
      MeshSslSocketFactory tlsSockets, AllowListDns dns) {
    ConnectionPoolConfig pool = b.config().defaults().connectionPool();
    int hosts = Math.max(16, runtime.services().values().stream().mapToInt(s -> s.instances().size()).sum());
    Dispatcher dispatcher = new Dispatcher(new DispatcherExecutor());
    dispatcher.setMaxRequestsPerHost(pool.maxRequestsPerHost());
    dispatcher.setMaxRequests(Math.max(64, pool.maxRequestsPerHost() * 16));
    Duration connectTimeout = b.config().defaults().connectTimeout();
    Duration timeout = b.config().defaults().timeout();
    OkHttpClient.Builder builder = base.newBuilder()
        .sslSocketFactory(tlsSockets, base.x509TrustManager() != null ? base.x509TrustManager()
            : io.meshclient.core.internal.tls.PlatformTrust.defaultTrustManager());
    if (base.socketFactory() == javax.net.SocketFactory.getDefault()) {
      // A base client's own socket factory is kept as it is; its TLS handshakes get the read timeout, as in OkHttp.
      builder.socketFactory(new io.meshclient.core.internal.tls.ConnectTimedSocketFactory());
    }
    b.interceptors().forEach(builder::addInterceptor);
    if (b.observations() != null) {
      builder.eventListenerFactory(MeshInterceptor.callerCapture(base.eventListenerFactory(), b.observations()));
    }
    return builder
        .hostnameVerifier(tlsSockets.hostnameVerifier())
        .dns(dns)
        .retryOnConnectionFailure(false)
        .dispatcher(dispatcher)
        .connectionPool(new ConnectionPool((int) Math.min(Integer.MAX_VALUE, (long) pool.maxIdlePerHost() * hosts),
            pool.keepAlive().toMillis(), TimeUnit.MILLISECONDS))
        .connectTimeout(connectTimeout)
        .readTimeout(timeout)
        .writeTimeout(timeout)
        .addNetworkInterceptor(MeshInterceptor.connectionReuse())
        .addInterceptor(new MeshInterceptor(runtime, b.listener(), b.callListeners(), b.observations(), b.ticker(),
            b.random(), b.sleeper()))
        .build();
  }

  /**
   * The problems of a configuration whose {@code mesh.defaults.connection-pool} differs from {@code built}, the one
   * the mesh's client was made with, one per changed key; none when it is the same. OkHttp's pool and dispatcher
   * are sized once, so a reload that changed them was accepted and did nothing: it is refused.
   */
  static List<String> poolChanges(ConnectionPoolConfig built, ConnectionPoolConfig next) {
    List<String> problems = new java.util.ArrayList<>();
    String key = MeshConfig.PREFIX + ".defaults.connection-pool.";
    String why = ", as the mesh was built: its connection pool and dispatcher are made once; build a new mesh to "
        + "change them";
    if (next.maxIdlePerHost() != built.maxIdlePerHost()) {
      problems.add(io.meshclient.api.ConfigurationException.problem(key + "max-idle-per-host", next.maxIdlePerHost(),
          built.maxIdlePerHost() + why));
    }
    if (next.maxRequestsPerHost() != built.maxRequestsPerHost()) {
      problems.add(io.meshclient.api.ConfigurationException.problem(key + "max-requests-per-host",
          next.maxRequestsPerHost(), built.maxRequestsPerHost() + why));
    }
    if (!next.keepAlive().equals(built.keepAlive())) {
      problems.add(io.meshclient.api.ConfigurationException.problem(key + "keep-alive",
          io.meshclient.api.spi.SettingValues.formatDuration(next.keepAlive()),
          io.meshclient.api.spi.SettingValues.formatDuration(built.keepAlive()) + why));
    }
    return problems;
  }

  /**
   * Lets the calls running on {@code client} finish for at most {@code grace}, cancels the rest (waiting up to
   * a second for them to end), stops the dispatcher's threads and closes pooled connections.
   */
  static void shutDown(OkHttpClient client, Duration grace) {
    Dispatcher dispatcher = client.dispatcher();
    awaitNoRunningCalls(dispatcher, System.nanoTime() + grace.toNanos());
    dispatcher.cancelAll();
    // A cancelled HTTP/2 call resets its stream only: its connection returns to the pool as its call ends, and
    // would stay open there until the keep-alive ran out had it not ended before the eviction.
    awaitNoRunningCalls(dispatcher, System.nanoTime() + CANCELLED_CALLS_WAIT.toNanos());
    dispatcher.executorService().shutdown();
    client.connectionPool().evictAll();
  }

  private static void awaitNoRunningCalls(Dispatcher dispatcher, long deadline) {
    while (dispatcher.runningCallsCount() > 0 && System.nanoTime() - deadline < 0) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
