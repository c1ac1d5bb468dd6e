package io.meshclient.core.internal;

import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Closes what a closing mesh retires (discoveries' watches, discoveries it created) without letting one that
 * never returns hang {@code Mesh.close()}: on up to {@value #THREADS} daemon threads, so that one stuck close
 * does not hold back the others, waiting for them until a deadline. What is still closing then is logged at
 * WARNING and left to finish in the background.
 */
final class BoundedClose {
  /** The runtime's: what it closes is reported as before, under its name. */
  private static final System.Logger LOG = System.getLogger(MeshRuntime.class.getName());
  private static final int THREADS = 4;

  private BoundedClose() {}

  /**
   * Closes each of {@code resources}, a failure logged at WARNING; returns once all are closed or at {@code
   * deadline} ({@link System#nanoTime()}), whichever is first.
   */
  static void closeAll(List<AutoCloseable> resources, long deadline) {
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
    LOG.log(System.Logger.Level.WARNING, "Closing the mesh: " + Stream.concat(closing.stream(), queue.stream())
        .map(String::valueOf).toList() + " still closing; left to finish in the background");
  }
}
