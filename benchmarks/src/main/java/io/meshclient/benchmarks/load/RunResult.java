package io.meshclient.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/** What one measured run of one mode produced. */
record RunResult(
    Mode mode,
    int rep,
    long requests,
    long failed,
    String firstError,
    long windowNanos,
    long processCpuNanos,
    long loadThreadCpuNanos,
    long allocatedBytes,
    long gcCount,
    long gcMillis,
    long jitMillis,
    Map<String, Long> threadCpuNanosByGroup,
    long proxyCpuNanos,
    long backendCpuNanos,
    Map<String, Object> checks,
    Histogram histogram) {

  @SuppressWarnings("unchecked")
  static RunResult of(Mode mode, int rep, JsonNode n, long proxyCpuNanos, long backendCpuNanos) {
    Histogram h;
    try {
      byte[] bytes = Base64.getDecoder().decode(n.get("histogram").asText());
      h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
    } catch (DataFormatException e) {
      throw new IllegalStateException("bad histogram from the " + mode + " worker", e);
    }
    ObjectMapper mapper = new ObjectMapper();
    Map<String, Object> checks = mapper.convertValue(n.get("checks"), Map.class);
    Map<String, Long> byGroup = new java.util.TreeMap<>();
    n.get("threadCpuNanosByGroup").fields().forEachRemaining(f -> byGroup.put(f.getKey(), f.getValue().asLong()));
    return new RunResult(mode, rep, n.get("requests").asLong(), n.get("failed").asLong(),
        n.get("firstError").isNull() ? null : n.get("firstError").asText(),
        n.get("windowNanos").asLong(), n.get("processCpuNanos").asLong(), n.get("loadThreadCpuNanos").asLong(),
        n.get("allocatedBytes").asLong(), n.get("gcCount").asLong(), n.get("gcMillis").asLong(),
        n.get("jitMillis").asLong(), byGroup, proxyCpuNanos, backendCpuNanos, checks, h);
  }

  double throughput() {
    return requests * 1e9 / windowNanos;
  }

  double clientCpuMicros() {
    return perRequest(processCpuNanos) / 1e3;
  }

  double loadThreadCpuMicros() {
    return perRequest(loadThreadCpuNanos) / 1e3;
  }

  double proxyCpuMicros() {
    return perRequest(proxyCpuNanos) / 1e3;
  }

  double backendCpuMicros() {
    return perRequest(backendCpuNanos) / 1e3;
  }

  double totalCpuMicros() {
    return clientCpuMicros() + proxyCpuMicros() + backendCpuMicros();
  }

  /** CPU µs per request of each thread group of the client JVM, largest first. */
  Map<String, Double> threadCpuMicrosByGroup() {
    Map<String, Double> out = new java.util.LinkedHashMap<>();
    threadCpuNanosByGroup.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> out.put(e.getKey(), perRequest(e.getValue()) / 1e3));
    return out;
  }

  double allocatedPerRequest() {
    return perRequest(allocatedBytes);
  }

  private double perRequest(long total) {
    return requests == 0 ? Double.NaN : (double) total / requests;
  }
}
