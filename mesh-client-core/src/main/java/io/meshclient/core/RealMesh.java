package io.meshclient.core;

import io.meshclient.core.internal.Lazy;
import io.meshclient.core.internal.MeshRuntime;
import io.meshclient.core.internal.istio.IstioSource;
import io.meshclient.core.internal.security.AllowListDns;
import io.meshclient.core.internal.tls.MeshSslSocketFactory;
import java.time.Duration;
import okhttp3.Dns;
import okhttp3.OkHttpClient;

/**
 * What a {@link Mesh} owns, as OkHttp's {@code RealConnectionPool} is to its {@code ConnectionPool}: the
 * runtime over the discoveries, the client, the registries and meters, the watches and the reloads. Put
 * together by the constructor, each step closing what it started if it fails and the meters removed if
 * any does (a refused build leaves nothing behind); released by {@link #close()} in order. Thread-safe.
 */
final class RealMesh {
  private final MeshRuntime runtime;
  /** Built on the first {@link #httpClient()}. */
  private final Lazy<OkHttpClient> client;
  /** The rate limiter and circuit breaker registries, the meters and the listener. */
  private final MeshRegistries registries;
  /** Watches the configuration file given to {@link Mesh.Builder#watchConfigFile}; null if none. */
  private final ConfigFileWatch configWatch;
  private final Duration closeGracePeriod;
  /** The Istio files given to {@link Mesh.Builder#istioConfig}; null if none. */
  private final IstioSource istio;
  /** The application's configuration, the layers over it and Istio's resources, composed. */
  private final MeshReloads reloads;
  private volatile boolean closed;
  /** The discoveries {@link #attachSources attached} to the mesh, and the mesh: {@link #close()} detaches them. */
  private final java.util.List<AttachableDiscovery> attached = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Mesh mesh;
  /** Held by {@link #close()}: a close from another thread meanwhile returns once the first has finished. */
  private final Object closing = new Object();

  /** Puts {@code mesh}'s parts together from what the builder collected. */
  RealMesh(MeshAssembly b, Mesh mesh) {
    this.mesh = mesh;
    this.registries = MeshRegistries.of(b.rateLimiterRegistry, b.circuitBreakerRegistry, b.meterRegistry, b.listener);
    MeshListener listener = registries.listener();
    this.closeGracePeriod = b.closeGracePeriod;
    // OkHttp's classes, and the platform's trust store a default client loads, are loaded when the
    // client is first asked for, not here: a Spring application gets it built after start-up.
    OkHttpClient userBase = b.okHttpClient;
    MeshSslSocketFactory tlsSockets = new MeshSslSocketFactory();
    AllowListDns dns = new AllowListDns(userBase != null ? userBase.dns() : Dns.SYSTEM);
    this.istio = b.istio();
    String baseSource = b.baseSource();
    try { // each step closes what it started if it fails; the meters are this constructor's to remove
      this.runtime = b.startRuntime(istio, baseSource, registries, tlsSockets, dns);
      MeshHttpClient.Settings settings = b.clientSettings(listener);
      this.client = new Lazy<>(() -> {
        OkHttpClient base = userBase != null ? userBase : new OkHttpClient();
        tlsSockets.fallback(base.sslSocketFactory(), base.hostnameVerifier());
        OkHttpClient built = MeshHttpClient.build(settings, base, runtime, tlsSockets, dns);
        if (closed) {
          built.dispatcher().executorService().shutdown(); // a closed mesh's client has no threads
        }
        return built;
      });
      this.reloads = new MeshReloads(runtime, listener, istio, b.config, baseSource);
      this.configWatch = b.startWatches(runtime, istio, reloads);
    } catch (RuntimeException | Error e) {
      if (registries.metrics() != null) {
        registries.metrics().close(); // refused: this mesh never was, its meters neither
      }
      throw e;
    }
  }

  MeshRuntime runtime() {
    return runtime;
  }

  /** See {@link Mesh#httpClient()}. */
  OkHttpClient httpClient() {
    return client.get();
  }

  /** The client if it has been built; null if not. */
  OkHttpClient httpClientIfMade() {
    return client.ifMade();
  }

  MeshRegistries registries() {
    return registries;
  }

  IstioSource istio() {
    return istio;
  }

  /** The reloads, once the mesh is checked open. */
  MeshReloads reloads() {
    if (closed) {
      throw new IllegalStateException("mesh is closed");
    }
    return reloads;
  }

  /** Attaches each discovery in use that also supplies configuration to the mesh, once, as it is built. */
  void attachSources() {
    for (io.meshclient.api.ServiceDiscovery d : runtime.discoveries()) {
      if (d instanceof AttachableDiscovery source) {
        attached.add(source);
        source.attach(mesh);
      }
    }
  }

  /**
   * See {@link Mesh#close()}: the watches of the configuration first (a reload under way finishes on an open
   * mesh), then the runtime, so that new calls are refused, then the client, given the grace period, and
   * the meters. Serialized: a second caller returns once the first has finished.
   */
  void close() {
    synchronized (closing) {
      if (closed) {
        return;
      }
      if (configWatch != null) {
        configWatch.close(); // first: a reload under way finishes on an open mesh
      }
      if (istio != null) {
        istio.close();
      }
      reloads.close();
      for (AttachableDiscovery source : attached) { // theirs to close: they only stop applying to this mesh
        try {
          source.detach(mesh);
        } catch (RuntimeException e) {
          System.getLogger(Mesh.class.getName()).log(System.Logger.Level.WARNING, "Closing the mesh: detaching "
              + source + " failed: " + e);
        }
      }
      closed = true;
      runtime.close(); // from here the mesh interceptor refuses new calls
      OkHttpClient c = client.ifMade(); // a client being built now sees closed and shuts itself down
      if (c != null) {
        MeshHttpClient.shutDown(c, closeGracePeriod);
      }
      if (registries.metrics() != null) {
        registries.metrics().close();
      }
    }
  }
}
