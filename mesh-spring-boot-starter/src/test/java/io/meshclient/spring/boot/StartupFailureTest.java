package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** A bad mesh property stops start-up with a report that names the key and where it was set. */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  @Test
  void badPropertyFailsStartUpNamingTheKeyAndItsFile(CapturedOutput output) {
    assertThatThrownBy(() -> new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
        .properties("spring.config.name=bad-mesh").run().close()).isNotNull();
    assertThat(output).contains("APPLICATION FAILED TO START")
        .contains("The mesh configuration is invalid:")
        .contains("mesh.services.ratings.rate-limit.rate: 0/s (expected: > 0, such as 200/s)")
        .contains("set in class path resource [bad-mesh.yml]")
        .contains("mesh.services.ratings.rate-limit.burst: 0 (expected: > 0)");
  }

  /**
   * A list in application.yml where a block belongs ({@code subsets:} followed by {@code - v1: ...}) is
   * named at the key as written, {@code subsets}, as a list, with what was expected; not at {@code
   * subsets.0}, an element the user never named.
   */
  @Test
  void aListWhereABlockBelongsIsNamedAtItsKeyAsAList(CapturedOutput output) {
    assertThatThrownBy(() -> new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
        .properties("spring.config.name=list-for-block").run().close()).isNotNull();
    assertThat(output).contains("APPLICATION FAILED TO START")
        .contains("mesh.services.reviews.subsets: a list (expected: a block of subsets by name, each a block of "
            + "the labels its instances carry, such as { v1: { version: v1 } })\n"
            + "        set in class path resource [list-for-block.yml] - 11:26")
        .doesNotContain("subsets.0", "subsets[0]");
  }

  /** An Istio file's problem starts with its path: the entry of mesh.istio.files naming it is shown, and its line. */
  @Test
  void aBadIstioFileIsTracedToItsEntryInMeshIstioFiles(CapturedOutput output) {
    assertThatThrownBy(() -> new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
        .properties("spring.config.name=bad-istio").run().close()).isNotNull();
    assertThat(output).contains("APPLICATION FAILED TO START")
        .contains("/nonexistent-mesh-istio/reviews.yaml: cannot be read")
        .contains("named by mesh.istio.files[0], set in class path resource [bad-istio.yml] - 5:9");
  }

  @Test
  void unknownKeysAreNamedWithoutEchoingTheirValues(CapturedOutput output) {
    assertThatThrownBy(() -> new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
        .properties("mesh.services.ratings.password=hunter2-s3cr3t").run().close()).isNotNull();
    assertThat(output).contains("mesh.services.ratings.password: unknown key (expected: one of [")
        .doesNotContain("s3cr3t");
  }

  @Test
  void badDiscoverySettingsAreReportedWithTheOtherBadKeysInOneRound(CapturedOutput output) {
    assertThatThrownBy(() -> new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
        .properties("spring.config.name=none", "mesh.services.ratings.timeout=-5s",
            "mesh.discovery.static.services.ratings[0].url=ftp://nowhere")
        .run().close()).isNotNull();
    assertThat(output).contains("APPLICATION FAILED TO START")
        .contains("mesh.services.ratings.timeout: -5s")
        .contains("mesh.discovery.static.services.ratings[0].url: ftp://nowhere");
  }

  /** The same when the rest is refused by the whole-configuration rules (a split naming no subset). */
  @Test
  void badDiscoverySettingsAreReportedWithARefusedRouteInOneRound(CapturedOutput output) {
    assertThatThrownBy(() -> new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
        .properties("spring.config.name=none", "mesh.services.ratings.routes[0].split.v9=100",
            "mesh.discovery.static.services.ratings[0].url=ftp://nowhere")
        .run().close()).isNotNull();
    assertThat(output).contains("APPLICATION FAILED TO START")
        .contains("mesh.services.ratings.routes[0].split: v9")
        .contains("mesh.discovery.static.services.ratings[0].url: ftp://nowhere");
  }
}
