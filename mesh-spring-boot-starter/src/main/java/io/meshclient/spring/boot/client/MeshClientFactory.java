package io.meshclient.spring.boot.client;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.spi.SettingValues;
import io.meshclient.spring.boot.MeshClient;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientAdapter;
import org.springframework.web.service.annotation.HttpExchange;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

/**
 * Creates the implementation of a {@link MeshClient} interface: an {@link HttpServiceProxyFactory}
 * proxy over a {@link RestClient} whose base URL is {@code http://<service>} and whose request factory
 * is the mesh's. The RestClient starts from the application's {@code RestClient.Builder} (its message
 * converters and customizers), when there is one. An interface whose methods return {@code Mono} or {@code
 * Flux} is built on a WebClient instead ({@link ReactiveMeshClients}). Thread-safe.
 */
public final class MeshClientFactory {
  private final Supplier<RestClient.Builder> builders;
  private final ClientHttpRequestFactory requestFactory;
  private final ReactiveMeshClients reactive;
  private final Function<String, String> baseUrls;
  /** The mesh's services, which a client must name; null without a mesh (any name then). */
  private final Supplier<? extends Collection<String>> services;

  /**
   * A factory for interfaces with blocking return types only.
   *
   * @param builders a new builder per call, such as Boot's prototype {@code RestClient.Builder} bean
   * @param requestFactory the mesh's request factory
   */
  public MeshClientFactory(Supplier<RestClient.Builder> builders, ClientHttpRequestFactory requestFactory) {
    this(builders, requestFactory, null);
  }

  /**
   * @param builders a new builder per call, such as Boot's prototype {@code RestClient.Builder} bean
   * @param requestFactory the mesh's request factory
   * @param reactive builds interfaces with {@code Publisher} return types; null without WebFlux
   */
  public MeshClientFactory(Supplier<RestClient.Builder> builders, ClientHttpRequestFactory requestFactory,
      ReactiveMeshClients reactive) {
    this(builders, Objects.requireNonNull(requestFactory, "requestFactory"), reactive, service -> "http://" + service,
        null);
  }

  /**
   * A factory that refuses a client naming a service the mesh does not route (fail closed: a typo in
   * {@code @MeshClient("reviewz")} would otherwise fall through to DNS and bypass the mesh).
   *
   * @param builders a new builder per call, such as Boot's prototype {@code RestClient.Builder} bean
   * @param requestFactory the mesh's request factory
   * @param reactive builds interfaces with {@code Publisher} return types; null without WebFlux
   * @param services the names of the mesh's services, such as {@code mesh::services}
   */
  public MeshClientFactory(Supplier<RestClient.Builder> builders, ClientHttpRequestFactory requestFactory,
      ReactiveMeshClients reactive, Supplier<? extends Collection<String>> services) {
    this(builders, Objects.requireNonNull(requestFactory, "requestFactory"), reactive, service -> "http://" + service,
        Objects.requireNonNull(services, "services"));
  }

  /**
   * A factory for clients that do not go through a mesh (the kill switch, {@code mesh.enabled=false}).
   *
   * @param builders a new builder per call, with the request factory the application chose
   * @param reactive builds interfaces with {@code Publisher} return types; null without WebFlux
   * @param baseUrls the base URL of each service's clients, such as its {@code fallback-url}
   */
  public static MeshClientFactory withoutMesh(Supplier<RestClient.Builder> builders, ReactiveMeshClients reactive,
      Function<String, String> baseUrls) {
    return new MeshClientFactory(builders, null, reactive, Objects.requireNonNull(baseUrls, "baseUrls"), null);
  }

  private MeshClientFactory(Supplier<RestClient.Builder> builders, ClientHttpRequestFactory requestFactory,
      ReactiveMeshClients reactive, Function<String, String> baseUrls, Supplier<? extends Collection<String>> services) {
    this.services = services;
    this.builders = Objects.requireNonNull(builders, "builders");
    this.requestFactory = requestFactory;
    this.reactive = reactive;
    this.baseUrls = baseUrls;
  }

