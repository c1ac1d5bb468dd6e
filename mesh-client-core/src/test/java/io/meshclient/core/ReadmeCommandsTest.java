package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's test command, written at its top and in "Samples and tests", is the one {@code .ci/run} runs: a
 * newcomer who runs the README runs what CI runs.
 */
class ReadmeCommandsTest {
  private static final Path ROOT = Path.of("..");

  @Test
  void everyTestCommandOfTheReadmeIsTheOneCiRuns() throws IOException {
    Matcher ci = Pattern.compile("(?m)^\\( (mvn .*) \\) 2>&1 \\| tee ").matcher(Files.readString(ROOT.resolve(".ci/run")));
    assertThat(ci.find()).as(".ci/run runs a command in ( ... ) 2>&1 | tee").isTrue();
    String command = ci.group(1);
    List<String> inReadme = Files.readAllLines(ROOT.resolve("README.md")).stream().map(String::strip)
        .filter(line -> line.startsWith("mvn -B -ntp install &&")).toList();
    assertThat(inReadme).as("the README's test commands").hasSizeGreaterThanOrEqualTo(2).containsOnly(command);
  }

  @Test
  void theSampleCommandAtTheTopIsTheOneOfSamplesAndTests() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    String top = readme.substring(readme.indexOf("## On a fresh machine"), readme.indexOf("## Usage"));
    String samples = readme.substring(readme.indexOf("## Samples and tests"));
    String sample = "mvn -B -q -pl samples/bookinfo -am compile -Pbookinfo\n";
    assertThat(top).contains(sample);
    assertThat(samples).contains(sample);
  }
}
