package io.meshclient.discovery.consul;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import javax.net.ssl.SSLContext;

/** Settings and discoveries sized for tests: short waits, short backoff. */
final class Fixtures {
  private Fixtures() {}

  static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  /** Wait 1 s, min-interval 10 ms, backoff 50 ms to 200 ms. */
  static ConsulDiscoverySettings.Builder fastSettings(String url) {
    return ConsulDiscoverySettings.builder().url(URI.create(url)).waitTime(Duration.ofSeconds(1))
        .minInterval(ms(10)).backoff(ms(50), ms(200));
  }

  static ConsulDiscovery discovery(ConsulDiscoverySettings settings, ConsulWatchListener events) {
    return discovery(settings, events, WatchClock.SYSTEM);
  }

  static ConsulDiscovery discovery(ConsulDiscoverySettings settings, ConsulWatchListener events,
      WatchClock clock) {
    return discovery(settings, events, clock, () -> ThreadLocalRandom.current().nextDouble());
  }

  static ConsulDiscovery discovery(ConsulDiscoverySettings settings, ConsulWatchListener events,
      WatchClock clock, DoubleSupplier random) {
    try {
      return new ConsulDiscovery(settings, SSLContext.getDefault(), events, clock, random);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
