package io.meshclient.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.core.Backend;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.RetryConfig;
import io.meshclient.core.config.ServiceConfig;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An unchecked exception thrown after the mesh (here by a network interceptor of the caller's own client)
 * reaches the caller, and the attempt gives back what it held: before, each one left the instance one call
 * more in flight for good, so least-request stopped sending it anything.
 */
@Timeout(30)
class UncheckedAttemptFailureTest {

  @Test
  void anUncheckedExceptionAfterTheMeshLeavesNoCallInFlightOnTheInstance() throws IOException {
    try (Backend a = new Backend("a"); Backend b = new Backend("b")) {
      AtomicInteger throwsLeft = new AtomicInteger(5);
      OkHttpClient base = new OkHttpClient.Builder().addNetworkInterceptor(chain -> {
        if (chain.request().url().port() == a.port() && throwsLeft.getAndDecrement() > 0) {
          throw new IllegalStateException("a bug in the caller's interceptor");
        }
        return chain.proceed(chain.request());
      }).build();
      InMemoryDiscovery discovery = new InMemoryDiscovery().set("api",
          List.of(a.instance("api", Map.of()), b.instance("api", Map.of())));
      try (Mesh mesh = Mesh.builder().okHttpClient(base).discovery("memory", discovery)
          .config(MeshConfig.builder().service(ServiceConfig.builder("api").loadBalancer("least-request")
              .retry(RetryConfig.NONE).build()).build())
          .build()) {
        OkHttpClient client = mesh.httpClient();
        Request request = new Request.Builder().url("http://api/x").build();
        int thrown = 0;
        for (int i = 0; i < 200 && throwsLeft.get() > 0; i++) {
          try (Response response = client.newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(200);
          } catch (IllegalStateException e) {
            assertThat(e).hasMessage("a bug in the caller's interceptor");
            thrown++;
          }
        }
        assertThat(thrown).isEqualTo(5);
        int before = a.requests();
        for (int i = 0; i < 100; i++) {
          try (Response response = client.newCall(request).execute()) {
            response.body().string();
          }
        }
        assertThat(a.requests() - before).as("a's share of 100 calls, both idle").isBetween(25, 75);
      }
    }
  }
}
