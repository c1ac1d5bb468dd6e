package io.meshclient.spring.boot.startup;

import io.meshclient.spring.boot.MeshClient;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.boot.context.metrics.buffering.StartupTimeline;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.metrics.StartupStep;
import org.springframework.web.service.annotation.GetExchange;

/**
 * A minimal web application for {@code src/test/startup/measure.sh}: prints the time from JVM start to
 * {@link ApplicationReadyEvent} ({@code ready-ms}), the process CPU time then ({@code cpu-ms}), the
 * time spent creating the starter's own beans ({@code mesh-beans-ms}) and the CPU time of the main
 * thread, which runs the start-up ({@code main-cpu-ms}: less disturbed by other processes than wall
 * time), and exits. Not a test.
 *
 * <p>For profiling start-up: {@code -Dprobe.detail=true} lists those beans one by one,
 * {@code -Dprobe.threads=true} prints each live thread's CPU time (the JIT compilers among them), and
 * {@code -Dprobe.steps=FILE} writes every start-up step with its own time, for diffing two runs.
 */
@SpringBootApplication
public class StartupProbe {

  /** A client for the probe's scan to find when the starter is on. */
  @MeshClient("reviews")
  public interface ProbeClient {
    @GetExchange("/reviews/1")
    String review();
  }

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(StartupProbe.class);
    BufferingApplicationStartup steps = new BufferingApplicationStartup(20_000);
    app.setApplicationStartup(steps);
    app.addListeners((ApplicationReadyEvent ready) -> {
      long wall = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
      long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime() / 1_000_000;
      long mainCpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1_000_000;
      System.out.println("ready-ms=" + wall + " cpu-ms=" + cpu + " mesh-beans-ms=" + meshBeansSelfMillis(steps)
          + " main-cpu-ms=" + mainCpu);
      if (Boolean.getBoolean("probe.threads")) {
        System.out.println("threads: " + threadCpu());
      }
    });
    ConfigurableApplicationContext context = app.run(args);
    context.close();
  }

  /** CPU milliseconds of each live thread of the process, by thread name, the busiest first (Linux). */
  private static String threadCpu() {
    Map<String, Long> byName = new HashMap<>();
    try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
      for (java.nio.file.Path task : tasks.toList()) {
        String stat = java.nio.file.Files.readString(task.resolve("stat"));
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+$", "#");
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        byName.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10, Long::sum);
      }
    } catch (java.io.IOException e) {
      return e.toString();
    }
    StringBuilder out = new StringBuilder();
    byName.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> out.append(e.getKey()).append('=').append(e.getValue()).append(' '));
    return out.toString();
  }

  /**
   * Wall time spent instantiating the starter's beans themselves (the mesh, its request factory,
   * customizers, the @MeshClient proxy...), excluding beans they pulled in that exist anyway.
   */
  private static long meshBeansSelfMillis(BufferingApplicationStartup steps) {
    Map<Long, Duration> children = new HashMap<>();
    List<StartupTimeline.TimelineEvent> events = steps.getBufferedTimeline().getEvents();
    for (StartupTimeline.TimelineEvent e : events) {
      if (e.getStartupStep().getParentId() != null) {
        children.merge(e.getStartupStep().getParentId(), e.getDuration(), Duration::plus);
      }
    }
    Duration self = Duration.ZERO;
    StringBuilder detail = new StringBuilder();
    for (StartupTimeline.TimelineEvent e : events) {
      String bean = null;
      for (StartupStep.Tag tag : e.getStartupStep().getTags()) {
        if (tag.getKey().equals("beanName")) {
          bean = tag.getValue();
        }
      }
      if (bean != null && (bean.startsWith("mesh") || bean.contains("ProbeClient") || bean.contains(".Mesh"))) {
        Duration own = e.getDuration().minus(children.getOrDefault(e.getStartupStep().getId(), Duration.ZERO));
        self = self.plus(own);
        detail.append(' ').append(bean).append('=').append(own.toMillis());
      }
    }
    if (Boolean.getBoolean("probe.detail")) {
      System.out.println("mesh-beans:" + detail);
    }
    String stepsFile = System.getProperty("probe.steps");
    if (stepsFile != null) {
      StringBuilder out = new StringBuilder();
      for (StartupTimeline.TimelineEvent e : events) {
        Duration own = e.getDuration().minus(children.getOrDefault(e.getStartupStep().getId(), Duration.ZERO));
        StringBuilder tags = new StringBuilder();
        e.getStartupStep().getTags().forEach(t -> tags.append(t.getKey()).append('=').append(t.getValue()).append(';'));
        out.append(own.toNanos() / 1000).append('\t').append(e.getStartupStep().getName()).append('\t')
            .append(tags.toString().replace('\n', ' ')).append('\n');
      }
      try {
        java.nio.file.Files.writeString(java.nio.file.Path.of(stepsFile), out);
      } catch (java.io.IOException ex) {
        throw new java.io.UncheckedIOException(ex);
      }
    }
    return self.toMillis();
  }
}
