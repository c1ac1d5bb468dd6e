package io.meshclient.spring.boot.client;

import io.meshclient.core.Mesh;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.codec.ClientCodecConfigurer;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.ApiVersionInserter;
import org.springframework.web.reactive.function.client.ClientRequestObservationConvention;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.ExchangeStrategies;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.UriBuilderFactory;
import reactor.core.publisher.Mono;

/**
 * A {@link WebClient.Builder} that keeps the mesh whatever connector it is given: {@link #clientConnector}
 * wraps the connector in a {@link MeshRoutingClientHttpConnector}, so hosts the mesh manages go through
 * the mesh and other hosts through that connector. An {@link #exchangeFunction} (which replaces the
 * connector altogether) is kept for other hosts, and a request to a host the mesh manages fails with an
 * {@code IllegalStateException} saying so, instead of bypassing the mesh. Every other method is the
 * wrapped builder's; each returns this builder (so a chain keeps the mesh), {@link #apply} hands this
 * builder to the consumer (as {@code WebClientSsl.fromBundle(...)} expects), the client {@link #build}
 * returns mutates into one of these and {@link #clone} clones
 * both. The starter gives Boot's {@code WebClient.Builder}, and every {@code WebClientCustomizer} it runs,
 * one of these. Not thread-safe, as builders are not.
 */
public final class MeshRoutingWebClientBuilder implements WebClient.Builder {
  private final WebClient.Builder delegate;
  private final Supplier<Mesh> mesh;

  /**
   * @param delegate the builder to configure
   * @param mesh the mesh, asked for on the first request
   */
  public MeshRoutingWebClientBuilder(WebClient.Builder delegate, Supplier<Mesh> mesh) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.mesh = Objects.requireNonNull(mesh, "mesh");
  }

  /** {@code connector} for hosts the mesh does not manage; those it manages go through the mesh. */
  @Override
  public WebClient.Builder clientConnector(ClientHttpConnector connector) {
    Objects.requireNonNull(connector, "connector");
    delegate.clientConnector(connector instanceof MeshRoutingClientHttpConnector
        || connector instanceof MeshClientHttpConnector ? connector
        : new MeshRoutingClientHttpConnector(mesh, () -> connector));
    return this;
  }

  /**
   * {@code exchangeFunction} for hosts the mesh does not manage; a request to a host it manages fails
   * (an exchange function sends without a connector, so the mesh cannot apply).
   */
  @Override
  public WebClient.Builder exchangeFunction(ExchangeFunction exchangeFunction) {
    Objects.requireNonNull(exchangeFunction, "exchangeFunction");
    delegate.exchangeFunction(request -> {
      String host = MeshRoutingClientHttpRequestFactory.hostOf(request.url());
      if (host != null && mesh.get().handles(host)) {
        return Mono.error(new IllegalStateException(request.method() + " " + request.url().getScheme() + "://"
            + host + "/... refused: '" + host + "' is managed by the mesh, but this WebClient was given an"
            + " exchange function (" + exchangeFunction.getClass().getName() + "), which sends without the"
            + " mesh; give it a connector with clientConnector(...) instead, which the mesh wraps"));
      }
      return exchangeFunction.exchange(request);
    });
    return this;
  }

  @Override
  public WebClient.Builder apply(Consumer<WebClient.Builder> builderConsumer) {
    builderConsumer.accept(this);
    return this;
  }

  @Override
  public WebClient.Builder clone() {
    return new MeshRoutingWebClientBuilder(delegate.clone(), mesh);
  }

  @Override
  public WebClient build() {
    return new MeshRoutingWebClient(delegate.build(), mesh); // so that mutate() keeps the mesh
  }

  @Override
  public WebClient.Builder baseUrl(String baseUrl) {
    delegate.baseUrl(baseUrl);
    return this;
  }

  @Override
  public WebClient.Builder defaultUriVariables(Map<String, ?> defaultUriVariables) {
    delegate.defaultUriVariables(defaultUriVariables);
    return this;
  }

  @Override
  public WebClient.Builder uriBuilderFactory(UriBuilderFactory uriBuilderFactory) {
    delegate.uriBuilderFactory(uriBuilderFactory);
    return this;
  }

  @Override
  public WebClient.Builder defaultHeader(String header, String... values) {
    delegate.defaultHeader(header, values);
    return this;
  }

  @Override
  public WebClient.Builder defaultHeaders(Consumer<HttpHeaders> headersConsumer) {
    delegate.defaultHeaders(headersConsumer);
    return this;
  }

  @Override
  public WebClient.Builder defaultCookie(String cookie, String... values) {
    delegate.defaultCookie(cookie, values);
    return this;
  }

  @Override
  public WebClient.Builder defaultCookies(Consumer<MultiValueMap<String, String>> cookiesConsumer) {
    delegate.defaultCookies(cookiesConsumer);
    return this;
  }

  @Override
  public WebClient.Builder defaultApiVersion(Object version) {
    delegate.defaultApiVersion(version);
    return this;
  }

  @Override
  public WebClient.Builder apiVersionInserter(ApiVersionInserter apiVersionInserter) {
    delegate.apiVersionInserter(apiVersionInserter);
    return this;
  }

  @Override
  public WebClient.Builder defaultRequest(Consumer<WebClient.RequestHeadersSpec<?>> defaultRequest) {
    delegate.defaultRequest(defaultRequest);
    return this;
  }

  @Override
  public WebClient.Builder defaultStatusHandler(Predicate<HttpStatusCode> statusPredicate,
      Function<ClientResponse, Mono<? extends Throwable>> exceptionFunction) {
    delegate.defaultStatusHandler(statusPredicate, exceptionFunction);
    return this;
  }

  @Override
  public WebClient.Builder filter(ExchangeFilterFunction filter) {
    delegate.filter(filter);
    return this;
  }

  @Override
  public WebClient.Builder filters(Consumer<List<ExchangeFilterFunction>> filtersConsumer) {
    delegate.filters(filtersConsumer);
    return this;
  }

  @Override
  public WebClient.Builder codecs(Consumer<ClientCodecConfigurer> configurer) {
    delegate.codecs(configurer);
    return this;
  }

  @Override
  public WebClient.Builder exchangeStrategies(ExchangeStrategies strategies) {
    delegate.exchangeStrategies(strategies);
    return this;
  }

  @Override
  public WebClient.Builder observationRegistry(ObservationRegistry observationRegistry) {
    delegate.observationRegistry(observationRegistry);
    return this;
  }

  @Override
  public WebClient.Builder observationConvention(ClientRequestObservationConvention observationConvention) {
    delegate.observationConvention(observationConvention);
    return this;
  }
}
