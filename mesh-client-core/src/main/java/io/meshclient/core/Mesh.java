package io.meshclient.core;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.meshclient.api.DiscoveryStatus;
import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.internal.LaidInstances;
import io.meshclient.core.internal.MeshRuntime;
import io.meshclient.core.internal.ServiceRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;

/**
 * An in-process service mesh: build one, take its {@link #httpClient()}, and call services by name.
 *
 * <pre>{@code
 * try (Mesh mesh = Mesh.builder().config(MeshConfig.load(Path.of("mesh.yaml"))).build()) {
 *   OkHttpClient http = mesh.httpClient();
 *   Response r = http.newCall(new Request.Builder().url("http://reviews/api/reviews/1").build()).execute();
 * }
 * }</pre>
 *
 * <p>Calls to a host that is a mesh service (configured under {@code mesh.services} or listed by a
 * discovery) are routed, admitted, balanced and recorded; calls to any other host pass through
 * untouched. The mesh owns its OkHttpClient's dispatcher, connection pool and discovery watches and
 * releases them on {@link #close()}. Thread-safe.
 */
public final class Mesh implements AutoCloseable {
  /** What the mesh owns: runtime, client, registries, watches; put together and closed in order. */
  private final RealMesh real;

  /** Built by {@link MeshAssembly#build()}, from what the builder collected. */
  Mesh(MeshAssembly b) {
    this.real = new RealMesh(b, this);
  }

  /** A builder with default settings and no services. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A mesh configured from a mesh.yaml or JSON file, using the discovery providers on the classpath.
   * The file is read once; {@link Builder#watchConfigFile} follows its changes.
   */
  public static Mesh fromFile(Path file) {
    return builder().config(MeshConfig.load(file)).build();
  }

  /**
   * The client that sends calls through the mesh. Hand it to OkHttp code, Retrofit or Spring. Derive
   * variants with {@code newBuilder()}: they share the mesh's pool and dispatcher (keep the mesh's network
   * interceptor, or every failure counts as a connect failure). Built on the first call (loading
   * OkHttp's classes then, not when the mesh is built); the same client afterwards.
   */
  public OkHttpClient httpClient() {
    return real.httpClient();
  }

  /** Whether {@link #httpClient()} has built the client yet. */
  boolean hasHttpClient() {
    return real.httpClientIfMade() != null;
  }

  /** The configuration in force. */
  public MeshConfig config() {
    return real.runtime().config();
  }

  /**
   * Validates {@code newConfig} whole and swaps it in atomically: calls already in flight finish on the
   * configuration they started with, new calls take the new one. Rate-limit buckets whose settings did
   * not change keep their state. The watches and discoveries it retires are closed before it returns, each
   * phase waited for at most 5 s: one that takes longer is logged at WARNING and left closing in the background.
   *
   * @throws io.meshclient.api.ConfigurationException if it is invalid; the old configuration stays
   */
  public void reconfigure(MeshConfig newConfig) {
    Objects.requireNonNull(newConfig, "newConfig");
    reload(() -> newConfig);
  }

  /**
   * Reads a configuration from {@code source} and applies it as {@link #reconfigure(MeshConfig)} does.
   * Whatever {@code source} throws (a file that does not parse, properties that do not bind) is a
   * refused change too: every refusal is counted ({@code mesh.client.reconfigurations}, {@code
   * result=refused}) and thrown, and the configuration in force stays.
   *
   * @return the configuration now in force
   * @throws io.meshclient.api.ConfigurationException if it is invalid
   */
  public MeshConfig reload(Supplier<MeshConfig> source) {
    Objects.requireNonNull(source, "source");
    return real.reloads().reload(source);
  }

  /**
   * Lays {@code layer} over the application's configuration (the builder's or mesh.yaml, and whatever {@link
   * #reconfigure} and {@link #reload} give later) and applies the result as {@link #reload} does, now and on
   * every later reload: a source that supplies configuration, as an xDS control plane supplies services,
   * keeps them across the application's reloads, and the application's changes survive the source's
   * updates. One layer per {@code owner}, applied in the order owners first came; a new one replaces the
   * owner's. Istio's resources ({@link Builder#istioConfig}) lie over all of them.
   *
   * @param layer the configuration to apply given the application's; called on every reload, under the
   *     mesh's reload lock, so it must be quick and must not call the mesh back
   * @return the configuration now in force
   * @throws io.meshclient.api.ConfigurationException if the result is refused; the owner's previous layer,
   *     and the configuration in force, stay
   */
  public MeshConfig layer(Object owner, UnaryOperator<MeshConfig> layer) {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(layer, "layer");
    return real.reloads().layer(owner, layer, LaidInstances.NONE);
  }

