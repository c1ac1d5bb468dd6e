package io.meshclient.discovery.xds;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Records what the java.util.logging logger of a class logs while open (at the levels that logger lets through). */
final class LogRecorder implements AutoCloseable {
  private final Logger logger;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord r) {
      records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  LogRecorder(Class<?> logging) {
    logger = Logger.getLogger(logging.getName());
    logger.addHandler(handler);
  }

  /** The records logged at WARNING or above. */
  List<LogRecord> warningRecords() {
    return records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue()).toList();
  }

  /** The messages logged at WARNING or above. */
  List<String> warnings() {
    return warningRecords().stream().map(LogRecord::getMessage).toList();
  }

  /** Every record, of any level. */
  List<LogRecord> records() {
    return List.copyOf(records);
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
