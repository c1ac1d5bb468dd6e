package io.meshclient.spring.boot.client;

import io.meshclient.spring.boot.MeshClient;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientAdapter;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

/**
 * Creates the implementation of a {@link MeshClient} interface: an {@link HttpServiceProxyFactory}
 * proxy over a {@link RestClient} whose base URL is {@code http://<service>} and whose request factory
 * is the mesh's. The RestClient starts from the application's {@code RestClient.Builder} (its message
 * converters and customizers), when there is one. Thread-safe.
 */
public final class MeshClientFactory {
  private final Supplier<RestClient.Builder> builders;
  private final ClientHttpRequestFactory requestFactory;

  /**
   * @param builders a new builder per call, such as Boot's prototype {@code RestClient.Builder} bean
   * @param requestFactory the mesh's request factory
   */
  public MeshClientFactory(Supplier<RestClient.Builder> builders, ClientHttpRequestFactory requestFactory) {
    this.builders = Objects.requireNonNull(builders, "builders");
    this.requestFactory = Objects.requireNonNull(requestFactory, "requestFactory");
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
   */
  <T> Supplier<T> prepare(Class<T> type, String service) {
    RestClient.Builder builder = builders.get()
        .baseUrl("http://" + service)
        .requestFactory(requestFactory);
    return () -> HttpServiceProxyFactory.builderFor(RestClientAdapter.create(builder.build())).build()
        .createClient(type);
  }
}
