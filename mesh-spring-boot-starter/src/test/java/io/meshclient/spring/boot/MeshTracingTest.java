package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.autoconfigure.MeshAutoConfiguration;
import io.meshclient.spring.boot.client.MeshClientHttpConnector;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Tracing in a Spring context: the starter hands the context's {@code ObservationRegistry} to the mesh,
 * and WebClient's observation, found in the Reactor context, is the parent of the mesh's call. OTel
 * bridge, W3C propagation, spans in memory, a server on 127.0.0.1 recording each {@code traceparent}.
 */
@Timeout(60)
class MeshTracingTest {
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider provider = SdkTracerProvider.builder().setSampler(Sampler.alwaysOn())
      .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
  private final ObservationRegistry registry = ObservationRegistry.create();
  private final List<String> traceparents = new CopyOnWriteArrayList<>();
  private final MockWebServer server = new MockWebServer();

  @BeforeEach
  void start() throws Exception {
    io.opentelemetry.api.trace.Tracer otel = provider.get("mesh-starter-test");
    OtelCurrentTraceContext current = new OtelCurrentTraceContext();
    OtelTracer tracer = new OtelTracer(otel, current, event -> {}, new OtelBaggageManager(current, List.of(), List.of()));
    registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
        new PropagatingSenderTracingObservationHandler<>(tracer,
            new OtelPropagator(ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel)),
        new DefaultTracingObservationHandler(tracer)));
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        traceparents.add(String.valueOf(request.getHeaders().get("traceparent")));
        return new MockResponse.Builder().code(200).body("ok").build();
      }
    });
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    provider.close();
  }

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
        .withBean(ObservationRegistry.class, () -> registry)
        .withPropertyValues("mesh.discovery.static.services.api[0].url=http://127.0.0.1:" + server.getPort());
  }

  private SpanData span(Predicate<SpanData> which) {
    List<SpanData> found = exporter.getFinishedSpanItems().stream().filter(which).toList();
    assertThat(found).as("spans %s", exporter.getFinishedSpanItems()).hasSize(1);
    return found.get(0);
  }

  /** The span the only request the server got names, and the mesh call span above it. */
  private SpanData meshCallAboveTheRequest() {
    assertThat(traceparents).hasSize(1);
    String[] parts = traceparents.get(0).split("-");
    SpanData attempt = span(s -> s.getSpanId().equals(parts[2]) && s.getTraceId().equals(parts[1]));
    assertThat(attempt.getName()).isEqualTo("GET api first");
    SpanData call = span(s -> s.getSpanId().equals(attempt.getParentSpanId()));
    assertThat(call.getName()).isEqualTo("GET api");
    return call;
  }

  @Test
  void theContextsObservationRegistryTracesTheMeshsCalls() {
    runner().run(context -> {
      Mesh mesh = context.getBean(Mesh.class);
      Observation caller = Observation.start("caller", registry);
      try (Observation.Scope scope = caller.openScope();
          Response r = mesh.httpClient().newCall(new Request.Builder().url("http://api/x").build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
      } finally {
        caller.stop();
      }
      SpanData callerSpan = span(s -> s.getName().equals("caller"));
      assertThat(meshCallAboveTheRequest().getParentSpanId()).isEqualTo(callerSpan.getSpanId());
    });
  }

  @Test
  void aWebClientCallIsTheChildOfWebClientsObservationFromTheReactorContext() {
    runner().run(context -> {
      WebClient client = WebClient.builder().clientConnector(new MeshClientHttpConnector(context.getBean(Mesh.class)))
          .observationRegistry(registry).build();
      Observation caller = Observation.start("caller", registry);
      // The caller's scope is current on the subscribing thread: without the Reactor context, the mesh
      // would take the caller's span as the parent and skip WebClient's.
      try (Observation.Scope scope = caller.openScope()) {
        assertThat(client.get().uri("http://api/x").retrieve().toBodilessEntity().block(Duration.ofSeconds(10))
            .getStatusCode().value()).isEqualTo(200);
      } finally {
        caller.stop();
      }
      // WebClient stops its observation when the exchange terminates, which may come after block() returned.
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
          exporter.getFinishedSpanItems().stream().anyMatch(s -> s.getName().equals("http get")));
      SpanData callerSpan = span(s -> s.getName().equals("caller"));
      SpanData webClient = span(s -> s.getName().equals("http get"));
      assertThat(webClient.getParentSpanId()).isEqualTo(callerSpan.getSpanId());
      SpanData call = meshCallAboveTheRequest();
      assertThat(call.getParentSpanId()).isEqualTo(webClient.getSpanId());
      assertThat(call.getTraceId()).isEqualTo(callerSpan.getTraceId());
    });
  }
}
