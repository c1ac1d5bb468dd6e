package io.meshclient.core.internal.resilience;

import io.meshclient.api.CallOutcome;
import io.meshclient.core.Ticker;
import io.meshclient.core.config.OutlierConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * The outlier detections that judge an instance against its peers over an interval rather than on its own
 * run of failures: slow ejection (mean latency against the median's, every {@code slow-ejection.interval}),
 * and Envoy's failure-percentage and success-rate ejection (every {@code interval}). Recording a result adds
 * to the instance's counts; the first result after an interval has passed makes the {@link OutlierDetector}
 * run {@link #judge} under its lock, which resets the counts. Counts recorded while a judgment runs may fall
 * in either interval.
 */
final class PeerJudgments {
  /** Each null when off. */
  private final OutlierConfig.SlowEjection slow;
  private final OutlierConfig.FailurePercentage failures;
  private final OutlierConfig.SuccessRate rates;
  private final Ticker ticker;
  private final long slowIntervalNanos;
  private final long rateIntervalNanos;
  private volatile long nextComparisonNanos;
  private volatile long nextRateJudgmentNanos;

  PeerJudgments(OutlierConfig config, Ticker ticker) {
    this.ticker = ticker;
    this.slow = config.slowEjection().enabled() ? config.slowEjection() : null;
    this.failures = config.failurePercentage().enabled() ? config.failurePercentage() : null;
    this.rates = config.successRate().enabled() ? config.successRate() : null;
    this.slowIntervalNanos = slow == null ? 0 : Math.max(1, slow.interval().toNanos());
    this.rateIntervalNanos = config.judgesRates() ? Math.max(1, config.interval().toNanos()) : 0;
    long now = slow != null || config.judgesRates() ? ticker.nanoTime() : 0;
    this.nextComparisonNanos = now + slowIntervalNanos;
    this.nextRateJudgmentNanos = now + rateIntervalNanos;
  }

  /**
   * Counts an attempt's result on {@code health}: its latency when a response arrived ({@code status} not 0,
   * {@code latencyNanos} not negative), the call and whether it failed. Returns whether a judgment is due.
   * Without any of these detections on, reads no clock and counts nothing.
   */
  boolean record(InstanceHealth health, CallOutcome outcome, int status, long latencyNanos) {
    boolean due = false;
    if (slow != null && status != 0 && latencyNanos >= 0) { // a response arrived: its latency is the instance's
      health.latencySum.addAndGet(latencyNanos);
      health.responses.incrementAndGet();
      due = ticker.nanoTime() - nextComparisonNanos >= 0;
    }
    if (rateIntervalNanos != 0) {
      health.calls.incrementAndGet();
      if (outcome.isFailure()) {
        health.failed.incrementAndGet();
      }
      due |= ticker.nanoTime() - nextRateJudgmentNanos >= 0;
    }
    return due;
  }

  /**
   * Runs the judgments that are due at {@code now} over {@code all} the instances the detector knows, handing
   * each outlier to {@code eject} (which applies the {@code max-ejected} cap). Called under the detector's lock.
   */
  void judge(long now, Collection<InstanceHealth> all, Consumer<InstanceHealth> eject) {
    if (slow != null && now - nextComparisonNanos >= 0) {
      nextComparisonNanos = now + slowIntervalNanos;
      compareLatencies(now, all, eject);
    }
    if (rateIntervalNanos != 0 && now - nextRateJudgmentNanos >= 0) {
      nextRateJudgmentNanos = now + rateIntervalNanos;
      judgeRates(now, all, eject);
    }
  }

  /**
   * Slow ejection: the mean latency of each instance not ejected, over the responses since the last
   * comparison, against the median of those means (the lower one of an even count).
   */
  private void compareLatencies(long now, Collection<InstanceHealth> all, Consumer<InstanceHealth> eject) {
    List<InstanceHealth> judged = new ArrayList<>();
    double[] means = new double[all.size()];
    for (InstanceHealth h : all) {
      int count = h.responses.getAndSet(0);
      long sum = h.latencySum.getAndSet(0);
      if (count >= slow.minRequests() && !h.ejectedAt(now)
          && judged.size() < means.length) { // an instance first seen during this loop waits for the next
        means[judged.size()] = (double) sum / count;
        judged.add(h);
      }
    }
    if (judged.size() < slow.minInstances()) {
      return;
    }
    double[] sorted = Arrays.copyOf(means, judged.size());
    Arrays.sort(sorted);
    double limit = sorted[(sorted.length - 1) / 2] * slow.factor();
    for (int i = 0; i < judged.size(); i++) {
      if (means[i] > limit) {
        eject.accept(judged.get(i));
      }
    }
  }

  /**
   * Failure-percentage and success-rate ejection (Envoy's), over the calls of each instance not ejected since
   * the last judgment. Failure percentage first: an instance with at least {@code min-requests} calls of which
   * at least {@code threshold} percent failed is ejected. Then, among the instances still in, the success
   * rates of those with {@code min-requests} calls: one below the mean minus {@code stdev-factor} population
   * standard deviations is ejected. Each needs {@code min-instances} instances with enough calls to judge any.
   */
  private void judgeRates(long now, Collection<InstanceHealth> all, Consumer<InstanceHealth> eject) {
    List<InstanceHealth> judged = new ArrayList<>(all.size());
    List<long[]> counts = new ArrayList<>(all.size()); // {calls, failed}
    for (InstanceHealth h : all) {
      int calls = h.calls.getAndSet(0);
      int failed = h.failed.getAndSet(0);
      if (calls > 0 && !h.ejectedAt(now)) {
        judged.add(h);
        counts.add(new long[] {calls, Math.min(failed, calls)}); // a call counted across the reset
      }
    }
    if (failures != null && volume(counts, failures.minRequests()) >= failures.minInstances()) {
      for (int i = 0; i < judged.size(); i++) {
        long[] c = counts.get(i);
        if (c[0] >= failures.minRequests() && c[1] * 100 >= (long) failures.threshold() * c[0]) {
          eject.accept(judged.get(i));
        }
      }
    }
    if (rates != null && volume(counts, rates.minRequests()) >= rates.minInstances()) {
      double sum = 0;
      double squares = 0;
      int n = 0;
      for (long[] c : counts) {
        if (c[0] >= rates.minRequests()) {
          double rate = (double) (c[0] - c[1]) / c[0];
          sum += rate;
          squares += rate * rate;
          n++;
        }
      }
      double mean = sum / n;
      double limit = mean - rates.stdevFactor() * Math.sqrt(Math.max(0, squares / n - mean * mean));
      for (int i = 0; i < judged.size(); i++) {
        long[] c = counts.get(i);
        if (c[0] >= rates.minRequests() && (double) (c[0] - c[1]) / c[0] < limit && !judged.get(i).ejectedAt(now)) {
          eject.accept(judged.get(i));
        }
      }
    }
  }

  /** How many of {@code counts} have at least {@code minRequests} calls. */
  private static int volume(List<long[]> counts, int minRequests) {
    int n = 0;
    for (long[] c : counts) {
      if (c[0] >= minRequests) {
        n++;
      }
    }
    return n;
  }
}
