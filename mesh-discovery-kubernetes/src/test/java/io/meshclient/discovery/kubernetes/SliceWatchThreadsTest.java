package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceDiscovery;
import io.meshclient.api.ServiceInstance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A watch's deliveries from several threads, driven through {@link SliceWatch#steps} into the orders that matter: the
 * hand-over from the caller, who delivers the first list holding its own lock (the mesh builds under one, which its
 * listener takes), to the informer threads that deliver every change after it; and a restart meeting a delivery.
 */
@Timeout(60)
class SliceWatchThreadsTest {
  private static final String SLICES = "/apis/discovery.k8s.io/v1/namespaces/test/endpointslices";

  private final ApiServer api = ApiServer.crud();
  private final RetryAfterInterceptor retryAfter = new RetryAfterInterceptor(1000);

  @AfterEach
  void stop() {
    retryAfter.close();
    api.close();
  }

  @Test
  void aChangeLeftToTheCallerWhileAnInformerThreadDeliversNeitherDeadlocksNorIsLost() throws Exception {
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
    Object meshLock = new Object();
    CountDownLatch changeLeftToCaller = new CountDownLatch(1);
    CountDownLatch informerDelivering = new CountDownLatch(1);
    RecordingListener recorded = new RecordingListener();
    Thread[] caller = new Thread[1];
    SliceWatch[] self = new SliceWatch[1];
    ServiceDiscovery.Listener listener = instances -> {
      if (Thread.currentThread() != caller[0]) {
        informerDelivering.countDown(); // it holds the watch's lock; the mesh's it waits for
      }
      synchronized (meshLock) {
        recorded.onSnapshot(instances);
        if (recorded.snapshots.size() == 1) { // the first list, on the caller's thread
          changeWhileTheCallerDelivers(self[0], changeLeftToCaller);
        }
      }
    };
    SliceWatch watch = watch(listener);
    self[0] = watch;
    watch.steps = step -> {
      if (step == SliceWatch.Step.CHANGE_LEFT_TO_CALLER) {
        changeLeftToCaller.countDown();
      } else if (step == SliceWatch.Step.STARTED) { // an informer thread delivers, waiting for the mesh's lock
        api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"),
            endpoint("10.0.0.2", null, "zone-a"), endpoint("10.0.0.3", null, "zone-a"));
        await(informerDelivering, "an informer thread delivering");
      }
    };
    caller[0] = new Thread(() -> {
      synchronized (meshLock) { // as the mesh, building
        watch.begin();
        awaitFirstList(watch);
      }
    }, "building-the-mesh");
    caller[0].setDaemon(true);

    caller[0].start();
    caller[0].join(20_000);

