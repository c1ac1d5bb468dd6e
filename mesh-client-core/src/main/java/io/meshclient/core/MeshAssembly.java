package io.meshclient.core;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.internal.MeshRuntime;
import io.meshclient.core.internal.ThreadLocalRandomGenerator;
import io.meshclient.core.internal.security.AllowListDns;
import io.meshclient.core.internal.tls.MeshSslSocketFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;

/**
 * What a {@link Mesh.Builder} collects, and the steps that put a {@link Mesh} together from it: the
 * discoveries' runtime with Istio's resources applied, the client's settings, the watches, and the
 * attachment of the discoveries that supply configuration. Not thread-safe, as the builder.
 */
final class MeshAssembly {
  private static final Duration DEFAULT_CLOSE_GRACE_PERIOD = Duration.ofSeconds(2);
  MeshConfig config = MeshConfig.builder().build();
  final Map<String, ServiceDiscovery> discoveries = new LinkedHashMap<>();
  final List<Interceptor> interceptors = new ArrayList<>();
  OkHttpClient okHttpClient;
  MeterRegistry meterRegistry;
  ObservationRegistry observationRegistry;
  MeshListener listener = MeshListener.NONE;
  final List<CallListener.Factory> callListenerFactories = new java.util.ArrayList<>();
  RateLimiterRegistry rateLimiterRegistry;
  CircuitBreakerRegistry circuitBreakerRegistry;
  Sleeper sleeper = Sleeper.system();
  Ticker ticker = Ticker.system();
  RandomGenerator random = new ThreadLocalRandomGenerator();
  ClassLoader classLoader = defaultClassLoader();
  ConfigFileWatch.Source watched;
  boolean configFileEvents = true;
  Duration closeGracePeriod = DEFAULT_CLOSE_GRACE_PERIOD;
  final List<Path> istioPaths = new ArrayList<>();
  io.meshclient.core.config.IstioOptions istioOptions = io.meshclient.core.config.IstioOptions.DEFAULT;

  /** See {@link Mesh.Builder#closeGracePeriod}. */
  void closeGracePeriod(Duration grace) {
    Objects.requireNonNull(grace, "grace");
    if (grace.isNegative() || grace.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("closeGracePeriod: " + grace + " (expected: 0 to 1 minute)");
    }
    this.closeGracePeriod = grace;
  }

  /** See {@link Mesh.Builder#build()}. */
  Mesh build() {
    // Fail here, naming the version and the fix, rather than with a NoSuchMethodError at the first call.
    io.meshclient.core.internal.OkHttpVersion.requireFive(Mesh.class.getClassLoader());
    Mesh mesh = new Mesh(this);
    try {
      mesh.attachSources();
    } catch (RuntimeException | Error e) {
      mesh.close();
      throw e;
    }
    return mesh;
  }

  /** The Istio files given to {@link Mesh.Builder#istioConfig}, read; null if none. */
  io.meshclient.core.internal.istio.IstioSource istio() {
    return istioPaths.isEmpty() ? null
        : new io.meshclient.core.internal.istio.IstioSource(istioPaths, istioOptions);
  }

  /** Where the configuration below Istio's comes from, for messages. */
  String baseSource() {
    return watched != null ? watched.file().toString() : "the mesh configuration";
  }

  /**
   * The runtime over the discoveries, their watches started, with {@code istio}'s resources applied
   * when it is not null; if they are refused, the runtime and {@code istio} are closed.
   */
  MeshRuntime startRuntime(io.meshclient.core.internal.istio.IstioSource istio, String baseSource,
      MeshRegistries registries, MeshSslSocketFactory tlsSockets, AllowListDns dns) {
    Map<String, ServiceDiscovery> supplied = discoveries;
    MeshConfig first = config;
    if (istio != null) {
      supplied = new LinkedHashMap<>(discoveries);
      supplied.put(io.meshclient.core.internal.istio.ServiceEntryDiscovery.NAME, istio.discovery());
      // discoveries first, so that the Istio hosts can be checked against what they list
      first = new MeshConfig(config.discovery(), config.defaults(), Map.of(), config.unknownHosts());
    }
    MeshRuntime runtime = new MeshRuntime(first, supplied, classLoader, ticker, registries.limiters(),
        registries.breakers(), registries.resilienceMeters(), registries.listener(), tlsSockets, dns, meterRegistry);
    if (istio != null) {
      runtime.callableByClusterNames(istioOptions.namespace(), istioOptions.domain());
      try {
        istio.apply(istio.read(), config, baseSource, runtime.listedServices(), runtime::apply);
      } catch (RuntimeException | Error e) {
        runtime.close();
        istio.close();
        throw e;
      }
    }
    return runtime;
  }

  /** What the mesh's OkHttpClient is built from, with {@code listener}, the one the registries give. */
  MeshHttpClient.Settings clientSettings(MeshListener listener) {
    return new MeshHttpClient.Settings(config, List.copyOf(interceptors), listener,
        callListenerFactories.isEmpty() ? null : CallListener.Factory.of(List.copyOf(callListenerFactories)),
        observationRegistry, ticker, random, sleeper);
  }

  /**
   * Starts the watch of the configuration file, if one was given, and of {@code istio}'s files, if not
   * null; if either fails, the other, {@code runtime} and {@code istio} are closed.
   *
   * @return the configuration file's watch; null if none
   */
  ConfigFileWatch startWatches(MeshRuntime runtime, io.meshclient.core.internal.istio.IstioSource istio,
      MeshReloads reloads) {
    ConfigFileWatch configWatch = null;
    try {
      // given the runtime and the reloads, both built: the mesh is not yet, its constructor has not returned
      configWatch = watched == null ? null
          : ConfigFileWatch.start(watched, runtime::config, reloads::reload, configFileEvents);
      if (istio != null) {
        istio.watch(reloads::onIstioFiles);
      }
      return configWatch;
    } catch (RuntimeException | Error e) {
      if (configWatch != null) {
        configWatch.close(); // its thread runs: this mesh never will
      }
      runtime.close(); // the discoveries' watches have started
      if (istio != null) {
        istio.close();
      }
      throw e;
    }
  }

  private static ClassLoader defaultClassLoader() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return loader != null ? loader : Mesh.class.getClassLoader();
  }
}
