package io.meshclient.core.observation;

import java.util.Map;

/** A finished span as any tracer reports it: ids in lowercase hex, tags as strings. */
record SpanView(String traceId, String spanId, String parentId, String name, Map<String, String> tags) {
  /** The W3C {@code traceparent} this span would send: {@code 00-<trace>-<span>-01}. */
  String traceparent() {
    return "00-" + traceId + "-" + spanId + "-01";
  }
}
