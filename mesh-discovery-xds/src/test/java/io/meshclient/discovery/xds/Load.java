package io.meshclient.discovery.xds;

import io.meshclient.core.Mesh;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import okhttp3.Request;
import okhttp3.Response;

/** Calls {@code http://<service>/} through a mesh on several threads, recording who answered and when. */
final class Load implements AutoCloseable {
  private final Mesh mesh;
  private final String url;
  private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lastAnswer = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> firstAnswer = new ConcurrentHashMap<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  Load(Mesh mesh, String service, int threadCount) {
    this.mesh = mesh;
    this.url = "http://" + service + "/";
    for (int i = 0; i < threadCount; i++) {
      Thread t = new Thread(this::run, "load-" + service + "-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /** One call on the calling thread; the body names the backend; a status other than 200 is an error. */
  static String call(Mesh mesh, String url) throws IOException {
    try (Response response = mesh.httpClient().newCall(new Request.Builder().url(url).build()).execute()) {
      if (response.code() != 200) {
        throw new IOException("HTTP " + response.code() + " from " + url);
      }
      return response.body().string();
    }
  }

  private void run() {
    while (running) {
      try {
        String backend = call(mesh, url);
        long now = System.nanoTime();
        answers.computeIfAbsent(backend, k -> new AtomicLong()).incrementAndGet();
        lastAnswer.computeIfAbsent(backend, k -> new AtomicLong()).set(now);
        firstAnswer.computeIfAbsent(backend, k -> new AtomicLong(now));
      } catch (IOException | RuntimeException e) {
        failures.add(e.toString());
      }
    }
  }

  long answers(String backend) {
    AtomicLong n = answers.get(backend);
    return n == null ? 0 : n.get();
  }

  /** When {@code backend} last answered (System.nanoTime()), or Long.MIN_VALUE. */
  long lastAnswer(String backend) {
    AtomicLong t = lastAnswer.get(backend);
    return t == null ? Long.MIN_VALUE : t.get();
  }

  /** When {@code backend} first answered, or Long.MAX_VALUE. */
  long firstAnswer(String backend) {
    AtomicLong t = firstAnswer.get(backend);
    return t == null ? Long.MAX_VALUE : t.get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(5_000);
    }
  }

  /** Waits until {@code condition} holds, failing after {@code timeout} with {@code what}. */
  static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  /** Calls {@code url} until a call fails, waiting up to 10 s for {@code what}; returns the failure. */
  static Exception awaitFailure(Mesh mesh, String url, String what) throws InterruptedException {
    java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
    await(() -> {
      try {
        call(mesh, url);
        return false;
      } catch (Exception e) {
        failure.set(e);
        return true;
      }
    }, Duration.ofSeconds(10), what);
    return failure.get();
  }
}
