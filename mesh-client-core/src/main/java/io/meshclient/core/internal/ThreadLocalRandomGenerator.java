package io.meshclient.core.internal;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * The mesh's default source of split draws. Each call asks the calling thread's {@link ThreadLocalRandom},
 * which a stored {@code ThreadLocalRandom} instance used from other threads would not do.
 */
public final class ThreadLocalRandomGenerator implements RandomGenerator {
  @Override
  public long nextLong() {
    return ThreadLocalRandom.current().nextLong();
  }

  @Override
  public int nextInt(int bound) {
    return ThreadLocalRandom.current().nextInt(bound);
  }
}
