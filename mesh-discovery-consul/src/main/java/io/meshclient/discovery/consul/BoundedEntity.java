package io.meshclient.discovery.consul;

import io.meshclient.api.spi.SettingValues;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.apache.http.HttpEntity;
import org.apache.http.conn.EofSensorInputStream;
import org.apache.http.entity.HttpEntityWrapper;

/**
 * An answer's body, read within a size and a time bound. consul-api reads every body whole into a string,
 * and a socket read timeout bounds only the gap between two bytes: an agent (or anything posing as one)
 * that sends a body without end, or one byte a second, would otherwise hold a watch thread and grow its
 * memory for ever. Past {@code maxBytes} reading fails with {@link MalformedAnswerException}, past the
 * deadline with {@link SocketTimeoutException}; either way httpclient drops the connection.
 */
final class BoundedEntity extends HttpEntityWrapper {
  private final long maxBytes;
  private final long deadlineNanos;
  private final Duration budget;

  /**
   * @throws MalformedAnswerException if the entity declares a length over {@code maxBytes}: refused before
   *     a byte is read (httpclient would size its buffer by it)
   */
  BoundedEntity(HttpEntity entity, long maxBytes, long startNanos, Duration budget)
      throws MalformedAnswerException {
    super(entity);
    if (entity.getContentLength() > maxBytes) {
      throw new MalformedAnswerException("answer of " + entity.getContentLength() + " bytes is larger than "
          + mebibytes(maxBytes));
    }
    this.maxBytes = maxBytes;
    this.deadlineNanos = startNanos + budget.toNanos();
    this.budget = budget;
  }

  @Override
  public InputStream getContent() throws IOException {
    return new FilterInputStream(super.getContent()) {
      private long count;
      private boolean broken;

      /**
       * After a bound is broken the connection is dropped, not drained: httpclient's close() reads the
       * rest of a body to reuse the connection, which is what the bound is there to prevent.
       */
      @Override
      public void close() throws IOException {
        if (broken && in instanceof EofSensorInputStream sensor) {
          sensor.abortConnection();
        } else if (!broken) {
          super.close();
        }
      }

      @Override
      public int read() throws IOException {
        int b = super.read();
        counted(b < 0 ? 0 : 1);
        return b;
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        counted(Math.max(n, 0));
        return n;
      }

      private void counted(int n) throws IOException {
        count += n;
        if (count > maxBytes) {
          broken = true;
          throw new MalformedAnswerException("answer larger than " + mebibytes(maxBytes));
        }
        if (System.nanoTime() - deadlineNanos > 0) {
          broken = true;
          throw new SocketTimeoutException("answer not complete within "
              + SettingValues.formatDuration(Duration.ofMillis(budget.toMillis())));
        }
      }
    };
  }

  private static String mebibytes(long bytes) {
    return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
  }
}
