package io.meshclient.samples.bookinfo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays the users: sends {@code GET /productpage} from a few threads, some requests as {@code end-user:
 * jason}, in a shuffled order. It counts only what it sent and what failed; what happened inside
 * Bookinfo is counted by the services.
 */
final class TrafficDriver {
  private final URI page;
  private final int threads;
  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  TrafficDriver(int productPagePort, int threads) {
    this.page = URI.create("http://127.0.0.1:" + productPagePort + "/productpage");
    this.threads = threads;
  }

  /** What the driver sent. */
  record Result(int anonymous, int jason, int failed, long millis) {}

  Result run(int anonymous, int jason) throws Exception {
    List<Boolean> asJason = new ArrayList<>(Collections.nCopies(anonymous, false));
    asJason.addAll(Collections.nCopies(jason, true));
    Collections.shuffle(asJason, new Random(42));
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < asJason.size(); i = next.getAndIncrement()) {
            if (!send(asJason.get(i))) {
              failed.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (Future<?> worker : workers) {
        worker.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return new Result(anonymous, jason, failed.get(), (System.nanoTime() - start) / 1_000_000);
  }

  private boolean send(boolean jason) {
    HttpRequest.Builder request = HttpRequest.newBuilder(page).timeout(Duration.ofSeconds(5)).GET();
    if (jason) {
      request.header("end-user", "jason");
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
