package io.meshclient.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** CPU time of other processes, from {@code /proc/<pid>/stat} (utime + stime, in clock ticks). */
final class ProcStat {
  private static final long NANOS_PER_TICK = 1_000_000_000L / clockTicksPerSecond();

  private ProcStat() {}

  /** User + system CPU time of {@code pid} in nanoseconds (clock-tick resolution), or 0 if it is gone. */
  static long cpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long utime = Long.parseLong(fields[11]);
      long stime = Long.parseLong(fields[12]);
      return (utime + stime) * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * CPU time of every thread of this JVM (Java, GC, JIT and VM threads alike), by thread id, with the
   * thread's name as the kernel knows it (Java thread names cut to 15 characters).
   */
  static java.util.Map<Long, ThreadCpu> ownThreads() {
    java.util.Map<Long, ThreadCpu> out = new java.util.HashMap<>();
    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      tasks.forEach(task -> {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
          out.put(Long.parseLong(task.getFileName().toString()), new ThreadCpu(name, ticks * NANOS_PER_TICK));
        } catch (IOException | RuntimeException e) {
          // The thread ended while we looked.
        }
      });
    } catch (IOException e) {
      // No /proc: no breakdown.
    }
    return out;
  }

  /** The kernel's id of the calling thread (from {@code /proc/thread-self}), or -1. */
  static long currentTid() {
    try {
      return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** One thread's name and CPU time. */
  record ThreadCpu(String name, long cpuNanos) {
    /** The name with numbers replaced, so that a pool's threads fall into one group: {@code load-*}, {@code GC Thread#*}. */
    String group() {
      return name.replaceAll("[0-9]+", "*");
    }
  }

  /** The summed CPU time of {@code pids}, in nanoseconds. */
  static long cpuNanos(List<Long> pids) {
    long sum = 0;
    for (long pid : pids) {
      sum += cpuNanos(pid);
    }
    return sum;
  }

  private static long clockTicksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return Long.parseLong(out);
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
