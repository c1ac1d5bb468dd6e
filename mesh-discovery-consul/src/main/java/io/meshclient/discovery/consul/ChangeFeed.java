package io.meshclient.discovery.consul;

import java.time.Duration;

/**
 * One blocking query after another on one path of the agent ({@code /v1/health/state/any} filtered, or
 * {@code /v1/catalog/services}), on its own daemon thread: the index rules of {@link BlockingIndex}, at least
 * {@code min-interval} between query starts, and each answer handed to a {@link Handler}. What a failure
 * does (report and back off, or wait for the agent) is up to the {@link AgentWatch} that runs it.
 */
final class ChangeFeed implements Runnable {

  /** What a feed's answers mean. */
  interface Handler {
    /**
     * An answer. {@code afterFailure}: queries failed since the previous answer, so changes may have
     * been missed.
     */
    void onAnswer(HealthEndpoint.Raw answer, boolean afterFailure) throws ConsulUnavailableException;
  }

  private final String path;
  private final String filter;
  private final HealthEndpoint endpoint;
  private final AgentWatch agent;
  private final WatchClock clock;
  private final Duration minInterval;
  private final Handler handler;
  private final Thread thread;
  private volatile boolean closed;

  ChangeFeed(String name, String path, String filter, HealthEndpoint endpoint, AgentWatch agent, WatchClock clock,
      Duration minInterval, Handler handler) {
    this.path = path;
    this.filter = filter;
    this.endpoint = endpoint;
    this.agent = agent;
    this.clock = clock;
    this.minInterval = minInterval;
    this.handler = handler;
    this.thread = new Thread(this, "mesh-consul-feed-" + name);
    thread.setDaemon(true);
  }

  String path() {
    return path;
  }

  Thread thread() {
    return thread;
  }

  void start() {
    thread.start();
  }

  @Override
  public void run() {
    long index = 0;
    boolean afterFailure = false;
    try {
      while (!closed) {
        long start = clock.nanoTime();
        try {
          HealthEndpoint.Raw answer = endpoint.block(path, filter, index);
          index = BlockingIndex.next(index, answer.index());
          handler.onAnswer(answer, afterFailure);
        } catch (ConsulUnavailableException e) {
          if (closed) {
            break;
          }
          afterFailure = true;
          agent.feedFailed(this, e, since(start));
          continue;
        }
        if (afterFailure) {
          agent.feedRecovered(this);
          afterFailure = false;
        }
        Duration spent = since(start);
        if (spent.compareTo(minInterval) < 0) {
          clock.sleep(minInterval.minus(spent));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      endpoint.forget(thread);
    }
  }

  private Duration since(long startNanos) {
    return Duration.ofNanos(clock.nanoTime() - startNanos);
  }

  /** Stops the loop, cutting an in-flight query short. */
  void close() {
    closed = true;
    if (thread.isAlive() && thread != Thread.currentThread()) {
      endpoint.cancel(thread);
      thread.interrupt();
    }
  }
}
