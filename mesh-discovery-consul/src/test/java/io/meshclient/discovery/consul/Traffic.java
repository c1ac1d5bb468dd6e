package io.meshclient.discovery.consul;

import io.meshclient.core.Mesh;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Request;
import okhttp3.Response;

/** Calls {@code http://<service>/} through a mesh in a loop on its own thread, counting what answers. */
final class Traffic implements AutoCloseable {
  private final Mesh mesh;
  private final String url;
  private final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  Traffic(Mesh mesh, String service) {
    this.mesh = mesh;
    this.url = "http://" + service + "/";
    this.thread = new Thread(this::run, "traffic-" + service);
    thread.setDaemon(true);
    thread.start();
  }

  /** Calls once on the calling thread and returns the body; a status other than 200 is an error. */
  static String call(Mesh mesh, String url, String... headerNamesAndValues) throws IOException {
    Request.Builder request = new Request.Builder().url(url);
    for (int i = 0; i < headerNamesAndValues.length; i += 2) {
      request.header(headerNamesAndValues[i], headerNamesAndValues[i + 1]);
    }
    try (Response response = mesh.httpClient().newCall(request.build()).execute()) {
      if (response.code() != 200) {
        throw new IOException("HTTP " + response.code() + " from " + url);
      }
      return response.body().string();
    }
  }

  private void run() {
    while (running) {
      try {
        answers.computeIfAbsent(call(mesh, url), k -> new AtomicInteger()).incrementAndGet();
      } catch (IOException | RuntimeException e) {
        failures.add(e.toString());
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** How many calls each backend answered so far. */
  Map<String, Integer> answers() {
    Map<String, Integer> copy = new java.util.TreeMap<>();
    answers.forEach((k, v) -> copy.put(k, v.get()));
    return copy;
  }

  int total() {
    return answers.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  /** Waits until every named backend has answered at least once. */
  void awaitAnswersFrom(String... backends) {
    RecordingListener.await(() -> {
      for (String b : backends) {
        if (!answers.containsKey(b)) {
          return false;
        }
      }
      return true;
    }, Duration.ofSeconds(5), "answers from " + List.of(backends) + " (got " + answers() + ")");
  }

  /** Stops the loop and waits for the call in flight. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
