package io.meshclient.springtest.badclient;

import io.meshclient.spring.boot.MeshClient;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.PostExchange;

/** An application whose one {@code @MeshClient} Spring cannot implement (for DeferredMeshClientsTest). */
@SpringBootConfiguration
@EnableAutoConfiguration
public class BadApp {
  /** Two exchange annotations on one method: Spring refuses to implement it. */
  @MeshClient("echo")
  public interface BadClient {
    @GetExchange("/a")
    @PostExchange("/b")
    String ambiguous();
  }
}
