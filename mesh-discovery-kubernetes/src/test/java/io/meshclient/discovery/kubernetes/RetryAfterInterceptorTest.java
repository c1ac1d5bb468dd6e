package io.meshclient.discovery.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The {@code Retry-After} values an API server may send (RFC 9110: delay-seconds or an HTTP date). */
class RetryAfterInterceptorTest {
  private static final Instant NOW = Instant.parse("2015-10-21T07:27:00Z");

  @Test
  void delaySecondsAndHttpDatesAreReadAndAnythingElseIsIgnored() {
    assertThat(RetryAfterInterceptor.seconds("3", NOW)).isEqualTo(3);
    assertThat(RetryAfterInterceptor.seconds(" 120 ", NOW)).isEqualTo(120);
    assertThat(RetryAfterInterceptor.seconds("Wed, 21 Oct 2015 07:28:00 GMT", NOW)).isEqualTo(60);
    assertThat(RetryAfterInterceptor.seconds("Wed, 21 Oct 2015 07:20:00 GMT", NOW)).isZero(); // already past
    assertThat(RetryAfterInterceptor.seconds(null, NOW)).isEqualTo(-1);
    assertThat(RetryAfterInterceptor.seconds("", NOW)).isEqualTo(-1);
    assertThat(RetryAfterInterceptor.seconds("-1", NOW)).isEqualTo(-1);
    assertThat(RetryAfterInterceptor.seconds("1.5", NOW)).isEqualTo(-1);
    assertThat(RetryAfterInterceptor.seconds("9999999999", NOW)).isEqualTo(-1); // more than 9 digits
  }
}
