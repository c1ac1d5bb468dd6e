package io.meshclient.discovery.kubernetes;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures, at the finest level, what this module logs (System.Logger, which goes to java.util.logging).
 * Restores the levels on close.
 */
final class LogCapture implements AutoCloseable {
  static final List<String> CLIENT_LOGGERS = List.of("io.meshclient");

  private final List<Logger> loggers = new ArrayList<>(); // strong references keep the levels set
  private final List<Level> previous = new ArrayList<>();
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Handler handler = new Handler() {
    private final SimpleFormatter formatter = new SimpleFormatter();

    @Override
    public void publish(LogRecord record) {
      lines.add(record.getLoggerName() + " " + record.getLevel() + " " + formatter.format(record));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private LogCapture() {
    handler.setLevel(Level.ALL);
    for (String name : CLIENT_LOGGERS) {
      Logger logger = Logger.getLogger(name);
      loggers.add(logger);
      previous.add(logger.getLevel());
      logger.setLevel(Level.ALL);
      logger.addHandler(handler);
    }
  }

  /** Starts capturing everything the client side logs, TRACE included. */
  static LogCapture everything() {
    return new LogCapture();
  }

  /** Everything captured so far, one formatted record after another, stack traces included. */
  String text() {
    return String.join("", lines);
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    for (int i = 0; i < loggers.size(); i++) {
      loggers.get(i).removeHandler(handler);
      loggers.get(i).setLevel(previous.get(i));
    }
  }
}
