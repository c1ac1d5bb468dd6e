package io.meshclient.discovery.consul;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/** Records what watches report, with the time of each report on a given clock. */
final class RecordingEvents implements ConsulWatchListener {
  /** One report: a failure kind, or null for an answer. */
  record Event(long nanoTime, Failure failure, int instanceCount) {}

  private final LongSupplier clock;
  private final List<Event> events = new CopyOnWriteArrayList<>();

  RecordingEvents(LongSupplier clock) {
    this.clock = clock;
  }

  RecordingEvents() {
    this(System::nanoTime);
  }

  @Override
  public void onResponse(String service, Duration latency, int instanceCount) {
    events.add(new Event(clock.getAsLong(), null, instanceCount));
  }

  @Override
  public void onFailure(String service, Duration latency, Failure failure) {
    events.add(new Event(clock.getAsLong(), failure, -1));
  }

  List<Event> events() {
    return List.copyOf(events);
  }

  List<Event> failures() {
    return events.stream().filter(e -> e.failure() != null).toList();
  }

  long answers() {
    return events.stream().filter(e -> e.failure() == null).count();
  }
}
