package io.meshclient.core.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the runtime retires, a reconfiguration or the close: discoveries' watches, then discoveries it created,
 * closed once its lock is released without letting one that never returns hang the reload or {@code
 * Mesh.close()}. Each phase runs on up to {@value #THREADS} daemon threads, so that one stuck close does not
 * hold back the others, and is waited for at most {@link #PHASE_WAIT}; what is still closing then is logged at
 * WARNING and left to finish in the background. Filled under the runtime's lock, closed by one thread.
 */
final class BoundedClose {
  /** The runtime's: what it closes is reported as before, under its name. */
  private static final System.Logger LOG = System.getLogger(MeshRuntime.class.getName());
  private static final int THREADS = 4;
  /** How long {@link #close()} waits for the watches, and then for the discoveries, to close. */
  static final Duration PHASE_WAIT = Duration.ofSeconds(5);

  /** What retires them, for the log: "Closing the mesh", "Reconfiguring the mesh". */
  private final String doing;
  /** Closed first: a watch may need its discovery to close. */
  final List<AutoCloseable> watches = new ArrayList<>();
  final List<AutoCloseable> discoveries = new ArrayList<>();

  BoundedClose(String doing) {
    this.doing = doing;
  }

  /**
   * Closes the watches, then the discoveries, a failure logged at WARNING; each phase waited for at most {@link
   * #PHASE_WAIT}.
   */
  void close() {
    closeAll(watches, System.nanoTime() + PHASE_WAIT.toNanos());
    closeAll(discoveries, System.nanoTime() + PHASE_WAIT.toNanos());
  }

  /**
   * Returns once all of {@code resources} are closed or at {@code deadline} ({@link System#nanoTime()}), whichever
   * is first.
   */
  private void closeAll(List<AutoCloseable> resources, long deadline) {
    if (resources.isEmpty()) {
      return;
    }
    Queue<AutoCloseable> queue = new ConcurrentLinkedQueue<>(resources);
    Set<AutoCloseable> closing = ConcurrentHashMap.newKeySet();
    CountDownLatch closed = new CountDownLatch(resources.size());
    Runnable closer = () -> {
      for (AutoCloseable resource; (resource = queue.poll()) != null; ) {
        closing.add(resource);
        try {
          resource.close();
        } catch (Exception | Error e) {
          LOG.log(System.Logger.Level.WARNING, "Closing " + resource + " failed: " + e);
        } finally {
          closing.remove(resource);
          closed.countDown();
        }
      }
    };
    for (int i = 0; i < Math.min(THREADS, resources.size()); i++) {
      Thread thread = new Thread(closer, "mesh-close");
      thread.setDaemon(true);
      thread.start();
    }
    try {
      if (closed.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.log(System.Logger.Level.WARNING, doing + ": " + Stream.concat(closing.stream(), queue.stream())
        .map(String::valueOf).toList() + " still closing; left to finish in the background");
  }
}
