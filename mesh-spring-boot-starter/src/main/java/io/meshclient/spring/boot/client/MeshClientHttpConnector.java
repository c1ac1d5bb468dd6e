package io.meshclient.spring.boot.client;

import io.meshclient.core.Mesh;
import io.micrometer.observation.Observation;
import java.io.IOException;
import java.net.URI;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;
import reactor.core.publisher.Mono;

/**
 * A WebClient {@link ClientHttpConnector} on a mesh's {@link OkHttpClient}: {@code http://reviews/...} is
 * routed, admitted, balanced and recorded by the mesh, asynchronously through OkHttp's {@code enqueue}
 * (no thread of the caller's is blocked). Request and response bodies stream as {@code DataBuffer}s with
 * backpressure (see {@link PublisherRequestBody} and {@link OkHttpReactiveResponse}).
 *
 * <p>Cancelling the response {@code Mono} (a timeout, {@code take}, a client going away) cancels the
 * OkHttp call: the mesh then gives back the service's concurrency slot, a half-open breaker's probe and
 * the balancer's in-flight count, as for any cancelled call. A rate-limit token spent when the call was
 * admitted stays spent. A refusal by the mesh arrives as the mesh's {@link io.meshclient.api.MeshException}
 * (WebClient wraps it in a {@code WebClientRequestException}; {@link MeshRefusalFilter} turns it into a
 * {@link io.meshclient.spring.boot.MeshRefusedException}). Thread-safe.
 *
 * <p>The observation in the subscriber's Reactor context (WebClient puts its own there, under {@code
 * micrometer.observation}) goes with the request as its {@code Observation} tag: a mesh with an observation
 * registry makes its call observation a child of it, whichever thread OkHttp runs the call on.
 */
public final class MeshClientHttpConnector implements ClientHttpConnector {
  /** Where WebClient and Micrometer's context propagation keep the current observation in a Reactor context. */
  static final String OBSERVATION_KEY = "micrometer.observation";

  private final Supplier<OkHttpClient> client;

  /** A connector over {@code mesh.httpClient()}, asked for per request (built on the first one). */
  public MeshClientHttpConnector(Mesh mesh) {
    this.client = Objects.requireNonNull(mesh, "mesh")::httpClient;
  }

  /** A connector over {@code client}: a mesh's client, or a plain one (without the mesh's routing). */
  public MeshClientHttpConnector(OkHttpClient client) {
    Objects.requireNonNull(client, "client");
    this.client = () -> client;
  }

  @Override
  public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
      Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
    OkHttpReactiveRequest request = new OkHttpReactiveRequest(method, uri);
    return requestCallback.apply(request).then(Mono.defer(() -> send(request)));
  }

  private Mono<ClientHttpResponse> send(OkHttpReactiveRequest request) {
    return Mono.<ClientHttpResponse>create(sink -> {
      Request sent = request.toOkHttp();
      if (sink.contextView().getOrDefault(OBSERVATION_KEY, null) instanceof Observation parent) {
        sent = sent.newBuilder().tag(Observation.class, parent).build();
      }
      Call call = client.get().newCall(sent);
      request.cancelsOnBodyFailure(call);
      sink.onCancel(call::cancel);
      call.enqueue(new Callback() {
        @Override
        public void onFailure(Call failed, IOException e) {
          Throwable bodyFailure = request.bodyFailure(); // the caller's own error, as other connectors give it
          sink.error(bodyFailure != null ? bodyFailure : e);
        }

        @Override
        public void onResponse(Call answered, Response response) {
          try {
            sink.success(new OkHttpReactiveResponse(response));
          } catch (IOException e) {
            sink.error(e);
          }
        }
      });
    }).doOnDiscard(OkHttpReactiveResponse.class, OkHttpReactiveResponse::close);
  }
}
