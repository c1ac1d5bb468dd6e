package io.meshclient.core.internal;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value made on first use, once: the first caller makes it, callers racing with it wait. Used for what
 * a mesh should not pay for when it is built (its OkHttpClient, its circuit-breaker registry), so that an
 * application's start-up does not load the classes behind them. Thread-safe.
 */
public final class Lazy<T> {
  private final Supplier<T> factory;
  private volatile T value;

  /** A value {@code factory} makes on the first {@link #get()}. */
  public Lazy(Supplier<T> factory) {
    this.factory = Objects.requireNonNull(factory, "factory");
  }

  /** A value that exists already. */
  public static <T> Lazy<T> of(T value) {
    Lazy<T> lazy = new Lazy<>(() -> value);
    lazy.value = Objects.requireNonNull(value, "value");
    return lazy;
  }

  /** The value, made now if it was not yet. */
  public T get() {
    T v = value;
    if (v == null) {
      synchronized (this) {
        v = value;
        if (v == null) {
          v = Objects.requireNonNull(factory.get(), "factory returned null");
          value = v;
        }
      }
    }
    return v;
  }

  /** The value if it was made (waiting for one being made now), else null: nothing to use or clean up. */
  public synchronized T ifMade() {
    return value;
  }
}
