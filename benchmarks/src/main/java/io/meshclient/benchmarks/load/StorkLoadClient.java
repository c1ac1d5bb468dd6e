package io.meshclient.benchmarks.load;

import io.smallrye.stork.Stork;
import io.smallrye.stork.api.Service;
import io.smallrye.stork.api.ServiceDefinition;
import io.smallrye.stork.api.ServiceInstance;
import io.smallrye.stork.integration.DefaultStorkInfrastructure;
import io.smallrye.stork.loadbalancer.requests.LeastRequestsConfiguration;
import io.smallrye.stork.servicediscovery.staticlist.StaticConfiguration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/**
 * SmallRye Stork with a static list and its {@code least-requests} balancer, in front of the same OkHttp
 * client as {@code okhttp}: select an instance (recording the start), rewrite the URL the way the mesh
 * does, call, record the end. Same transport as the mesh, so the difference is the balancing layer.
 * The Stork instance is created directly, not through its global {@code Stork.getInstance()}.
 */
final class StorkLoadClient implements LoadClient {
  private final Service service;
  private final OkHttpClient client;
  private final Request request;

  StorkLoadClient(List<Integer> ports, int threads, String path) {
    Stork stork = new Stork(new DefaultStorkInfrastructure());
    String addresses = ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    stork.defineIfAbsent("backend",
        ServiceDefinition.of(new StaticConfiguration().withAddressList(addresses), new LeastRequestsConfiguration()));
    this.service = stork.getService("backend");
    this.client = new OkHttpClient.Builder()
        .connectionPool(new ConnectionPool(threads * ports.size(), 5, TimeUnit.MINUTES))
        .build();
    this.request = new Request.Builder().url("http://backend" + path).build();
  }

  @Override
  public boolean call(int thread, long seq) throws Exception {
    ServiceInstance instance = service.selectInstanceAndRecordStart(true).await().indefinitely();
    HttpUrl url = request.url().newBuilder()
        .scheme(instance.isSecure() ? "https" : "http")
        .host(instance.getHost())
        .port(instance.getPort())
        .build();
    try {
      boolean ok = Bodies.drain(client.newCall(request.newBuilder().url(url).build()).execute());
      instance.recordEnd(null);
      return ok;
    } catch (Exception e) {
      instance.recordEnd(e);
      throw e;
    }
  }

  @Override
  public void close() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
