package io.meshclient.core;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.config.MeshConfig;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Arrays;

/**
 * Watches the file a mesh's configuration was read from and hands each changed version to {@link
 * Mesh#reconfigure}. One daemon thread per watched mesh. It wakes on the platform's file events for the
 * file's directory (inotify on Linux) and at the latest every {@code checkEvery}, for mounts that send
 * no events (some network and container file systems) and platforms whose JDK polls slowly (macOS).
 *
 * <p>Whether the file changed is decided by its content, so a write in place, an editor's rename over
 * it and a Kubernetes ConfigMap's symbolic-link swap all count, and a touch does not. After an event the
 * file must be quiet for {@value #SETTLE_MILLIS} ms before it is read, so a write in several steps is
 * read once, whole. A file that cannot be read or is refused is logged once (at WARNING, naming the keys;
 * values of secret keys are never in the message) and the configuration in force keeps serving; the
 * next change is tried again.
 */
final class ConfigFileWatch implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ConfigFileWatch.class.getName());
  static final long SETTLE_MILLIS = 100;
  /** Events read in a row before the file is read anyway, so a file rewritten without pause is still read. */
  private static final int MAX_SETTLE_ROUNDS = 20;

  private final Path file;
  private final Mesh mesh;
  private final long checkEveryMillis;
  private final WatchService events;
  private final Thread thread;
  private volatile boolean closed;
  /** The content last read, applied or refused; the watch thread's alone once started. */
  private byte[] seen;
  /** The read failure last logged, so an unreadable file is reported once, not every check. */
  private String unreadable;

  private ConfigFileWatch(Path file, byte[] loaded, Mesh mesh, Duration checkEvery) {
    this.file = file;
    this.seen = loaded;
    this.mesh = mesh;
    this.checkEveryMillis = Math.max(1, checkEvery.toMillis());
    this.events = register(file);
    this.thread = new Thread(this::run, "mesh-config-watch");
    thread.setDaemon(true);
  }

  /** Starts watching {@code file}, whose content {@code loaded} is {@code mesh}'s configuration in force. */
  static ConfigFileWatch start(Path file, byte[] loaded, Mesh mesh, Duration checkEvery) {
    ConfigFileWatch watch = new ConfigFileWatch(file, loaded, mesh, checkEvery);
    watch.thread.start();
    return watch;
  }

  private static WatchService register(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    WatchService service = null;
    try {
      service = dir.getFileSystem().newWatchService();
      dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
      return service;
    } catch (IOException | UnsupportedOperationException e) {
      closeQuietly(service);
      LOG.log(Level.DEBUG, "no file events for {0} ({1}); checking it periodically only", dir, e);
      return null;
    }
  }

  private void run() {
    while (!closed) {
      try {
        awaitChange();
        check();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return; // closed
      } catch (IllegalStateException e) {
        if (!closed) { // the mesh was closed under us: nothing left to apply to
          LOG.log(Level.DEBUG, "mesh closed; no longer watching {0}", file);
        }
        return;
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "watching " + file + " failed; the configuration in force keeps serving", e);
      }
    }
  }

  /** Returns after the next file event in the directory, once the file is quiet, or after checkEvery. */
  private void awaitChange() throws InterruptedException {
    if (events == null) {
      Thread.sleep(checkEveryMillis);
      return;
    }
    WatchKey key = events.poll(checkEveryMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    for (int round = 0; key != null && round < MAX_SETTLE_ROUNDS; round++) {
      key.pollEvents();
      key.reset();
      key = events.poll(SETTLE_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    if (key != null) {
      key.pollEvents();
      key.reset();
    }
  }

  /** Reads the file; when its content differs from the last seen, loads it and applies it. */
  void check() {
    byte[] now;
    try {
      now = Files.readAllBytes(file);
    } catch (IOException e) {
      String why = e.getClass().getSimpleName() + ": " + e.getMessage();
      if (!why.equals(unreadable)) {
        unreadable = why;
        LOG.log(Level.WARNING, "{0} cannot be read ({1}); the configuration in force keeps serving", file, why);
      }
      return;
    }
    unreadable = null;
    if (Arrays.equals(now, seen)) {
      return;
    }
    // The file is loaded again below: if it changed in between, the next check sees content other than
    // `seen` and loads it once more, so the mesh always ends on the file's last version.
    seen = now;
    MeshConfig config;
    try {
      config = mesh.reconfigure(() -> MeshConfig.load(file));
    } catch (ConfigurationException e) {
      refused(e);
      return;
    }
    LOG.log(Level.INFO, "mesh configuration reloaded from {0}: services {1}", file, config.services().keySet());
  }

  private void refused(ConfigurationException e) {
    // Core's configuration messages name keys and expectations, never the values of secret keys.
    LOG.log(Level.WARNING, "mesh configuration change in {0} refused, the configuration in force keeps serving: {1}",
        file, e.getMessage());
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(events);
    thread.interrupt();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void closeQuietly(WatchService service) {
    if (service != null) {
      try {
        service.close();
      } catch (IOException ignored) {
        // nothing to release beyond what close tried
      }
    }
  }
}
