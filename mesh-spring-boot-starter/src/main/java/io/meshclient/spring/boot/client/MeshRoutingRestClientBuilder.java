package io.meshclient.spring.boot.client;

import io.meshclient.core.Mesh;
import io.micrometer.observation.ObservationRegistry;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpRequestInitializer;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.observation.ClientRequestObservationConvention;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.ApiVersionInserter;
import org.springframework.web.client.ResponseErrorHandler;
import org.springframework.web.client.RestClient;
import org.springframework.web.util.UriBuilderFactory;

/**
 * A {@link RestClient.Builder} that keeps the mesh whatever request factory it is given: {@link
 * #requestFactory} wraps the factory in a {@link MeshRoutingClientHttpRequestFactory}, so hosts the mesh
 * manages go through the mesh and other hosts through that factory. Every other method is the wrapped
 * builder's; each returns this builder (so a chain keeps the mesh), {@link #apply} hands this builder to
 * the consumer (as {@code RestClientSsl.fromBundle(...)} expects), {@link #clone} clones both and the client
 * {@link #build} returns mutates into one of these. The
 * starter gives Boot's {@code RestClient.Builder}, and every {@code RestClientCustomizer} it runs, one of
 * these. Not thread-safe, as builders are not.
 */
public final class MeshRoutingRestClientBuilder implements RestClient.Builder {
  private final RestClient.Builder delegate;
  private final Supplier<Mesh> mesh;

  /**
   * @param delegate the builder to configure
   * @param mesh the mesh, asked for on the first request
   */
  public MeshRoutingRestClientBuilder(RestClient.Builder delegate, Supplier<Mesh> mesh) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.mesh = Objects.requireNonNull(mesh, "mesh");
  }

  /**
   * {@code factory} for hosts the mesh does not manage; those it manages go through the mesh. A test's mock
   * factory ({@code MockRestServiceServer.bindTo(builder)}, from {@code org.springframework.test}) is set as
   * it is: it answers every host, mesh hosts among them, as the test expects.
   */
  @Override
  public RestClient.Builder requestFactory(ClientHttpRequestFactory factory) {
    Objects.requireNonNull(factory, "factory");
    delegate.requestFactory(factory instanceof MeshRoutingClientHttpRequestFactory
        || factory instanceof MeshClientHttpRequestFactory
        || factory.getClass().getName().startsWith("org.springframework.test.") ? factory
        : new MeshRoutingClientHttpRequestFactory(mesh, factory));
    return this;
  }

  @Override
  public RestClient.Builder apply(Consumer<RestClient.Builder> builderConsumer) {
    builderConsumer.accept(this);
    return this;
  }

  @Override
  public RestClient.Builder clone() {
    return new MeshRoutingRestClientBuilder(delegate.clone(), mesh);
  }

  @Override
  public RestClient build() {
    return new MeshRoutingRestClient(delegate.build(), mesh); // so that mutate() keeps the mesh
  }

  @Override
  public RestClient.Builder baseUrl(String baseUrl) {
    delegate.baseUrl(baseUrl);
    return this;
  }

  @Override
  public RestClient.Builder baseUrl(URI baseUrl) {
    delegate.baseUrl(baseUrl);
    return this;
  }

  @Override
  public RestClient.Builder defaultUriVariables(Map<String, ?> defaultUriVariables) {
    delegate.defaultUriVariables(defaultUriVariables);
    return this;
  }

  @Override
  public RestClient.Builder uriBuilderFactory(UriBuilderFactory uriBuilderFactory) {
    delegate.uriBuilderFactory(uriBuilderFactory);
    return this;
  }

  @Override
  public RestClient.Builder defaultHeader(String header, String... values) {
    delegate.defaultHeader(header, values);
    return this;
  }

  @Override
  public RestClient.Builder defaultHeaders(Consumer<HttpHeaders> headersConsumer) {
    delegate.defaultHeaders(headersConsumer);
    return this;
  }

  @Override
  public RestClient.Builder defaultCookie(String cookie, String... values) {
    delegate.defaultCookie(cookie, values);
    return this;
  }

  @Override
  public RestClient.Builder defaultCookies(Consumer<MultiValueMap<String, String>> cookiesConsumer) {
    delegate.defaultCookies(cookiesConsumer);
    return this;
  }

  @Override
  public RestClient.Builder defaultApiVersion(Object version) {
    delegate.defaultApiVersion(version);
    return this;
  }

  @Override
  public RestClient.Builder apiVersionInserter(ApiVersionInserter apiVersionInserter) {
    delegate.apiVersionInserter(apiVersionInserter);
    return this;
  }

  @Override
  public RestClient.Builder defaultRequest(Consumer<RestClient.RequestHeadersSpec<?>> defaultRequest) {
    delegate.defaultRequest(defaultRequest);
    return this;
  }

  @Override
  public RestClient.Builder defaultStatusHandler(Predicate<HttpStatusCode> statusPredicate,
      RestClient.ResponseSpec.ErrorHandler errorHandler) {
    delegate.defaultStatusHandler(statusPredicate, errorHandler);
    return this;
  }

  @Override
  public RestClient.Builder defaultStatusHandler(ResponseErrorHandler errorHandler) {
    delegate.defaultStatusHandler(errorHandler);
    return this;
  }

  @Override
  public RestClient.Builder requestInterceptor(ClientHttpRequestInterceptor interceptor) {
    delegate.requestInterceptor(interceptor);
    return this;
  }

  @Override
  public RestClient.Builder requestInterceptors(Consumer<List<ClientHttpRequestInterceptor>> interceptorsConsumer) {
    delegate.requestInterceptors(interceptorsConsumer);
    return this;
  }

  @Override
  public RestClient.Builder bufferContent(BiPredicate<URI, HttpMethod> predicate) {
    delegate.bufferContent(predicate);
    return this;
  }

  @Override
  public RestClient.Builder requestInitializer(ClientHttpRequestInitializer initializer) {
    delegate.requestInitializer(initializer);
    return this;
  }

  @Override
  public RestClient.Builder requestInitializers(Consumer<List<ClientHttpRequestInitializer>> initializersConsumer) {
    delegate.requestInitializers(initializersConsumer);
    return this;
  }

  @Override
  public RestClient.Builder configureMessageConverters(Consumer<HttpMessageConverters.ClientBuilder> configurer) {
    delegate.configureMessageConverters(configurer);
    return this;
  }

  @Override
  public RestClient.Builder messageConverters(Iterable<HttpMessageConverter<?>> messageConverters) {
    delegate.messageConverters(messageConverters);
    return this;
  }

  @Override
  public RestClient.Builder messageConverters(Consumer<List<HttpMessageConverter<?>>> configurer) {
    delegate.messageConverters(configurer);
    return this;
  }

  @Override
  public RestClient.Builder observationRegistry(ObservationRegistry observationRegistry) {
    delegate.observationRegistry(observationRegistry);
    return this;
  }

  @Override
  public RestClient.Builder observationConvention(ClientRequestObservationConvention observationConvention) {
    delegate.observationConvention(observationConvention);
    return this;
  }
}
