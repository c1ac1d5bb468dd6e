package io.meshclient.benchmarks.load;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * {@code run.sh jfr FILE.jfr [--skip 10s]}: where a load worker's threads spent their time, from a JFR
 * recording made with {@code run.sh load --jfr MODE}. Only the load threads' execution samples count,
 * after {@code --skip} (the warm-up) from their first sample. It prints the share of samples in the
 * mesh's own code (inside {@code MeshInterceptor} but not below its {@code chain.proceed}), split by
 * concern, and the hottest leaf frames, so that a cost can be traced to a line of core.
 */
public final class JfrSummary {
  private static final String[][] CONCERNS = {
    {"url rewrite (InstanceUrls.rewrite)", "io.meshclient.core.internal.InstanceUrls.rewrite"},
    {"request copy (Request.newBuilder().url().build())", "okhttp3.Request$Builder", "okhttp3.Request.newBuilder"},
    {"metrics (MeshMetrics)", "io.meshclient.core.internal.metrics."},
    {"rate limit (GcraRateLimiter)", "io.meshclient.core.internal.ratelimit."},
    {"balancer", "io.meshclient.core.internal.balancer."},
    {"routing", "io.meshclient.core.internal.routing.", "OkHttpRequestContext"},
    {"chain timeouts (withConnect/Read/WriteTimeout)", "RealInterceptorChain.with"},
  };

  private JfrSummary() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      System.err.println("usage: run.sh jfr FILE.jfr [--skip 10s]");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    Duration skip = args.length > 2 && args[1].equals("--skip")
        ? LoadMain.Options.duration("--skip", args[2]) : Duration.ofSeconds(10);
    List<RecordedEvent> samples = new ArrayList<>();
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      if (e.getEventType().getName().equals("jdk.ExecutionSample") && e.getThread("sampledThread") != null
          && String.valueOf(e.getThread("sampledThread").getJavaName()).startsWith("load-")) {
        samples.add(e);
      }
    }
    Instant first = samples.stream().map(RecordedEvent::getStartTime).min(Instant::compareTo).orElse(Instant.EPOCH);
    Instant from = first.plus(skip);
    samples.removeIf(e -> e.getStartTime().isBefore(from));
    int total = samples.size();
    int own = 0;
    Map<String, Integer> byConcern = new LinkedHashMap<>();
    Map<String, Integer> ownLeaves = new HashMap<>();
    Map<String, Integer> allLeaves = new HashMap<>();
    for (RecordedEvent e : samples) {
      List<String> frames = frames(e.getStackTrace());
      if (frames.isEmpty()) {
        continue;
      }
      allLeaves.merge(frames.get(0), 1, Integer::sum);
      if (!meshOwn(frames)) {
        continue;
      }
      own++;
      String concern = "other mesh code";
      outer:
      for (String[] c : CONCERNS) {
        for (String frame : frames.subList(0, meshFrame(frames) + 1)) {
          for (int i = 1; i < c.length; i++) {
            if (frame.contains(c[i])) {
              concern = c[0];
              break outer;
            }
          }
        }
      }
      byConcern.merge(concern, 1, Integer::sum);
      ownLeaves.merge(frames.get(0) + "  <-  " + frames.get(Math.min(frames.size() - 1, meshFrame(frames))), 1, Integer::sum);
    }
    System.out.printf("%s: %d load-thread execution samples after the first %ds%n", file.getFileName(), total, skip.toSeconds());
    System.out.printf("in the mesh's own code: %d (%.1f%%)%n", own, pct(own, total));
    int ownTotal = own;
    byConcern.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(c -> System.out.printf("  %5.1f%% of all, %5.1f%% of the mesh's: %s%n",
            pct(c.getValue(), total), pct(c.getValue(), ownTotal), c.getKey()));
    System.out.println("hottest leaf frames in the mesh's own code (leaf <- nearest mesh frame):");
    top(ownLeaves, 12, total);
    System.out.println("hottest leaf frames overall:");
    top(allLeaves, 15, total);
  }

  /** True if the sample is inside MeshInterceptor and not below the chain.proceed it calls. */
  private static boolean meshOwn(List<String> frames) {
    int mesh = -1;
    for (int i = frames.size() - 1; i >= 0; i--) {
      if (frames.get(i).startsWith("io.meshclient.core.internal.http.MeshInterceptor.intercept")) {
        mesh = i;
        break;
      }
    }
    if (mesh < 0) {
      return false;
    }
    for (int i = mesh - 1; i >= 0; i--) {
      if (frames.get(i).startsWith("okhttp3.internal.http.RealInterceptorChain.proceed")
          && frames.get(i + 1).startsWith("io.meshclient.core.internal.http.MeshInterceptor")) {
        return false;
      }
    }
    return true;
  }

  /** The index of the mesh frame nearest the leaf. */
  private static int meshFrame(List<String> frames) {
    for (int i = 0; i < frames.size(); i++) {
      if (frames.get(i).startsWith("io.meshclient.core.")) {
        return i;
      }
    }
    return frames.size() - 1;
  }

  private static List<String> frames(RecordedStackTrace stack) {
    List<String> out = new ArrayList<>();
    if (stack != null) {
      for (RecordedFrame f : stack.getFrames()) {
        out.add(f.getMethod().getType().getName() + "." + f.getMethod().getName() + ":" + f.getLineNumber());
      }
    }
    return out;
  }

  private static void top(Map<String, Integer> counts, int n, int total) {
    counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(n)
        .forEach(e -> System.out.printf("  %5.1f%%  %s%n", pct(e.getValue(), total), e.getKey()));
  }

  private static double pct(int part, int total) {
    return total == 0 ? 0 : 100.0 * part / total;
  }
}
