package io.meshclient.benchmarks.load;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/**
 * The figures of one mode over its repetitions: medians of the per-run throughput, CPU and allocation
 * (the middle run is the steadiest on a shared machine), latency percentiles of all runs' calls merged.
 */
final class ModeSummary {
  final Mode mode;
  /** The mode's id, or the worker's label when one mode ran against several pools. */
  final String label;
  final List<RunResult> runs;
  final Histogram latency;
  final double throughput;
  final double throughputMin;
  final double throughputMax;
  final double clientCpuMicros;
  final double loadThreadCpuMicros;
  final double proxyCpuMicros;
  final double backendCpuMicros;
  final double totalCpuMicros;
  final double allocatedPerRequest;
  final long requests;
  final long failed;

  ModeSummary(Mode mode, List<RunResult> runs) {
    this(mode, mode.id, runs);
  }

  ModeSummary(Mode mode, String label, List<RunResult> runs) {
    this.mode = mode;
    this.label = label;
    this.runs = List.copyOf(runs);
    this.latency = new Histogram(LoadWorker.HIGHEST_NANOS, 3);
    runs.forEach(r -> latency.add(r.histogram()));
    this.throughput = median(RunResult::throughput);
    this.throughputMin = runs.stream().mapToDouble(RunResult::throughput).min().orElse(Double.NaN);
    this.throughputMax = runs.stream().mapToDouble(RunResult::throughput).max().orElse(Double.NaN);
    this.clientCpuMicros = median(RunResult::clientCpuMicros);
    this.loadThreadCpuMicros = median(RunResult::loadThreadCpuMicros);
    this.proxyCpuMicros = median(RunResult::proxyCpuMicros);
    this.backendCpuMicros = median(RunResult::backendCpuMicros);
    this.totalCpuMicros = median(RunResult::totalCpuMicros);
    this.allocatedPerRequest = median(RunResult::allocatedPerRequest);
    this.requests = runs.stream().mapToLong(RunResult::requests).sum();
    this.failed = runs.stream().mapToLong(RunResult::failed).sum();
  }

  /** The latency at {@code percentile} (0-100) of all runs' calls, in microseconds. */
  double percentileMicros(double percentile) {
    return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(percentile) / 1e3;
  }

  double p50() {
    return percentileMicros(50);
  }

  double p90() {
    return percentileMicros(90);
  }

  double p99() {
    return percentileMicros(99);
  }

  double p999() {
    return percentileMicros(99.9);
  }

  private double median(ToDoubleFunction<RunResult> f) {
    double[] v = runs.stream().mapToDouble(f).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  @Override
  public String toString() {
    return label + Arrays.toString(runs.stream().mapToDouble(RunResult::throughput).toArray());
  }
}
