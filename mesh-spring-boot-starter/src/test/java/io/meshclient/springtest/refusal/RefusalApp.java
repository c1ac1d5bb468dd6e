package io.meshclient.springtest.refusal;

import io.meshclient.spring.boot.MeshClient;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.service.annotation.GetExchange;

/** A web application whose handlers let the mesh's refusals escape (for RefusalMappingTest). */
@SpringBootApplication
public class RefusalApp {

  /** One client per service: each is refused for another reason. */
  @MeshClient("limited")
  public interface Limited {
    @GetExchange("/ok")
    String get();
  }

  @MeshClient("nobody")
  public interface Nobody {
    @GetExchange("/ok")
    String get();
  }

  @MeshClient("broken")
  public interface Broken {
    @GetExchange("/fail")
    String get();
  }

  @MeshClient("registry")
  public interface Registry {
    @GetExchange("/ok")
    String get();
  }

  /** Refused as nobody is, on every call: for the test of the log under load. */
  @MeshClient("flooded")
  public interface Flooded {
    @GetExchange("/ok")
    String get();
  }

  @RestController
  static class Calls {
    private final Limited limited;
    private final Nobody nobody;
    private final Broken broken;
    private final Registry registry;
    private final Flooded flooded;

    Calls(Limited limited, Nobody nobody, Broken broken, Registry registry, Flooded flooded) {
      this.limited = limited;
      this.nobody = nobody;
      this.broken = broken;
      this.registry = registry;
      this.flooded = flooded;
    }

    @GetMapping("/flooded")
    String flooded() {
      return flooded.get();
    }

    @GetMapping("/registry")
    String registry() {
      return registry.get();
    }

    @GetMapping("/limited")
    String limited() {
      return limited.get();
    }

    @GetMapping("/nobody")
    String nobody() {
      return nobody.get();
    }

    @GetMapping("/broken")
    String broken() {
      return broken.get();
    }
  }
}
