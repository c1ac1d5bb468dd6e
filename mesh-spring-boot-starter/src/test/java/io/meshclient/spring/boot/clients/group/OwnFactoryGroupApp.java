package io.meshclient.spring.boot.clients.group;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.support.RestClientHttpServiceGroupConfigurer;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.registry.ImportHttpServices;

/**
 * An application with the HTTP service group "reviews" (a mesh service) and its own group configurer that
 * gives every group's client its own request factory.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@ImportHttpServices(group = "reviews", types = OwnFactoryGroupApp.ReviewsApi.class)
public class OwnFactoryGroupApp {
  /** A plain HTTP interface in the group "reviews". */
  public interface ReviewsApi {
    @GetExchange("/r")
    String review();
  }

  @Bean
  RestClientHttpServiceGroupConfigurer ownRequestFactory() {
    return groups -> groups.forEachClient((group, builder) -> builder.requestFactory(new SimpleClientHttpRequestFactory()));
  }
}
