package io.meshclient.benchmarks.load;

import java.util.Locale;

/**
 * One run of {@code run.sh tail}: how the one bad instance of the three behaves. Healthy instances answer
 * after {@code baseMicros}; the bad one after {@code badMicros}, and {@code badFailPercent}% of its calls
 * (a random sequence seeded with {@code seed}) get a 503 after the same delay.
 *
 * @param name {@code slow} or {@code 503}: the name of the final line, the JSON and the chart
 */
record TailScenario(String name, long baseMicros, long badMicros, int badFailPercent, long seed) {

  /** One instance {@code factor} times slower than the others. */
  static TailScenario slow(long baseMicros, int factor, long seed) {
    return new TailScenario("slow", baseMicros, baseMicros * factor, 0, seed);
  }

  /** One instance failing {@code percent}% of its calls with 503, at the same speed as the others. */
  static TailScenario failing(long baseMicros, int percent, long seed) {
    return new TailScenario("503", baseMicros, baseMicros, percent, seed);
  }

  /** The {@link EmbeddedBackend} argument of the bad instance. */
  String badSpec(int port) {
    return port + ":" + badMicros + ":" + badFailPercent + ":" + seed;
  }

  /** The {@link EmbeddedBackend} argument of a healthy instance. */
  String healthySpec(int port) {
    return port + ":" + baseMicros + ":0:" + seed;
  }

  String describe() {
    return String.format(Locale.ROOT, "3 instances answering in %.1f ms, the first %s", baseMicros / 1e3,
        badFailPercent > 0
            ? "failing " + badFailPercent + "% of its calls with 503 (seeded, after the same delay)"
            : String.format(Locale.ROOT, "in %.1f ms (%dx slower)", badMicros / 1e3, badMicros / baseMicros));
  }
}
