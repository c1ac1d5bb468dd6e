package io.meshclient.discovery.consul;

import static io.meshclient.discovery.consul.Fixtures.ms;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static List<Duration> delays(Backoff backoff, int count) {
    List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      delays.add(backoff.next());
    }
    return delays;
  }

  @Test
  void delaysDoubleUpToTheMaximumWithinHalfAndAllOfTheCeiling() {
    assertThat(delays(new Backoff(ms(1000), ms(30_000), () -> 0.0), 7))
        .containsExactly(ms(500), ms(1000), ms(2000), ms(4000), ms(8000), ms(15_000), ms(15_000));
    assertThat(delays(new Backoff(ms(1000), ms(30_000), () -> 0.5), 7))
        .containsExactly(ms(750), ms(1500), ms(3000), ms(6000), ms(12_000), ms(22_500), ms(22_500));
  }

  @Test
  void successStartsOver() {
    Backoff backoff = new Backoff(ms(100), ms(1000), () -> 0.0);
    delays(backoff, 5);

    backoff.reset();

    assertThat(backoff.failures()).isZero();
    assertThat(backoff.next()).isEqualTo(ms(50));
  }
}
