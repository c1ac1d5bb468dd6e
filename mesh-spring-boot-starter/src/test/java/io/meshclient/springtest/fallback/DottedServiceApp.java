package io.meshclient.springtest.fallback;

import io.meshclient.spring.boot.MeshClient;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.service.annotation.GetExchange;

/** An application calling a service whose name holds dots (for DottedServiceFallbackTest). */
@SpringBootApplication
public class DottedServiceApp {

  @MeshClient("reviews.prod")
  public interface ReviewsProd {
    @GetExchange("/ping")
    String ping();
  }
}
