package io.meshclient.benchmarks.load;

import java.util.Map;

/**
 * One client mode of the load harness: sends one GET and reads the whole response. Called from many
 * threads at once.
 */
interface LoadClient extends AutoCloseable {

  /**
   * Sends one request and reads its whole body.
   *
   * @param thread the calling load thread's index, 0 to threads - 1
   * @param seq this thread's call counter, for client-side round-robin without a shared counter
   * @return whether the response was a 200
   */
  boolean call(int thread, long seq) throws Exception;

  /**
   * Called before each run (warm-up and measurement), with no call in flight.
   *
   * @param length how long the run will take, warm-up included
   */
  default void beforeRun(java.time.Duration length) {}

  /**
   * Called after each run, with no call in flight, with the number of calls made since {@link
   * #beforeRun()} (warm-up included). Returns figures to report; throws if the client's own counters
   * disagree (the honesty check).
   */
  default Map<String, Object> afterRun(long calls) {
    return Map.of();
  }

  @Override
  default void close() throws Exception {}
}
