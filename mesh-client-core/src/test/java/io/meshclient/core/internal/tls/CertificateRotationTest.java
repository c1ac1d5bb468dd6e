package io.meshclient.core.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A short {@link RotationScenario}; {@code benchmarks/run.sh rotation} runs it for 30 s. */
@Timeout(60)
class CertificateRotationTest {

  @Test
  void rotatingTheClientIdentityUnderLoadLosesNoRequestAndACorruptFileKeepsTheOldOne(@TempDir Path dir)
      throws Exception {
    RotationScenario.Result result = RotationScenario.run(dir, Duration.ofSeconds(6), 200);
    System.out.println(result.line());
    assertThat(result.sent()).as("enough traffic to matter (fewer than 1,200 when the machine is loaded)").isGreaterThan(400);
    assertThat(result.failed()).isZero();
    assertThat(result.handshakesBefore()).isGreaterThan(5);
    assertThat(result.handshakesAfter()).isGreaterThan(5);
    assertThat(result.rotated()).isTrue();
  }
}
