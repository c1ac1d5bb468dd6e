package io.meshclient.benchmarks.load;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/**
 * Raw OkHttp 5 with keep-alive, round-robin over the given URLs on the client side: the floor ({@code
 * okhttp}, and its A/A twin {@code okhttp-aa}), and, with the one URL of the nginx proxy, the {@code
 * sidecar} mode. The pool keeps {@code threads} idle connections per URL: OkHttp's default (5 in all)
 * would make 8 threads open and close connections all the time.
 */
final class OkHttpLoadClient implements LoadClient {
  private final OkHttpClient client;
  private final Request[] requests;

  OkHttpLoadClient(List<String> urls, int threads) {
    this.client = new OkHttpClient.Builder()
        .connectionPool(new ConnectionPool(threads * urls.size(), 5, TimeUnit.MINUTES))
        .build();
    this.requests = urls.stream().map(u -> new Request.Builder().url(u).build()).toArray(Request[]::new);
  }

  @Override
  public boolean call(int thread, long seq) throws Exception {
    Request request = requests[(int) ((thread + seq) % requests.length)];
    return Bodies.drain(client.newCall(request).execute());
  }

  @Override
  public Map<String, Object> afterRun(long calls) {
    return Map.of("connections", client.connectionPool().connectionCount());
  }

  @Override
  public void close() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
