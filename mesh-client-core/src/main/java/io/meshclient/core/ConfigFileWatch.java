package io.meshclient.core;

import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.internal.ConfigFiles;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Watches the file a mesh's configuration was read from and hands each changed version to {@link
 * Mesh#reload}. One daemon thread per watched mesh (plus, on Linux, the JDK's own inotify thread). It
 * wakes on the platform's file events for the file's directory and at the latest every {@code
 * checkEvery}, for mounts that send no events (some network and container file systems) and platforms
 * whose JDK polls slowly (macOS).
 *
 * <p>Whether the file changed is decided by its content, so a write in place, an editor's rename over
 * it and a Kubernetes ConfigMap's symbolic-link swap all count, and a touch does not. A version is
 * applied only once two reads {@value #SETTLE_MILLIS} ms apart agree and it is not empty, so a write in
 * progress is not taken for a new configuration; exactly the bytes compared are parsed. A version of only blank
 * lines or comments ({@code echo > mesh.yaml} leaves one line feed) is refused, never applied as an empty
 * configuration that would drop every route. (Replacing the
 * file by a rename is still the safe way to change it: a writer that pauses longer mid-write can be
 * read half-way, and is then refused as invalid if it does not parse.) A file that cannot be read or
 * is refused is logged once, at WARNING, naming the keys (values of secret keys are never in the
 * message), and the configuration in force keeps serving; the next change is tried again, and so is a
 * refused version once the configuration in force has changed otherwise (it may have clashed with Istio's
 * resources, or an attached source's). A file of more than 4 MB ({@link ConfigFiles#MAX_BYTES}) is
 * refused unread, as the Istio files are.
 */
final class ConfigFileWatch implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ConfigFileWatch.class.getName());
  static final long SETTLE_MILLIS = 100;
  static final Duration DEFAULT_CHECK_EVERY = Duration.ofSeconds(2);
  /** Events read in a row before the file is checked anyway, so a file rewritten without pause is still read. */
  private static final int MAX_SETTLE_ROUNDS = 20;

  private final Path file;
  private final Path dir;
  /** The configuration in force: the mesh's. */
  private final Supplier<MeshConfig> inForce;
  /** Applies a version as {@link Mesh#reload} does, returning the configuration then in force. */
  private final Function<Supplier<MeshConfig>, MeshConfig> reload;
  private final long checkEveryMillis;
  private final WatchService events;
  private final Thread thread;
  /** Counted down by close: wakes a wait that no file event would end. */
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile boolean closed;
  /** The directory's registration with {@link #events}; null while it is not registered. Watch thread only. */
  private WatchKey registration;
  /** The content last applied or refused. Watch thread only. */
  private byte[] seen;
  /**
   * The configuration in force before {@link #seen} was refused; null if it was applied. A refused version
   * is tried again once the configuration in force is another (Istio files or an attached source changed):
   * it may have been refused only for clashing with them. Watch thread only.
   */
  private MeshConfig refusedOver;
  /** The message {@link #seen} was last refused with, so that a retry refused alike is not logged again. */
  private String refusal;
  /** The read failure last logged, so an unreadable file is reported once, not every check. Watch thread only. */
  private String unreadable;

  private ConfigFileWatch(Path file, byte[] loaded, Supplier<MeshConfig> inForce,
      Function<Supplier<MeshConfig>, MeshConfig> reload, long checkEveryMillis, boolean useFileEvents) {
    this.file = file;
    this.dir = file.toAbsolutePath().getParent();
    this.seen = loaded;
    this.inForce = inForce;
    this.reload = reload;
    this.checkEveryMillis = checkEveryMillis;
    this.events = useFileEvents ? newWatchService(dir) : null;
    this.registration = register();
    this.thread = new Thread(this::run, "mesh-config-watch");
    thread.setDaemon(true);
  }

  /** A file read for watching: its content, the configuration parsed from exactly that content, the check period. */
  record Source(Path file, byte[] content, MeshConfig config, Duration checkEvery) {}

  /**
   * Reads {@code file} to be watched every {@code checkEvery} at the latest.
   *
   * @throws io.meshclient.api.ConfigurationException if the file cannot be read or is invalid
   * @throws IllegalArgumentException if {@code checkEvery} is not from 100 ms to 1 day
   */
  static Source read(Path file, Duration checkEvery) {
    java.util.Objects.requireNonNull(file, "file");
    if (checkEvery.compareTo(Duration.ofMillis(100)) < 0 || checkEvery.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("checkEvery: " + checkEvery + " (expected: from 100 ms to 1 day)");
    }
    byte[] content;
    try {
      content = ConfigFiles.read(file);
    } catch (IOException e) {
      throw io.meshclient.api.ConfigurationException.unreadable(file, e);
    }
    return new Source(file, content, MeshConfig.fromFileContent(file, content), checkEvery);
  }

  /**
   * Starts watching {@code source}'s file, whose content is the configuration in force ({@code inForce}), each
   * changed version applied with {@code reload}; without {@code useFileEvents} it is only checked every {@code
   * checkEvery}. Started as the mesh is put together, so it is given what it uses, never the mesh being built.
   */
  static ConfigFileWatch start(Source source, Supplier<MeshConfig> inForce,
      Function<Supplier<MeshConfig>, MeshConfig> reload, boolean useFileEvents) {
    ConfigFileWatch watch = new ConfigFileWatch(source.file(), source.content(), inForce, reload,
        source.checkEvery().toMillis(), useFileEvents);
    watch.thread.start();
    return watch;
  }

  private static WatchService newWatchService(Path dir) {
    try {
      return dir.getFileSystem().newWatchService();
    } catch (IOException | UnsupportedOperationException e) {
      // On Linux: the user's inotify instances are used up (fs.inotify.max_user_instances).
      LOG.log(Level.INFO, "no file events for {0} ({1}); checking it every so often only", dir, e.toString());
      return null;
    }
  }

  /** Registers the directory (again, after it was deleted and made anew); null if that cannot be done now. */
  private WatchKey register() {
    if (events == null) {
      return null;
    }
    try {
      return dir.register(events, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.log(Level.DEBUG, "cannot watch {0} now ({1}); checking it every so often", dir, e.toString());
      return null;
    } catch (ClosedWatchServiceException e) {
      return null; // closing
    }
  }

  private void run() {
    while (!closed) {
      try {
        awaitChange();
        if (!closed) {
          check();
        }
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return; // closed
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        // Only the type and message: a stack trace of a failure mid-way could carry configuration text.
        LOG.log(Level.WARNING, "watching {0}: {1}; the configuration in force keeps serving, watching goes on",
            file, e.toString());
      }
    }
  }

  /** Returns after file events in the directory have stopped, or after checkEvery, or on close. */
  private void awaitChange() throws InterruptedException {
    if (registration == null || !registration.isValid()) {
      registration = register();
    }
    if (registration == null) {
      closing.await(checkEveryMillis, TimeUnit.MILLISECONDS);
      return;
    }
    WatchKey key = events.poll(checkEveryMillis, TimeUnit.MILLISECONDS);
    for (int round = 0; key != null && round < MAX_SETTLE_ROUNDS; round++) {
      drain(key);
      key = events.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS);
    }
    if (key != null) {
      drain(key);
    }
  }

  private void drain(WatchKey key) {
    key.pollEvents();
    if (!key.reset()) {
      registration = null; // the directory went away; registered again when it is back
    }
  }

  /**
   * Reads the file; when its content differs from the last seen, is not empty, and reads the same again
   * a moment later, parses exactly that content and applies it.
   */
  private void check() throws InterruptedException {
    byte[] now = read();
    if (now == null || now.length == 0) {
      return; // unreadable (logged), or being written
    }
    if (Arrays.equals(now, seen) && (refusedOver == null || refusedOver.equals(inForce.get()))) {
      // unchanged, and applied or refused over the configuration still in force (equal, not only the same
      // object: an attached source laying the same settings with new instances is no reason to retry)
      return;
    }
    if (closing.await(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) {
      return;
    }
    if (!Arrays.equals(now, read())) {
      return; // still being written: the next check reads it again
    }
    boolean retry = Arrays.equals(now, seen);
    seen = now;
    MeshConfig before = inForce.get();
    try {
      // `echo > mesh.yaml`, or an editor's save mid-rewrite, is refused by the loader: not an empty configuration
      MeshConfig config = reload.apply(() -> MeshConfig.fromFileContent(file, now));
      refusedOver = null;
      LOG.log(Level.INFO, "mesh configuration reloaded from {0}: services {1}", file, config.services().keySet());
    } catch (RuntimeException e) {
      refusedOver = before;
      if (closed) {
        return;
      }
      // Core's configuration messages name keys and expectations, never the values of secret keys.
      String why = e instanceof io.meshclient.api.ConfigurationException ? e.getMessage() : e.toString();
      LOG.log(retry && why.equals(refusal) ? Level.DEBUG : Level.WARNING,
          "mesh configuration change in {0} refused, the configuration in force keeps serving: {1}", file, why);
      refusal = why;
    }
  }

  /** The file's content, or null (logged once per kind of failure) if it cannot be read now or is too large. */
  private byte[] read() {
    String why;
    String message;
    try {
      byte[] content = ConfigFiles.read(file);
      unreadable = null;
      return content;
    } catch (io.meshclient.api.ConfigurationException e) {
      why = "too large";
      message = e.getMessage();
    } catch (IOException e) {
      why = e.getClass().getSimpleName();
      message = io.meshclient.api.ConfigurationException.unreadable(file, e).getMessage(); // as at start-up
    }
    if (!why.equals(unreadable) && !closed) {
      unreadable = why;
      LOG.log(Level.WARNING, "{0}; the configuration in force keeps serving", message);
    }
    return null;
  }

  /** Stops the watch: a check under way finishes (it is not interrupted), then the thread ends. */
  @Override
  public void close() {
    closed = true;
    closing.countDown();
    if (events != null) {
      try {
        events.close(); // wakes a poll
      } catch (IOException ignored) {
        // nothing more to release
      }
    }
    if (Thread.currentThread() != thread) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
