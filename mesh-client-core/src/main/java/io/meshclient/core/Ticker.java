package io.meshclient.core;

/**
 * A source of monotonic time in nanoseconds, injected wherever the mesh measures time so that tests
 * drive it instead of sleeping.
 */
@FunctionalInterface
public interface Ticker {

  /** Nanoseconds from an arbitrary origin; only differences are meaningful. */
  long nanoTime();

  /** The system's monotonic clock, {@link System#nanoTime()}. */
  static Ticker system() {
    return System::nanoTime;
  }
}
