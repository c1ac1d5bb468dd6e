package io.meshclient.spring.boot.clients.group;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.reactive.function.client.support.WebClientHttpServiceGroupConfigurer;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.registry.ImportHttpServices;
import reactor.core.publisher.Mono;

/**
 * An application with the reactive HTTP service group "reviews" (a mesh service) and its own group configurer
 * that gives every group's client its own connector.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@ImportHttpServices(group = "reviews", types = OwnConnectorGroupApp.ReviewsApi.class,
    clientType = org.springframework.web.service.registry.HttpServiceGroup.ClientType.WEB_CLIENT)
public class OwnConnectorGroupApp {
  /** A reactive HTTP interface in the group "reviews". */
  public interface ReviewsApi {
    @GetExchange("/r")
    Mono<String> review();
  }

  @Bean
  WebClientHttpServiceGroupConfigurer ownConnector() {
    return groups -> groups.forEachClient((group, builder) -> builder.clientConnector(new JdkClientHttpConnector()));
  }
}
