package io.meshclient.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One client mode in its own JVM, driven by {@link LoadMain} over stdin/stdout, so that each mode's
 * CPU, allocation and JIT state are its own. Protocol lines start with {@code @@}; anything else on
 * stdout is a library talking.
 *
 * <pre>
 *   -> @@ READY                     once the client is built
 *   <- run WARMUP_MS MEASURE_MS
 *   -> @@ START                     measurement window opens (LoadMain samples nginx CPU)
 *   -> @@ END                       window closes (sampled again)
 *   -> @@ RESULT {json}             or @@ ERROR message
 *   <- quit
 * </pre>
 *
 * <p>N threads call in a closed loop; each latency (nanoTime around one call, response read to the end)
 * of a call that started inside the window goes into that thread's HdrHistogram. Client CPU is the whole
 * JVM's ({@code OperatingSystemMXBean.getProcessCpuTime}: load threads, event loops, GC, JIT), allocation
 * the sum of {@code ThreadMXBean.getThreadAllocatedBytes} over all threads, over the window.
 */
public final class LoadWorker {
  private static final int WARM = 0;
  private static final int MEASURE = 1;
  private static final int STOP = 2;
  static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final LoadClient client;
  private final int threads;
  private final PrintStream protocol;
  private volatile int phase;

  private LoadWorker(LoadClient client, int threads, PrintStream protocol) {
    this.client = client;
    this.threads = threads;
    this.protocol = protocol;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i], args[i + 1]);
    }
    Mode mode = Mode.of(opts.get("--mode"));
    int threads = Integer.parseInt(opts.get("--threads"));
    List<Integer> ports = Arrays.stream(opts.get("--ports").split(",")).map(Integer::valueOf).toList();
    String path = opts.getOrDefault("--path", "/api/v1/items/1");
    int sidecarPort = Integer.parseInt(opts.getOrDefault("--sidecar-port", "-1"));
    PrintStream protocol = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    System.setOut(System.err);
    LoadClient client;
    try {
      client = create(mode, ports, sidecarPort, threads, path);
    } catch (Exception | LinkageError e) {
      e.printStackTrace();
      protocol.println("@@ ERROR cannot build the " + mode + " client: " + e);
      System.exit(2);
      return;
    }
    protocol.println("@@ READY");
    new LoadWorker(client, threads, protocol).serve();
  }

  static LoadClient create(Mode mode, List<Integer> ports, int sidecarPort, int threads, String path) {
    switch (mode) {
      case OKHTTP:
      case OKHTTP_AA:
        return new OkHttpLoadClient(ports.stream().map(p -> "http://127.0.0.1:" + p + path).toList(), threads);
      case SIDECAR:
      case HAPROXY:
        if (sidecarPort < 0) {
          throw new IllegalStateException("no sidecar proxy is running (nginx or HAProxy is needed for it)");
        }
        return new OkHttpLoadClient(List.of("http://127.0.0.1:" + sidecarPort + path), threads);
      case MESH:
        return new MeshLoadClient(ports, threads, path, false, MeshLoadClient.Policy.LOAD);
      case MESH_MIRROR:
        return new MeshLoadClient(ports, threads, path, true, MeshLoadClient.Policy.LOAD);
      case MESH_LEAST_REQUEST:
        return new MeshLoadClient(ports, threads, path, false, MeshLoadClient.Policy.LEAST_REQUEST);
      case MESH_PEAK_EWMA:
        return new MeshLoadClient(ports, threads, path, false, MeshLoadClient.Policy.PEAK_EWMA);
      case MESH_OUTLIER:
        return new MeshLoadClient(ports, threads, path, false, MeshLoadClient.Policy.OUTLIER);
      case SPRING_LB:
      case SPRING_LB_HC5:
      case SPRING_LB_NETTY:
        return new SpringLoadBalancerClient(mode, ports, threads, path);
      case ARMERIA:
        return new ArmeriaLoadClient(ports, true, path);
      case ARMERIA_RAW:
        return new ArmeriaLoadClient(ports, false, path);
      case STORK:
        return new StorkLoadClient(ports, threads, path);
      case MESH_RESTCLIENT:
      case RESTCLIENT_OKHTTP:
      case MESH_WEBCLIENT:
      case WEBCLIENT_OKHTTP:
        return new SpringClientLoadClient(mode, ports, threads, path);
      default:
        throw new IllegalArgumentException(mode.id);
    }
  }

  private void serve() throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    ObjectMapper json = new ObjectMapper();
    for (String line; (line = in.readLine()) != null; ) {
      String[] cmd = line.trim().split("\\s+");
      if (cmd[0].equals("quit")) {
        break;
      }
      if (cmd[0].equals("run")) {
        try {
          Map<String, Object> result = run(Long.parseLong(cmd[1]), Long.parseLong(cmd[2]));
          protocol.println("@@ RESULT " + json.writeValueAsString(result));
        } catch (Exception | AssertionError e) {
          e.printStackTrace();
          protocol.println("@@ ERROR " + String.valueOf(e).replace('\n', ' '));
        }
      }
    }
    client.close();
    System.exit(0);
  }

  private Map<String, Object> run(long warmupMillis, long measureMillis) throws Exception {
    client.beforeRun(Duration.ofMillis(warmupMillis + measureMillis));
    Histogram[] histograms = new Histogram[threads];
    long[] calls = new long[threads];
    long[] measured = new long[threads];
    long[] failed = new long[threads];
    String[] firstError = new String[1];
    Thread[] workers = new Thread[threads];
    java.util.Set<Long> loadTids = java.util.concurrent.ConcurrentHashMap.newKeySet();
    // Load threads stay alive until the end snapshot is taken: a thread that has ended is gone from
    // ThreadMXBean and /proc, and with it the CPU time and allocation it counted.
    java.util.concurrent.CountDownLatch snapshotTaken = new java.util.concurrent.CountDownLatch(1);
    phase = WARM;
    for (int t = 0; t < threads; t++) {
      int index = t;
      histograms[t] = new Histogram(HIGHEST_NANOS, 3);
      workers[t] = new Thread(() -> {
        loadTids.add(ProcStat.currentTid());
        loop(index, histograms[index], calls, measured, failed, firstError);
        try {
          snapshotTaken.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "load-" + t);
      workers[t].start();
    }
    long[] loadThreadIds = Arrays.stream(workers).mapToLong(Thread::getId).toArray();
    Thread.sleep(warmupMillis);

    Snapshot start = Snapshot.take(loadThreadIds);
    phase = MEASURE;
    protocol.println("@@ START");
    Thread.sleep(measureMillis);
    phase = STOP;
    Snapshot end = Snapshot.take(loadThreadIds);
    protocol.println("@@ END");
    snapshotTaken.countDown();
    for (Thread w : workers) {
      w.join();
    }

    long totalCalls = Arrays.stream(calls).sum();
    Map<String, Object> checks = client.afterRun(totalCalls);
    Histogram merged = new Histogram(HIGHEST_NANOS, 3);
    for (Histogram h : histograms) {
      merged.add(h);
    }
    ByteBuffer buffer = ByteBuffer.allocate(merged.getNeededByteBufferCapacity());
    int length = merged.encodeIntoCompressedByteBuffer(buffer);

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("requests", Arrays.stream(measured).sum());
    out.put("failed", Arrays.stream(failed).sum());
    out.put("firstError", firstError[0]);
    out.put("callsIncludingWarmup", totalCalls);
    out.put("windowNanos", end.wallNanos - start.wallNanos);
    out.put("processCpuNanos", end.processCpuNanos - start.processCpuNanos);
    out.put("loadThreadCpuNanos", end.loadThreadCpuNanos - start.loadThreadCpuNanos);
    out.put("allocatedBytes", end.allocatedSince(start));
    out.put("gcCount", end.gcCount - start.gcCount);
    out.put("gcMillis", end.gcMillis - start.gcMillis);
    out.put("jitMillis", end.jitMillis - start.jitMillis);
    out.put("threadCpuNanosByGroup", end.threadCpuByGroupSince(start, loadTids));
    out.put("checks", checks);
    out.put("histogram", Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length)));
    return out;
  }

  private void loop(int index, Histogram histogram, long[] calls, long[] measured, long[] failed, String[] firstError) {
    long seq = 0;
    long n = 0;
    long m = 0;
    long f = 0;
    while (true) {
      int p = phase;
      if (p == STOP) {
        break;
      }
      boolean ok;
      long t0 = System.nanoTime();
      try {
        ok = client.call(index, seq++);
      } catch (Exception e) {
        ok = false;
        synchronized (firstError) {
          if (firstError[0] == null) {
            firstError[0] = String.valueOf(e);
          }
        }
      }
      long t1 = System.nanoTime();
      n++;
      if (p == MEASURE) {
        histogram.recordValue(Math.min(t1 - t0, HIGHEST_NANOS));
        m++;
        if (!ok) {
          f++;
        }
      }
    }
    calls[index] = n;
    measured[index] = m;
    failed[index] = f;
  }

  /** Process CPU, per-thread allocation and GC counters at one instant. */
  private static final class Snapshot {
    long wallNanos;
    long processCpuNanos;
    long loadThreadCpuNanos;
    long gcCount;
    long gcMillis;
    long jitMillis;
    Map<Long, Long> allocated = new HashMap<>();
    Map<Long, ProcStat.ThreadCpu> threadCpu;

    static Snapshot take(long[] loadThreadIds) {
      Snapshot s = new Snapshot();
      com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      s.wallNanos = System.nanoTime();
      s.processCpuNanos = os.getProcessCpuTime();
      for (long id : loadThreadIds) {
        s.loadThreadCpuNanos += Math.max(0, threads.getThreadCpuTime(id));
      }
      long[] ids = threads.getAllThreadIds();
      long[] bytes = threads.getThreadAllocatedBytes(ids);
      for (int i = 0; i < ids.length; i++) {
        if (bytes[i] >= 0) {
          s.allocated.put(ids[i], bytes[i]);
        }
      }
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        s.gcCount += Math.max(0, gc.getCollectionCount());
        s.gcMillis += Math.max(0, gc.getCollectionTime());
      }
      s.jitMillis = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
      s.threadCpu = ProcStat.ownThreads();
      return s;
    }

    /**
     * CPU time per thread group (all threads, native ones included) between {@code earlier} and this.
     * The load threads are found by kernel thread id: OkHttp renames the thread it runs a call on.
     */
    Map<String, Long> threadCpuByGroupSince(Snapshot earlier, java.util.Set<Long> loadTids) {
      Map<String, Long> out = new java.util.TreeMap<>();
      threadCpu.forEach((tid, now) -> {
        ProcStat.ThreadCpu before = earlier.threadCpu.get(tid);
        long delta = now.cpuNanos() - (before == null ? 0 : before.cpuNanos());
        if (delta > 0) {
          out.merge(loadTids.contains(tid) ? "load-*" : now.group(), delta, Long::sum);
        }
      });
      return out;
    }

    /** Bytes allocated between {@code earlier} and this snapshot by threads alive at this one. */
    long allocatedSince(Snapshot earlier) {
      long sum = 0;
      for (Map.Entry<Long, Long> e : allocated.entrySet()) {
        sum += e.getValue() - earlier.allocated.getOrDefault(e.getKey(), 0L);
      }
      return sum;
    }
  }
}
