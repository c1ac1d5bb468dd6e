package io.meshclient.core;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The mesh dispatcher's threads: OkHttp's default pool until the mesh closes; then the pool's threads
 * stop and each task runs on the thread that submits it, where the mesh interceptor refuses the call at
 * once. So an asynchronous call to a closed mesh gets {@code onFailure} with a {@link
 * io.meshclient.api.MeshClosedException} rather than OkHttp's "executor rejected" (OkHttp fails calls
 * without running them when its executor reports itself shut down, so this one never does).
 */
final class DispatcherExecutor extends AbstractExecutorService {
  private final AtomicInteger threads = new AtomicInteger();
  private final ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
      new SynchronousQueue<>(), task -> new Thread(task, "OkHttp Dispatcher (mesh) " + threads.incrementAndGet()));
  private volatile boolean stopped;

  @Override
  public void execute(Runnable task) {
    if (!stopped) {
      try {
        pool.execute(task);
        return;
      } catch (RejectedExecutionException stoppedMeanwhile) {
        // the mesh closed between the check and the submit: run it here, as below
      }
    }
    task.run();
  }

  /** Stops the pool's threads once their tasks end; later tasks run on the submitting thread. */
  @Override
  public void shutdown() {
    stopped = true;
    pool.shutdown();
  }

  @Override
  public List<Runnable> shutdownNow() {
    stopped = true;
    return pool.shutdownNow();
  }

  /** Always false: this executor never refuses a task. */
  @Override
  public boolean isShutdown() {
    return false;
  }

  @Override
  public boolean isTerminated() {
    return false;
  }

  /** Waits for the pool's threads to end after {@link #shutdown()}. */
  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return pool.awaitTermination(timeout, unit);
  }

  /** Whether the pool's threads have all ended after {@link #shutdown()}. */
  boolean threadsStopped() {
    return pool.isTerminated();
  }
}
