package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** An unknown block and an unknown split subset are reported with the file and line they were set in. */
@ExtendWith(OutputCaptureExtension.class)
class StartupOriginTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  @Test
  void unknownBlocksAndSplitSubsetsNameTheirFileAndADidYouMean(CapturedOutput output) {
    assertThatThrownBy(() -> new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
        .properties("spring.config.name=origin-mesh").run().close()).isNotNull();
    assertThat(output.toString().replace("\r", "")).contains("APPLICATION FAILED TO START")
        .containsPattern("mesh.services.ratings.rate-limt: unknown key \\(expected: one of \\[.*\\]; did you mean "
            + "'rate-limit'\\?\\)\n {8}set in class path resource \\[origin-mesh.yml\\]")
        .containsPattern("mesh.services.ratings.routes\\[0\\].split: v9 \\(expected: one of the subsets \\[v1\\]\\)\n"
            + " {8}set in class path resource \\[origin-mesh.yml\\]");
  }
}
