package io.meshclient.discovery.consul;

import io.meshclient.api.ServiceInstance;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Hands a watch's first answer from its thread to the thread that called {@code watch()}, so that the
 * first snapshot is delivered before {@code watch()} returns: a mesh built from configuration then knows
 * its instances as soon as it is built. Delivering on the caller's thread (rather than waiting for the
 * watch thread to deliver) matters: callers may hold a lock that their listener takes too.
 *
 * <p>The caller waits a bounded time; a failed first query, or an answer too late, ends the wait and
 * the watch thread delivers as usual.
 */
final class FirstAnswer {
  private List<ServiceInstance> offered;
  private boolean open = true;
  private boolean taken;

  /**
   * Watch thread: offers the answer to the waiting caller and waits until the caller is done.
   *
   * @return whether the caller delivered it; if not, the watch thread must
   */
  synchronized boolean handOff(List<ServiceInstance> answer) throws InterruptedException {
    if (!open) {
      return false;
    }
    offered = answer;
    notifyAll();
    while (open) {
      wait();
    }
    return taken;
  }

  /** Watch thread: the first query failed; the caller stops waiting. */
  synchronized void fail() {
    open = false;
    notifyAll();
  }

  /** Caller: waits up to {@code max} for the first answer and, if it comes, delivers it on this thread. */
  synchronized void await(Duration max, Consumer<List<ServiceInstance>> deliver) {
    long deadline = System.nanoTime() + max.toNanos();
    try {
      while (open && offered == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      if (open && offered != null) {
        deliver.accept(offered);
        taken = true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open = false;
      notifyAll();
    }
  }
}
