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
 * {@link ApplicationReadyEvent} ({@code ready-ms}), the process CPU time then ({@code cpu-ms}) and the
 * time spent creating the starter's own beans ({@code mesh-beans-ms}), and exits. Not a test.
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
      System.out.println("ready-ms=" + wall + " cpu-ms=" + cpu + " mesh-beans-ms=" + meshBeansSelfMillis(steps));
    });
    ConfigurableApplicationContext context = app.run(args);
    context.close();
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
    return self.toMillis();
  }
}