  /**
   * {@link #layer(Object, UnaryOperator)} for a discovery that supplies configuration ({@link AttachableDiscovery}),
   * the owner of its layer, with the instances that go with it: each service {@code source} watches, before
   * this change and after it, takes the instances given for it in the same swap as the configuration, as if
   * its watch had delivered them, so that no call sees the new settings with the old instances, or the old
   * settings with the new. Any other service keeps the instances its own watch delivers. The watch may
   * deliver the same instances again afterwards: that changes nothing.
   *
   * @param instances by service, the instances {@code source} lists for it with this configuration
   * @return the configuration now in force
   * @throws io.meshclient.api.ConfigurationException if the result is refused; the previous layer, the
   *     configuration and the instances in force stay
   */
  public MeshConfig layer(ServiceDiscovery source, UnaryOperator<MeshConfig> layer,
      Map<String, List<ServiceInstance>> instances) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(instances, "instances");
    return real.reloads().layer(source, layer, LaidInstances.of(source, instances));
  }

  /**
   * What the mesh made of the Istio resources in force ({@link Builder#istioConfig}): the files and
   * resources applied, those ignored, and every field used that the mesh does not implement. {@link
   * IstioReport#EMPTY} for a mesh that reads none.
   */
  public io.meshclient.core.config.IstioReport istioReport() {
    return real.istio() == null ? io.meshclient.core.config.IstioReport.EMPTY : real.istio().report();
  }

  /** The instances of {@code service} as last discovered, or an empty list for an unknown service. */
  public List<ServiceInstance> instances(String service) {
    ServiceRuntime s = real.runtime().service(service);
    return s == null ? List.of() : s.instances();
  }

  /**
   * How each discovery in use is doing ({@link io.meshclient.api.ServiceDiscovery#status()}), by the name
   * it is configured under: connection, last update, errors, and what its source asks for that is not
   * implemented. A discovery whose {@code status()} throws is shown as {@code UNKNOWN} with the error.
   */
  public Map<String, DiscoveryStatus> discoveryStatus() {
    return DiscoveryStatuses.of(real.runtime().discoveriesByName());
  }

  /** The names of the services the mesh routes, in no particular order. */
  public java.util.Set<String> services() {
    return real.runtime().services().keySet();
  }

  /**
   * Whether a call to {@code host} through {@link #httpClient()} is the mesh's to route or to refuse: a
   * service configured or listed by a discovery, a service's Kubernetes cluster name when Istio
   * resources are read ({@code reviews.default.svc.cluster.local}), a single-label name that is no service
   * under {@code mesh.unknown-hosts: refuse}, or a cluster name of no service. False for a host the mesh
   * passes through untouched. A client that sends some hosts elsewhere (Spring's, say) asks this so that
   * no host the mesh manages bypasses it. Reads the configuration and discoveries in force now, lock-free,
   * without allocating for a lower-case host; thread-safe.
   *
   * @param host a URL host as {@link java.net.URI#getHost()} gives it; letter case is ignored, as in URLs
   */
  public boolean handles(String host) {
    Objects.requireNonNull(host, "host");
    String canonical = host.toLowerCase(java.util.Locale.ROOT);
    return real.runtime().service(canonical) != null || real.runtime().refusesUnknown(canonical);
  }

  /** The registry holding every rate limiter of the mesh, named {@code <service>} and {@code <service>/<route>}. */
  public RateLimiterRegistry rateLimiterRegistry() {
    return real.registries().limiters();
  }

  /**
   * The registry holding every circuit breaker of the mesh, named after its service. Created on first
   * use when the builder was given none (so a mesh without breakers loads none of resilience4j's
   * breaker code).
   */
  public CircuitBreakerRegistry circuitBreakerRegistry() {
    return real.registries().breakers().get();
  }

  /**
   * What the mesh routes now: each service's instances and their ejection state, subsets, route table,
   * rate-limiter headroom, calls in flight and breaker state. Read without stopping calls; each
   * service's part is consistent in itself.
   */
  public MeshSnapshot snapshot() {
    return MeshSnapshot.of(real.runtime());
  }

  /** Attaches each discovery that also supplies configuration ({@link AttachableDiscovery}); close() detaches it. */
  void attachSources() {
    real.attachSources();
  }

  /** The mesh's internals, for tests in this package; {@link #snapshot()} is the public view. */
  MeshRuntime runtime() {
    return real.runtime();
  }

  /**
   * Closes the mesh: new calls through its client, synchronous or asynchronous, fail at once with a
   * {@link io.meshclient.api.MeshClosedException} ("mesh closed"); calls in flight get the grace period
   * ({@link Builder#closeGracePeriod}, default 2 s) to finish and are then cancelled, failing with a
   * {@code MeshClosedException} too. Then the config file watch, discovery watches, mirrors and the
   * dispatcher's threads stop, pooled connections are closed, and the mesh's meters (its own, its
   * breakers' and rate limiters') are removed from the meter registry. Returns within about the grace
   * period, plus at most 5 s for each of the discoveries' watches and the discoveries the mesh created to close (one
   * that takes longer is logged at WARNING and left closing in the background). Idempotent; a close called while
   * another thread's is under way returns once that one has finished.
   */
  @Override
  public void close() {
    real.close();
  }

  /** Collects what a {@link Mesh} needs. Not thread-safe. */
  public static final class Builder {
    private final MeshAssembly assembly = new MeshAssembly();

    private Builder() {}

    /**
     * Reads Istio's own traffic resources ({@code networking.istio.io} {@code v1}, {@code v1beta1} and
     * {@code v1alpha3} VirtualService, DestinationRule and ServiceEntry) from these multi-document YAML
     * files, or from the {@code *.yaml} and {@code *.yml} files of these directories, and lays them over
     * the configuration: a service a VirtualService covers takes its routes from it only (routes for it in
     * the configuration are an error naming both files); a DestinationRule's fields override the
     * configuration's; ServiceEntries define services and their instances; rate limits and what Istio does
     * not describe come from the configuration. The files are watched while the mesh is open (see {@link
     * io.meshclient.core.config.IstioOptions#checkEvery()}): a changed, valid version applies atomically, as
     * {@link Mesh#reconfigure} does; an invalid one is refused, logged at WARNING, and the resources in
     * force keep serving. Fields the mesh does not implement are listed in {@link Mesh#istioReport()} and
     * logged at INFO, or refuse the files with {@link io.meshclient.core.config.IstioOptions#strictly()}.
     * Calling it again adds paths.
     *
     * @throws NullPointerException if a path is null
     */
    public Builder istioConfig(Path... paths) {
      for (Path p : paths) {
        assembly.istioPaths.add(Objects.requireNonNull(p, "path"));
      }
      return this;
    }

    /** How Istio resources are read: namespace, domain, strictness, check period. Default: {@link io.meshclient.core.config.IstioOptions#DEFAULT}. */
    public Builder istioOptions(io.meshclient.core.config.IstioOptions options) {
      assembly.istioOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * How long {@link Mesh#close()} lets calls in flight finish before it cancels them; from 0 (cancel at
     * once) to 1 minute. Default: 2 seconds.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder closeGracePeriod(Duration grace) {
      assembly.closeGracePeriod(grace);
      return this;
    }

    /**
     * The configuration; default: no services and default settings. Replaces one read by {@link
     * #watchConfigFile}, whose file is then not watched.
     */
    public Builder config(MeshConfig meshConfig) {
      assembly.config = Objects.requireNonNull(meshConfig, "meshConfig");
      assembly.watched = null;
      return this;
    }

    /**
     * {@link #watchConfigFile(Path, Duration)}, checking the file at the latest every 2 seconds (within
     * about 200 ms of a change where the platform reports file events).
     */
    public Builder watchConfigFile(Path file) {
      return watchConfigFile(file, ConfigFileWatch.DEFAULT_CHECK_EVERY);
    }

    /**
     * Reads the configuration from {@code file} now, as {@link MeshConfig#load} does, and keeps
     * watching it while the mesh is open. When its content changes (written in place, replaced by a
     * rename, or swapped through a symbolic link as a mounted Kubernetes ConfigMap is) and two reads
     * a moment apart agree, it is validated whole and applied with {@link Mesh#reload}: calls in flight
     * finish on the old configuration, new calls take the new one. An empty file is taken for one being
     * written and skipped (write {@code mesh: {}} for an empty configuration). A version that cannot be
     * parsed or is invalid is refused, logged at WARNING naming the keys, and counted ({@code
     * mesh.client.reconfigurations}, {@code result=refused}); the configuration in force keeps serving.
     * Replace the file by a rename to change it safely. One daemon thread per mesh, stopped by {@link
     * Mesh#close()}.
     *
     * @param checkEvery the longest time between two checks of the file, for file systems that send no
     *     events (some network and container mounts); from 100 ms to 1 day
     * @throws io.meshclient.api.ConfigurationException if the file cannot be read or is invalid
     */
    public Builder watchConfigFile(Path file, Duration checkEvery) {
      assembly.watched = ConfigFileWatch.read(file, checkEvery);
      assembly.config = assembly.watched.config();
      return this;
    }

    /**
     * Uses {@code discovery} under {@code name} (services may say {@code discovery: <name>}) instead of
     * creating one from configuration. The caller keeps ownership and closes it after the mesh.
     */
    public Builder discovery(String name, ServiceDiscovery discovery) {
      assembly.discoveries.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(discovery, "discovery"));
      return this;
    }

    /**
     * A client whose settings (interceptors, TLS, proxies...) the mesh's client starts from. The mesh
     * replaces its dispatcher, connection pool and timeouts with its own, and uses its
     * TLS settings for hosts that are not mesh instances. Default: OkHttp's defaults.
     */
    public Builder okHttpClient(OkHttpClient base) {
      assembly.okHttpClient = Objects.requireNonNull(base, "base");
      return this;
    }

    /**
     * Adds an application interceptor that runs before the mesh's, after the base client's: it sees
     * each call once, with the service's host name, before routing, admission and retries; and each attempt of
     * a hedged route and each mirrored copy, which the mesh sends as calls of their own (addressed to an
     * instance, or to the mirror's service).
     */
    public Builder addInterceptor(Interceptor interceptor) {
      assembly.interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /** Records meters (see {@link io.meshclient.core.metrics.MeshMetricNames}) here; default: none. */
    public Builder meterRegistry(MeterRegistry registry) {
      assembly.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Observes every call to a mesh service here, for tracing: one {@code mesh.client.call} observation
     * per call, child of the caller's current observation (taken when the call is executed or enqueued,
     * so an enqueued call keeps it; or an {@code Observation} the request carries as a tag), and one
     * {@code mesh.client.attempt} child per request sent for it: first try, retry, hedge or mirror (see
     * {@link io.meshclient.core.observation.MeshObservationNames} for names and tags). Each attempt's
     * context is a {@code RequestReplySenderContext} on the request, so micrometer-tracing's {@code
     * PropagatingSenderTracingObservationHandler} (registered by the application, or by Spring Boot's
     * tracing auto-configuration) gives each request its own span and writes its {@code traceparent}
     * (replacing one already set). The enqueue capture is an event listener added to the mesh's client:
     * a client derived with {@code newBuilder().eventListenerFactory(...)} loses it, and its enqueued
     * calls then take the dispatcher thread's (usually none) as parent. Default: none, and then no call
     * makes an observation; {@link ObservationRegistry#NOOP} is the same as none.
     */
    public Builder observationRegistry(ObservationRegistry registry) {
      Objects.requireNonNull(registry, "registry");
      assembly.observationRegistry = registry == ObservationRegistry.NOOP ? null : registry;
      return this;
    }

    /**
     * Adds a factory of per-call listeners: each call to a mesh service gets one listener from each
     * factory, receiving the call's attempts and its {@link CallRecord}. None by default.
     */
    public Builder callListenerFactory(CallListener.Factory factory) {
      assembly.callListenerFactories.add(Objects.requireNonNull(factory, "factory"));
      return this;
    }

    /** Receives mesh events, in addition to meters. */
    public Builder listener(MeshListener meshListener) {
      assembly.listener = Objects.requireNonNull(meshListener, "meshListener");
      return this;
    }

    /** The registry rate limiters are added to; default: a new one. */
    public Builder rateLimiterRegistry(RateLimiterRegistry registry) {
      assembly.rateLimiterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** The registry circuit breakers are added to; default: a new one. */
    public Builder circuitBreakerRegistry(CircuitBreakerRegistry registry) {
      assembly.circuitBreakerRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** Tests: the config file watch checks the file every {@code checkEvery} only, as without file events. */
    Builder withoutConfigFileEvents() {
      assembly.configFileEvents = false;
      return this;
    }

    /** How retry backoff and injected delays wait; default: {@link Sleeper#system()}. */
    public Builder sleeper(Sleeper waiter) {
      assembly.sleeper = Objects.requireNonNull(waiter, "waiter");
      return this;
    }

    /** The clock for rate limits and latency; default: {@link Ticker#system()}. */
    public Builder ticker(Ticker clock) {
      assembly.ticker = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The source of split draws; default: {@link java.util.concurrent.ThreadLocalRandom}. Seed one for deterministic tests. */
    public Builder random(RandomGenerator source) {
      assembly.random = Objects.requireNonNull(source, "source");
      return this;
    }

    /** Where providers are looked up; default: the thread's context class loader. */
    public Builder classLoader(ClassLoader loader) {
      assembly.classLoader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /**
     * Builds the mesh, creating discoveries and starting their watches, and attaches the discoveries
     * that are also {@link AttachableDiscovery}s.
     *
     * @throws io.meshclient.api.ConfigurationException if a service names an unknown discovery or a
     *     provider refuses its settings; nothing is left running
     * @throws IllegalStateException if the classpath's OkHttp is not 5.x, naming the version found and the fix
     */
    public Mesh build() {
      return assembly.build();
    }
  }
}
