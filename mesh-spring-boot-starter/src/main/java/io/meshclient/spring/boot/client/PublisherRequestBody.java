package io.meshclient.spring.boot.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.stream.Stream;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;

/**
 * A request body streamed from a {@code Publisher<DataBuffer>} while OkHttp writes it, on OkHttp's own
 * thread: a few buffers are requested ahead (backpressure), each is written and released, so a body of
 * any size passes through a bounded amount of memory. One-shot: it can be written once, so the mesh never
 * sends it again. When the write fails (the call was cancelled, the connection broke) the subscription is
 * cancelled and buffers fetched ahead are released. When the publisher fails, the call is cancelled (the
 * caller's failure, which the mesh does not blame on the instance) and the write fails with an {@link
 * IOException} (OkHttp would rethrow any other exception, uncaught, on its dispatcher thread); the
 * publisher's own error is kept for the caller ({@link #failure()}).
 */
final class PublisherRequestBody extends RequestBody {
  /** Buffers requested ahead of the socket. */
  private static final int PREFETCH = 4;

  private final Flux<? extends DataBuffer> body;
  private final MediaType mediaType;
  private final long contentLength;
  /** What the publisher failed with, once it has. */
  private volatile Throwable failure;
  /** The call that writes this body, cancelled if the publisher fails. */
  private volatile Call call;

  PublisherRequestBody(Flux<? extends DataBuffer> body, MediaType mediaType, long contentLength) {
    this.body = body.doOnDiscard(DataBuffer.class, DataBufferUtils::release);
    this.mediaType = mediaType;
    this.contentLength = contentLength;
  }

  @Override
  public MediaType contentType() {
    return mediaType;
  }

  @Override
  public long contentLength() {
    return contentLength;
  }

  @Override
  public boolean isOneShot() {
    return true;
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    // Closing the stream cancels the subscription when the loop ends early.
    try (Stream<? extends DataBuffer> buffers = body.toStream(PREFETCH)) {
      buffers.forEach(buffer -> {
        try (DataBuffer.ByteBufferIterator chunks = buffer.readableByteBuffers()) {
          while (chunks.hasNext()) {
            ByteBuffer chunk = chunks.next();
            while (chunk.hasRemaining()) {
              sink.write(chunk);
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } finally {
          DataBufferUtils.release(buffer);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (RuntimeException e) { // the publisher's error, as Reactor's blocking stream throws it
      Throwable failed = Exceptions.unwrap(e);
      failure = failed;
      Call writing = call;
      if (writing != null) {
        writing.cancel();
      }
      throw new IOException("the request body's publisher failed: " + failed, failed);
    }
  }

  /** Makes {@code writing}, the call that sends this body, the one a failure of the publisher cancels. */
  void cancelsOnFailure(Call writing) {
    this.call = writing;
  }

  /** The error the body's publisher ended with while it was written, or null if it did not fail. */
  Throwable failure() {
    return failure;
  }
}