    assertThat(caller[0].isAlive()).as("the caller still in awaitFirstList: deadlocked").isFalse();
    recorded.awaitIds("10.0.0.1:9080", "10.0.0.2:9080", "10.0.0.3:9080");
    assertThat(recorded.snapshots.get(0)).extracting(ServiceInstance::id).containsExactly("10.0.0.1:9080");
    watch.close();
  }

  @Test
  void aDeliveryThatMeetsARestartKeepsTheInstancesUntilTheNewInformerHasListed() throws Exception {
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
    RecordingListener recorded = new RecordingListener();
    SliceWatch watch = watch(recorded);
    watch.begin();
    awaitFirstList(watch);
    awaitWatchEvents(1); // its watch open: closing one while the mock writes to it stalls the mock (CountingWatch)
    api.refuseTheList(SLICES, 503, "1", new CopyOnWriteArrayList<>()); // the new informer lists once let
    Thread refreshing = Thread.currentThread();
    AtomicBoolean restarted = new AtomicBoolean();
    watch.steps = step -> {
      if (step == SliceWatch.Step.DELIVERING && Thread.currentThread() == refreshing && restarted.compareAndSet(false,
          true)) {
        watch.restart(); // as the API server probe does, on its own thread, just before this one takes the lock
      }
    };

    watch.refresh(Duration.ZERO); // as a pod's labels changing does
    api.gate = request -> null;
    RecordingListener.await(watch::watching, Duration.ofSeconds(10), "the new informer listing and watching");

    assertThat(restarted).isTrue();
    assertThat(recorded.snapshots).as("no snapshot of the new informer's store before it listed: empty")
        .extracting(snapshot -> snapshot.stream().map(ServiceInstance::id).toList())
        .containsExactly(List.of("10.0.0.1:9080"));
    awaitWatchEvents(2);
    watch.close();
  }

  @Test
  void aPodWhoseLabelsChangeOnceItsNewEndpointIsMappedIsMappedAgain() throws Exception {
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", "reviews-1", "zone-a"));
    Map<String, Map<String, String>> podStore = new java.util.concurrent.ConcurrentHashMap<>(Map.of(
        "reviews-1", Map.of("version", "v1"), "reviews-2", Map.of("version", "v1")));
    SliceWatch[] self = new SliceWatch[1];
    AtomicBoolean changed = new AtomicBoolean();
    CountDownLatch podThreadChecked = new CountDownLatch(1);
    EndpointSlices.PodLabels pods = pod -> {
      Map<String, String> read = podStore.getOrDefault(pod, Map.of());
      if (pod.equals("reviews-2") && changed.compareAndSet(false, true)) {
        // the pod's labels change just after this delivery read them, and the pod informer's thread tells the
        // watches as KubernetesDiscovery.podLabelsChanged does, while this delivery still holds the watch's lock
        podStore.put("reviews-2", Map.of("version", "v2"));
        Thread podInformer = new Thread(() -> {
          boolean references = self[0].references("reviews-2");
          podThreadChecked.countDown();
          if (references) {
            self[0].refresh(Duration.ZERO);
          }
        }, "pod-informer");
        podInformer.setDaemon(true);
        podInformer.start();
        await(podThreadChecked, "the pod informer's thread checking the watch");
      }
      return read;
    };
    RecordingListener recorded = new RecordingListener();
    SliceWatch watch = new SliceWatch(api.client, ApiServer.NAMESPACE, "reviews", "", recorded, pods,
        new KubernetesWatchListener() {}, () -> {}, new StatusTracker(), retryAfter, () -> null);
    self[0] = watch;
    watch.begin();
    awaitFirstList(watch);
    awaitWatchEvents(1); // its watch open: a change made before may not be sent

    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", "reviews-1", "zone-a"),
        endpoint("10.0.0.2", "reviews-2", "zone-a"));

    RecordingListener.await(changed::get, Duration.ofSeconds(10), "the delivery mapping 10.0.0.2");
    RecordingListener.await(() -> recorded.last().size() == 2 && recorded.last().stream()
        .allMatch(i -> !i.id().equals("10.0.0.2:9080") || "v2".equals(i.metadata().get("version"))),
        Duration.ofSeconds(10), "10.0.0.2 with its pod's labels now (version v2)");
    watch.close();
  }

  private void awaitWatchEvents(int count) {
    RecordingListener.await(() -> api.watchEventsSent.get() >= count, Duration.ofSeconds(10), count + " watch events");
  }

  private SliceWatch watch(ServiceDiscovery.Listener listener) {
    return new SliceWatch(api.client, ApiServer.NAMESPACE, "reviews", "", listener, pod -> Map.of(),
        new KubernetesWatchListener() {}, () -> {}, new StatusTracker(), retryAfter, () -> null);
  }

  private static void awaitFirstList(SliceWatch watch) {
    watch.awaitFirstList(System.nanoTime() + TimeUnit.SECONDS.toNanos(20), Duration.ofSeconds(20));
  }

  /**
   * Changes the slice until an informer thread has seen a change and left it to the caller, still delivering the
   * first list: the mock may not send what changed before its watch opened, so a change may go unseen.
   */
  private void changeWhileTheCallerDelivers(SliceWatch watch, CountDownLatch changeLeftToCaller) {
    RecordingListener.await(watch::watching, Duration.ofSeconds(10), "the informer watching");
    for (int i = 0; i < 10 && changeLeftToCaller.getCount() > 0; i++) {
      api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"),
          endpoint("10.0.0.2", null, "zone-a"));
      try {
        changeLeftToCaller.await(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    assertThat(changeLeftToCaller.getCount()).as("a change left to the caller").isZero();
  }

  private static void await(CountDownLatch latch, String what) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("timed out waiting for " + what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what);
    }
  }
}