  /**
   * The client for {@code type}, which must carry {@link MeshClient}.
   *
   * @throws IllegalArgumentException if it does not
   */
  public <T> T create(Class<T> type) {
    MeshClient annotation = type.getAnnotation(MeshClient.class);
    if (annotation == null) {
      throw new IllegalArgumentException(type.getName() + ": not annotated (expected: @MeshClient(\"<service>\"))");
    }
    return create(type, annotation.value());
  }

  /** A client for {@code type} calling {@code service} through the mesh. */
  public <T> T create(Class<T> type, String service) {
    return prepare(type, service).get();
  }

  /**
   * Takes the application's {@code RestClient.Builder} now, on the calling thread (it may be a bean
   * being created), and returns what builds the client from it: the RestClient and the interface's
   * proxy, which may be built on another thread. So the builder supplier must look up every bean it needs
   * itself, not leave lookups to the builder's deferred callbacks.
   *
   * @throws ConfigurationException if this factory routes through a mesh that has no such service
   */
  <T> Supplier<T> prepare(Class<T> type, String service) {
    if (services != null) {
      Collection<String> known = services.get();
      if (!known.contains(service)) {
        String closest = SettingValues.didYouMean(service, known);
        // When no known name is close, say how a service becomes one: "one of []" alone helps neither the
        // newcomer whose application.yml has no mesh block yet (instances are listed under a discovery) nor
        // the user of a registry such as Consul, which lists only the services configured under mesh.services.
        throw ConfigurationException.of("@MeshClient on " + type.getName(), service,
            "a mesh service, one of " + new TreeSet<>(known) + (closest.isEmpty()
                ? "; a service is one once a discovery lists it (mesh.discovery.static.services." + service
                    + "[0].url, say) or, for a registry's such as Consul's, once configured under mesh.services"
                : closest));
      }
    }
    checkExchanges(type);
    String baseUrl = baseUrls.apply(service);
    if (returnsPublisher(type)) {
      if (reactive == null) {
        throw new IllegalStateException("@MeshClient " + type.getName() + " returns a Publisher (Mono, Flux), "
            + "which needs WebClient: add spring-webflux (spring-boot-starter-webclient) to the application");
      }
      return reactive.prepare(type, baseUrl);
    }
    RestClient.Builder builder = builders.get().baseUrl(baseUrl);
    if (requestFactory != null) {
      builder.requestFactory(requestFactory);
    }
    return () -> HttpServiceProxyFactory.builderFor(RestClientAdapter.create(builder.build())).build()
        .createClient(type);
  }

  /**
   * Refuses an abstract method without an {@code @HttpExchange} ({@code @GetExchange}, ...): Spring's proxy
   * implements it by throwing "Unexpected method invocation" on each call, so the interface would start
   * and fail only when that method is first called.
   *
   * @throws ConfigurationException naming the interface and the methods
   */
  static void checkExchanges(Class<?> type) {
    java.util.List<String> plain = new java.util.ArrayList<>();
    for (Method method : type.getMethods()) {
      if (Modifier.isAbstract(method.getModifiers()) && !method.isSynthetic()
          && !AnnotatedElementUtils.hasAnnotation(method, HttpExchange.class)) {
        plain.add(method.getName() + "()");
      }
    }
    if (!plain.isEmpty()) {
      java.util.Collections.sort(plain);
      throw ConfigurationException.of("@MeshClient on " + type.getName(), String.join(", ", plain),
          "an HTTP exchange (@GetExchange, @PostExchange, ... or @HttpExchange) on every abstract method; "
              + "a default method for anything else");
    }
  }

  /** Whether a method of {@code type} returns a reactive type (Reactor's, when Reactor is present). */
  static boolean returnsPublisher(Class<?> type) {
    ReactiveAdapterRegistry adapters = ReactiveAdapterRegistry.getSharedInstance();
    for (Method method : type.getMethods()) {
      if (!method.isDefault() && !Modifier.isStatic(method.getModifiers())
          && adapters.getAdapter(method.getReturnType()) != null) {
        return true;
      }
    }
    return false;
  }
}
