package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The xDS thread: a task that throws, a timer's included, is logged and the next task runs. */
@Timeout(30)
class XdsExecutorTest {
  final AtomicReference<Thread> thread = new AtomicReference<>();
  final XdsExecutor executor = new XdsExecutor(thread::set);

  @AfterEach
  void stop() throws InterruptedException {
    executor.shutdownNow();
    executor.awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void aTaskOrTimerThatThrowsIsLoggedWithoutItsStackTraceAndTheNextOnesRun() throws Exception {
    try (LogRecorder log = new LogRecorder(XdsExecutor.class)) {
      CountDownLatch ran = new CountDownLatch(1);

      executor.execute(() -> {
        throw new IllegalStateException("a response's task failed");
      });
      executor.schedule(() -> {
        throw new IllegalStateException("a resource timer failed");
      }, 1, TimeUnit.MILLISECONDS);
      executor.schedule(ran::countDown, 20, TimeUnit.MILLISECONDS);

      assertThat(ran.await(10, TimeUnit.SECONDS)).as("the task after them ran").isTrue();
      assertThat(log.warnings()).containsExactly(
          "xDS: a task on the xDS thread failed; the xDS client goes on: java.lang.IllegalStateException: "
              + "a response's task failed",
          "xDS: a task on the xDS thread failed; the xDS client goes on: java.lang.IllegalStateException: "
              + "a resource timer failed");
      assertThat(log.warningRecords()).extracting(LogRecord::getThrown).containsOnlyNulls();
      assertThat(thread.get().getName()).isEqualTo("mesh-xds");
      assertThat(thread.get().isDaemon()).isTrue();
    }
  }

  @Test
  void theStackTraceIsLoggedAtFine() throws Exception {
    Logger logger = Logger.getLogger(XdsExecutor.class.getName());
    Level level = logger.getLevel();
    logger.setLevel(Level.FINE); // the console's handler stays at INFO: nothing of it is printed
    try (LogRecorder log = new LogRecorder(XdsExecutor.class)) {
      IllegalStateException failure = new IllegalStateException("a reconnect failed");

      executor.execute(() -> {
        throw failure;
      });
      executor.submit(() -> {}).get(10, TimeUnit.SECONDS); // one thread: the failure is logged by then

      assertThat(log.records()).filteredOn(r -> r.getLevel() == Level.FINE).extracting(LogRecord::getThrown)
          .containsExactly(failure);
    } finally {
      logger.setLevel(level);
    }
  }

  @Test
  void aTimerCancelledWhileItRunsIsNoFailureAndTheThreadGoesOn() throws Exception {
    try (LogRecorder log = new LogRecorder(XdsExecutor.class)) {
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      ScheduledFuture<?> timer = executor.schedule(() -> {
        running.countDown();
        release.await();
        return null;
      }, 1, TimeUnit.MILLISECONDS);
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      Thread first = thread.get();

      timer.cancel(false);
      release.countDown();
      executor.submit(() -> {}).get(10, TimeUnit.SECONDS);

      assertThat(log.records()).isEmpty();
      assertThat(thread.get()).as("the same thread: none died").isSameAs(first);
    }
  }
}
