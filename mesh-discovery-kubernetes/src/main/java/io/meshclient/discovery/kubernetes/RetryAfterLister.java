package io.meshclient.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.internal.AbstractWatchManager;
import io.fabric8.kubernetes.client.impl.BaseClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.impl.DefaultSharedIndexInformer;
import io.fabric8.kubernetes.client.informers.impl.ListerWatcher;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Lists for an informer, waiting out inside the list after a 429 or 503 answer (what it asked, {@code
 * Retry-After}, or the informer's backoff without one: see {@link RetryAfterInterceptor}) and asking again then,
 * as often as it takes; reports each such answer at once. Any other failure reaches the informer, whose exception
 * handler reports it and which retries after its backoff.
 *
 * <p>Why inside the list: a fabric8 8.0.0 informer's backoff cannot be set per failure, and every failure it
 * hears of it logs with its stack trace, at WARN when it retries or at ERROR when its exception handler stops
 * it; the API server throttling is expected and heals by itself, and deserves neither. fabric8's own retry
 * within a request cannot do it either: it makes the caller wait unreported (turned off, see {@link
 * KubernetesDiscovery}), ignores {@code Retry-After}, and a request's fail-safe timeout (request timeout and up
 * to 5 s) ends any wait an interceptor's {@code afterFailure} would spend. So the informer is built, as {@code
 * runnableInformer(0)} builds it, over this lister instead of over the DSL operation (fabric8's {@code
 * informers.impl} types: checked against 8.0.0 by this module's tests). A list asked while a wait is pending
 * (a restarted informer's) waits the rest first. Thread-safe.
 */
final class RetryAfterLister<T extends HasMetadata, L extends KubernetesResourceList<T>>
    implements ListerWatcher<T, L> {
  /** Told of each list refused with a wait: the failure and how long until the list is asked again. */
  interface Throttled {
    void report(Throwable failure, RetryAfterInterceptor.Wait wait);
  }

  private final ListerWatcher<T, L> operation;
  private final RetryAfterInterceptor retryAfter;
  private final Throttled throttled;
  /** Set once the informer stopped: a list waiting is then dropped, never asked again. */
  private volatile boolean stopped;

  private RetryAfterLister(ListerWatcher<T, L> operation, RetryAfterInterceptor retryAfter, Throttled throttled) {
    this.operation = operation;
    this.retryAfter = retryAfter;
    this.throttled = throttled;
  }

  /**
   * A new informer (no resync) of {@code type} over {@code operation}, an operation of {@code client} that
   * {@code runnableInformer(0)} would be called on, such as {@code client.pods().inNamespace(ns)}, whose lists
   * wait out what the API server asks. fabric8 implements every such operation with a {@link ListerWatcher}.
   */
  @SuppressWarnings("unchecked")
  static <T extends HasMetadata, L extends KubernetesResourceList<T>> SharedIndexInformer<T> informer(
      KubernetesClient client, Class<T> type, Informable<T> operation, RetryAfterInterceptor retryAfter,
      Throttled throttled) {
    RetryAfterLister<T, L> lister = new RetryAfterLister<>((ListerWatcher<T, L>) operation, retryAfter, throttled);
    DefaultSharedIndexInformer<T, L> informer = new DefaultSharedIndexInformer<>(type, lister, 0,
        client.adapt(BaseClient.class).getExecutor());
    informer.stopped().whenComplete((ignored, t) -> lister.stopped = true);
    return informer;
  }

  @Override
  public CompletableFuture<L> submitList(ListOptions options) {
    CompletableFuture<L> listed = new CompletableFuture<>();
    Duration pending = retryAfter.pending();
    if (pending == null || !retryAfter.schedule(() -> list(options, listed, 1), pending)) {
      list(options, listed, 1);
    }
    return listed;
  }

  /** Lists, and after a refusal that asked to wait, reports it and lists again after the wait. */
  private void list(ListOptions options, CompletableFuture<L> listed, int attempt) {
    if (stopped) {
      return; // the informer no longer waits for this list
    }
    operation.submitList(options).whenComplete((list, t) -> {
      RetryAfterInterceptor.Wait wait = t == null || stopped ? null : retryAfter.waitAfter(t, attempt);
      if (wait == null) {
        complete(listed, list, t);
        return;
      }
      throttled.report(t, wait);
      if (!retryAfter.schedule(() -> list(options, listed, attempt + 1), wait.duration())) {
        complete(listed, list, t); // the discovery is closing
      }
    });
  }

  private static <L> void complete(CompletableFuture<L> listed, L list, Throwable t) {
    if (t == null) {
      listed.complete(list);
    } else {
      listed.completeExceptionally(t);
    }
  }

  @Override
  public CompletableFuture<AbstractWatchManager<T>> submitWatch(ListOptions options, Watcher<T> watcher) {
    return operation.submitWatch(options, watcher);
  }

  @Override
  public Long getLimit() {
    return operation.getLimit();
  }

  @Override
  public int getWatchReconnectInterval() {
    return operation.getWatchReconnectInterval();
  }

  @Override
  public String getApiEndpointPath() {
    return operation.getApiEndpointPath();
  }

  @Override
  public Config getConfig() {
    return operation.getConfig();
  }
}
