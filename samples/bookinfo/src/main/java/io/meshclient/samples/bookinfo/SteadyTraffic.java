package io.meshclient.samples.bookinfo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Plays the users until closed, for the Istio mode: two threads load {@code /productpage} anonymously, one
 * as {@code end-user: jason} (what Istio's productpage sends after jason signs in), each pausing between
 * pages. jason has his own thread so that a fault delaying him does not slow the others. What happened
 * inside Bookinfo is counted by the services, not here.
 */
final class SteadyTraffic implements AutoCloseable {
  private static final Duration PAUSE = Duration.ofMillis(20);
  private final URI page;
  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean stopped;

  SteadyTraffic(int productPagePort) {
    this.page = URI.create("http://127.0.0.1:" + productPagePort + "/productpage");
  }

  /** Starts the users' threads. */
  SteadyTraffic start() {
    for (String user : new String[] {null, null, "jason"}) {
      Thread t = new Thread(() -> loop(user), "bookinfo-user-" + (user == null ? "anonymous" : user));
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    return this;
  }

  private void loop(String user) {
    HttpRequest.Builder request = HttpRequest.newBuilder(page).timeout(Duration.ofSeconds(15)).GET();
    if (user != null) {
      request.header("end-user", user);
    }
    HttpRequest built = request.build();
    while (!stopped) {
      try {
        http.send(built, HttpResponse.BodyHandlers.discarding());
        Thread.sleep(PAUSE.toMillis());
      } catch (InterruptedException e) {
        return;
      } catch (java.io.IOException e) {
        // productpage counts what it served; a page the driver could not load shows as a missing count
      }
    }
  }

  /** Stops the users and waits for pages in flight. */
  @Override
  public void close() {
    stopped = true;
    for (Thread t : threads) {
      t.interrupt();
    }
    for (Thread t : threads) {
      try {
        t.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
