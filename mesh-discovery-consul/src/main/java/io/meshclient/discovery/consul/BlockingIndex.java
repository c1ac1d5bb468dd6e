package io.meshclient.discovery.consul;

/**
 * The index rules of Consul's blocking queries (see Consul's "Blocking Queries" documentation, section
 * "Implementation details").
 */
final class BlockingIndex {
  private BlockingIndex() {}

  /**
   * The index to send next, given the one just sent and the {@code X-Consul-Index} received. Indexes are
   * unsigned 64-bit numbers.
   *
   * <ul>
   *   <li>An index that went backwards (a Consul restore, a different server) resets to 0: a fresh,
   *       non-blocking read.
   *   <li>Otherwise the index is at least 1: index 0 never blocks, so sending it twice in a row after a
   *       buggy 0 would turn the watch into a busy loop.
   * </ul>
   */
  static long next(long sent, long received) {
    if (Long.compareUnsigned(received, sent) < 0) {
      return 0;
    }
    return received == 0 ? 1 : received;
  }
}
