package io.meshclient.discovery.xds;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The xDS thread of one discovery, {@code mesh-xds} (a daemon): it runs every task of the discovery, the
 * responses, the watches and the timers (resource timeouts, reconnect backoff, the stream's handshake). A task
 * that throws is logged at WARNING, its exception's message only (the stack trace at FINE), and the thread goes
 * on with the next task. A {@link ScheduledThreadPoolExecutor} keeps what a task throws in the task's {@link
 * Future}, which nothing here reads: it was lost without a word. A timer cancelled is removed from the queue at
 * once.
 */
final class XdsExecutor extends ScheduledThreadPoolExecutor {
  private static final Logger LOG = Logger.getLogger(XdsExecutor.class.getName());

  /** {@code started} is told of the thread when it is created, before it runs any task. */
  XdsExecutor(Consumer<Thread> started) {
    super(1, r -> {
      Thread t = new Thread(r, "mesh-xds");
      t.setDaemon(true);
      started.accept(t);
      return t;
    });
    // A timer cancelled leaves the queue at once: a TTL (up to 596 h) restarted by each heartbeat would otherwise
    // keep every timer it replaced queued, with its resource's name and version, until its TTL passed.
    setRemoveOnCancelPolicy(true);
  }

  @Override
  protected void afterExecute(Runnable task, Throwable thrown) {
    super.afterExecute(task, thrown);
    Throwable failure = thrown;
    if (failure == null && task instanceof Future<?> f && f.isDone()) { // every task is one (ScheduledFutureTask)
      try {
        f.get();
      } catch (ExecutionException e) {
        failure = e.getCause();
      } catch (CancellationException e) {
        // a timer no longer needed: nothing failed
      } catch (InterruptedException e) { // not waited for: the task is done
        Thread.currentThread().interrupt();
      }
    }
    if (failure != null) {
      Throwable logged = failure;
      LOG.warning(() -> "xDS: a task on the xDS thread failed; the xDS client goes on: "
          + ServerStrings.printable(logged.toString(), ResourceUpdate.MAX_DETAIL)); // it may hold a resource's name
      LOG.log(Level.FINE, "xDS: the task's failure", logged);
    }
  }
}
