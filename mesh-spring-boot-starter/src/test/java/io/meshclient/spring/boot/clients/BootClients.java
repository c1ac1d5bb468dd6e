package io.meshclient.spring.boot.clients;

import io.meshclient.spring.boot.autoconfigure.MeshAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;

/** Context runners with the starter and Boot's own HTTP client auto-configuration, as an application has them. */
final class BootClients {
  static final AutoConfigurations AUTO_CONFIGURATIONS = AutoConfigurations.of(MeshAutoConfiguration.class,
      SslAutoConfiguration.class, HttpClientAutoConfiguration.class, ImperativeHttpClientAutoConfiguration.class,
      ReactiveHttpClientAutoConfiguration.class, RestClientAutoConfiguration.class, WebClientAutoConfiguration.class);

  private BootClients() {}

  /** A plain (servlet-style, not reactive) application: Boot makes a {@code ClientHttpRequestFactoryBuilder}. */
  static ApplicationContextRunner application(String... properties) {
    return new ApplicationContextRunner().withConfiguration(AUTO_CONFIGURATIONS).withPropertyValues(properties);
  }
}
