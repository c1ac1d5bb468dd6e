package io.meshclient.core.observation;

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
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An observation registry wired as Spring Boot wires it for OpenTelemetry: micrometer-tracing's OTel
 * bridge, W3C propagation through {@link PropagatingSenderTracingObservationHandler}, every span sampled
 * and kept in memory.
 */
final class OtelTracing implements AutoCloseable {
  final ObservationRegistry registry = ObservationRegistry.create();
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider provider = SdkTracerProvider.builder().setSampler(Sampler.alwaysOn())
      .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();

  OtelTracing() {
    io.opentelemetry.api.trace.Tracer otel = provider.get("mesh-client-test");
    OtelCurrentTraceContext current = new OtelCurrentTraceContext();
    OtelTracer tracer = new OtelTracer(otel, current, event -> {}, new OtelBaggageManager(current, List.of(), List.of()));
    OtelPropagator propagator = new OtelPropagator(
        ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel);
    registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
        new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
        new DefaultTracingObservationHandler(tracer)));
  }

  /** The spans ended so far. */
  List<SpanView> spans() {
    return exporter.getFinishedSpanItems().stream().map(s -> {
      Map<String, String> tags = new LinkedHashMap<>();
      s.getAttributes().forEach((k, v) -> tags.put(k.getKey(), String.valueOf(v)));
      return new SpanView(s.getTraceId(), s.getSpanId(), s.getParentSpanId(), s.getName(), tags);
    }).toList();
  }

  @Override
  public void close() {
    provider.close();
  }
}
