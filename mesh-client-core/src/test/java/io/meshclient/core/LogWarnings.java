package io.meshclient.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The formatted WARNING (and worse) messages one class logs while this is open; the JDK's System.Logger goes to JUL. */
final class LogWarnings implements AutoCloseable {
  final List<String> messages = new CopyOnWriteArrayList<>();
  private final Logger logger; // held: JUL keeps loggers weakly, and a collected one would lose the handler
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
        messages.add(new java.util.logging.SimpleFormatter().formatMessage(record));
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  LogWarnings(Class<?> source) {
    logger = Logger.getLogger(source.getName());
    logger.addHandler(handler);
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
