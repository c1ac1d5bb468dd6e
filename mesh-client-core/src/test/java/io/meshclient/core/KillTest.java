package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A short run of {@link KillScenario}; {@code benchmarks/run.sh chaos} runs it for 20 s. */
@Timeout(150)
class KillTest {

  @ParameterizedTest
  @EnumSource(KillScenario.Mode.class)
  void aKilledOrBlackHoledBackendCostsNoGetAndDuplicatesNoPost(KillScenario.Mode mode) throws Exception {
    // At least 4 s and 1,000 GETs: a loaded machine sent as few as 331 GETs in 4 s.
    KillScenario.Result result = KillScenario.run(mode, Duration.ofSeconds(4), 8, 1000);
    System.out.println(result.line());
    assertThat(result.gets()).isGreaterThanOrEqualTo(1000);
    assertThat(result.failedGets()).isZero();
    assertThat(result.duplicatedPosts()).isZero();
    assertThat(result.retries()).isPositive();
    assertThat(result.ejections()).isGreaterThanOrEqualTo(1);
  }
}
