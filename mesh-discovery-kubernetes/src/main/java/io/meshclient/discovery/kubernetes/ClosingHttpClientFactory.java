package io.meshclient.discovery.kubernetes;

import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.net.http.HttpClient;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * fabric8's JDK HTTP client, whose connections all close after the discovery does.
 *
 * <p>fabric8 shuts the JDK client's executor down at once when the client closes. The watches' WebSockets
 * have only just sent their close frames then: the API server's replies find no executor to run on, so
 * the WebSockets never finish closing, their sockets stay half-open (CLOSE_WAIT), and the client's
 * {@code HttpClient-N-SelectorManager} thread, which lives while a WebSocket is open, outlives the
 * discovery for good (Java 17's HttpClient has no shutdown of its own). This factory gives each client an
 * executor that is never shut down but keeps no idle thread ({@value #KEEP_ALIVE_SECONDS} s keep-alive,
 * daemon threads {@code mesh-kubernetes-http-N}): the close handshakes complete, the sockets close, and
 * the selector thread ends once the client is unreachable.
 */
final class ClosingHttpClientFactory extends JdkHttpClientFactory {
  static final int KEEP_ALIVE_SECONDS = 1;

  @Override
  protected void additionalConfig(HttpClient.Builder builder) {
    AtomicInteger ids = new AtomicInteger();
    ThreadPoolExecutor executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
        new SynchronousQueue<>(), task -> {
          Thread thread = new Thread(task, "mesh-kubernetes-http-" + ids.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    builder.executor(executor);
  }
}
