package io.meshclient.core.observation;

import static org.assertj.core.api.Assertions.assertThat;

import brave.Tracing;
import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.ThreadLocalCurrentTraceContext;
import brave.propagation.TraceContext;
import brave.propagation.tracecontext.TraceContextPropagation;
import brave.sampler.Sampler;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.brave.bridge.BraveBaggageManager;
import io.micrometer.tracing.brave.bridge.BraveCurrentTraceContext;
import io.micrometer.tracing.brave.bridge.BravePropagator;
import io.micrometer.tracing.brave.bridge.BraveTracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The same per-attempt tracing with micrometer-tracing's Brave bridge and W3C trace-context propagation. */
@Timeout(30)
class BraveTracingTest {
  @Test
  void eachRetryIsItsOwnSpanUnderTheCallUnderTheCallersSpan() throws Exception {
    List<MutableSpan> spans = new CopyOnWriteArrayList<>();
    try (Tracing brave = Tracing.newBuilder().traceId128Bit(true).sampler(Sampler.ALWAYS_SAMPLE)
        .currentTraceContext(ThreadLocalCurrentTraceContext.create())
        .propagationFactory(TraceContextPropagation.newFactoryBuilder().build())
        .addSpanHandler(new SpanHandler() {
          @Override
          public boolean end(TraceContext context, MutableSpan span, Cause cause) {
            spans.add(span);
            return true;
          }
        }).build();
        TracedServer server = new TracedServer(503, 503)) {
      BraveTracer tracer = new BraveTracer(brave.tracer(), new BraveCurrentTraceContext(brave.currentTraceContext()),
          new BraveBaggageManager());
      ObservationRegistry registry = ObservationRegistry.create();
      registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
          new PropagatingSenderTracingObservationHandler<>(tracer, new BravePropagator(brave)),
          new DefaultTracingObservationHandler(tracer)));
      MeshConfig config = MeshConfig.fromYaml("""
          mesh:
            services:
              api:
                outlier-detection: { enabled: false }
                retry: { attempts: 3, on: [503], budget: 1000%, backoff: { base: 1ms, max: 2ms } }
          """, name -> null);
      try (Mesh mesh = Mesh.builder().config(config).observationRegistry(registry)
          .discovery("memory", new InMemoryDiscovery().set("api", List.of(server.instance("api", Map.of()))))
          .build()) {
        Observation caller = Observation.start("caller", registry);
        try (Observation.Scope scope = caller.openScope();
            Response r = mesh.httpClient().newCall(new Request.Builder().url("http://api/x").build()).execute()) {
          assertThat(r.code()).isEqualTo(200);
        } finally {
          caller.stop();
        }
      }
      MutableSpan callerSpan = spans.stream().filter(s -> "caller".equals(s.name())).findFirst().orElseThrow();
      MutableSpan call = spans.stream().filter(s -> "GET api".equals(s.name())).findFirst().orElseThrow();
      assertThat(call.traceId()).isEqualTo(callerSpan.traceId());
      assertThat(call.parentId()).isEqualTo(callerSpan.id());
      assertThat(server.traceparents()).hasSize(3).doesNotHaveDuplicates();
      for (String tp : server.traceparents()) {
        String[] parts = tp.split("-");
        assertThat(parts[1]).isEqualTo(callerSpan.traceId());
        MutableSpan attempt = spans.stream().filter(s -> s.id().equals(parts[2])).findFirst().orElseThrow();
        assertThat(attempt.parentId()).isEqualTo(call.id());
        assertThat(attempt.tags()).containsEntry(MeshObservationNames.SERVICE, "api");
      }
      assertThat(server.traceparents()).extracting(tp -> spans.stream().filter(s -> s.id().equals(tp.split("-")[2]))
          .findFirst().orElseThrow().tag(MeshObservationNames.KIND)).containsExactly("first", "retry", "retry");
    }
  }
}
