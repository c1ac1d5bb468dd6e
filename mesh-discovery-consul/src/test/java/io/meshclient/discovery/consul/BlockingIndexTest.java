package io.meshclient.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BlockingIndexTest {

  @Test
  void indexMovingForwardIsSentNext() {
    assertThat(BlockingIndex.next(0, 42)).isEqualTo(42);
    assertThat(BlockingIndex.next(42, 43)).isEqualTo(43);
    assertThat(BlockingIndex.next(42, 42)).isEqualTo(42);
  }

  @Test
  void staleIndexResetsToZero() {
    assertThat(BlockingIndex.next(42, 7)).isZero();
    assertThat(BlockingIndex.next(42, 0)).isZero();
  }

  @Test
  void zeroIsNeverSentTwiceInARow() {
    assertThat(BlockingIndex.next(0, 0)).isEqualTo(1);
  }

  @Test
  void indexesAreUnsigned() {
    long above = Long.MIN_VALUE; // 2^63 as an unsigned number
    assertThat(BlockingIndex.next(Long.MAX_VALUE, above)).isEqualTo(above);
    assertThat(BlockingIndex.next(above, Long.MAX_VALUE)).isZero();
  }
}
