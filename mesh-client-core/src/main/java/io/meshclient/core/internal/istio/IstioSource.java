package io.meshclient.core.internal.istio;

import io.meshclient.core.config.IstioOptions;
import io.meshclient.core.config.IstioReport;
import io.meshclient.core.config.MeshConfig;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Istio files of one mesh: reads them, translates them on top of mesh.yaml, keeps the instances of
 * their ServiceEntries and the last load report, and watches the files for changes (polling every {@link
 * IstioOptions#checkEvery()}: a mounted ConfigMap swaps its files through a symbolic link, which polling
 * content sees on every platform). A version is handed on only once two reads {@value #SETTLE_MILLIS} ms
 * apart agree, and not while a file that held something (or is new) is empty: a truncating write not yet
 * written, never a file of no resources that would drop its routes. One daemon thread per mesh while
 * watching; thread-safe.
 */
public final class IstioSource implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(IstioSource.class.getName());
  static final long SETTLE_MILLIS = 100;

  private final List<Path> paths;
  private final IstioOptions options;
  private final IstioTranslator translator;
  private final ServiceEntryDiscovery discovery = new ServiceEntryDiscovery();
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile IstioReport report = IstioReport.EMPTY;
  /** The file contents last applied or refused; written under the mesh's reload lock, read by the watch too. */
  private volatile Map<String, byte[]> seen = Map.of();
  /** The file contents last applied; under the mesh's reload lock. */
  private Map<String, byte[]> applied = Map.of();
  private Thread thread;

  public IstioSource(List<Path> paths, IstioOptions options) {
    this.paths = List.copyOf(paths);
    this.options = Objects.requireNonNull(options, "options");
    this.translator = new IstioTranslator(options);
  }

  /** The discovery that serves the ServiceEntries' instances; the mesh watches it as {@link ServiceEntryDiscovery#NAME}. */
  public ServiceEntryDiscovery discovery() {
    return discovery;
  }

  /** The report of the resources in force. */
  public IstioReport report() {
    return report;
  }

  /**
   * Reads every file now, by name.
   *
   * @throws io.meshclient.api.ConfigurationException if a path cannot be read
   */
  public Map<String, byte[]> read() {
    Map<String, byte[]> out = new LinkedHashMap<>();
    IstioYaml.read(IstioYaml.files(paths)).forEach((path, content) -> out.put(path.toString(), content));
    return out;
  }

  /**
   * Translates {@code files} on top of {@code base} and applies the result with {@code apply}: the
   * ServiceEntries' instances are published first, and put back if {@code apply} refuses the configuration.
   *
   * @return the configuration applied
   * @throws io.meshclient.api.ConfigurationException if the files or the result are invalid; nothing changes
   */
  public MeshConfig apply(Map<String, byte[]> files, MeshConfig base, String baseSource, Set<String> listed,
      Consumer<MeshConfig> apply) {
    seen = files;
    IstioTranslator.Result result = translator.translate(files, base, baseSource, listed);
    Map<String, List<io.meshclient.api.ServiceInstance>> before = discovery.instances();
    discovery.update(result.instances());
    try {
      apply.accept(result.config());
    } catch (io.meshclient.api.ConfigurationException e) { // such as a certificate file a DestinationRule names
      discovery.update(before);
      throw new io.meshclient.api.ConfigurationException(result.fields().named(e.problems()));
    } catch (RuntimeException | Error e) {
      discovery.update(before);
      throw e;
    }
    applied = files;
    report = result.report();
    for (IstioReport.Unsupported u : report.unsupported()) {
      LOG.log(Level.INFO, "{0}", u);
    }
    for (String ignored : report.ignored()) {
      LOG.log(Level.INFO, "ignored: {0}", ignored);
    }
    return result.config();
  }

  /**
   * Translates the files in force, not a fresh read, on top of a new {@code base} and applies the result, as
   * {@link #apply}: a version on disk may be half-written or already refused. Once it is applied, a version
   * on disk refused before is handed on by the watch again, to be tried over the new base.
   *
   * @return the configuration applied
   * @throws io.meshclient.api.ConfigurationException if the result is invalid; nothing changes
   */
  public MeshConfig reapply(MeshConfig base, String baseSource, Set<String> listed, Consumer<MeshConfig> apply) {
    Map<String, byte[]> before = seen;
    try {
      return apply(applied, base, baseSource, listed, apply);
    } catch (RuntimeException e) {
      seen = before; // the base is unchanged: a refused version on disk is not tried again
      throw e;
    }
  }

  /** Whether {@code files} differ from those last applied or refused. */
  public boolean changed(Map<String, byte[]> files) {
    if (!files.keySet().equals(seen.keySet())) {
      return true;
    }
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      if (!Arrays.equals(e.getValue(), seen.get(e.getKey()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Starts checking the files every {@link IstioOptions#checkEvery()}; {@code onChange} receives each
   * version that differs from the last applied and has settled. A version it refuses is not handed on
   * again until the files change.
   */
  public synchronized void watch(Consumer<Map<String, byte[]>> onChange) {
    thread = new Thread(() -> run(onChange), "mesh-istio-watch");
    thread.setDaemon(true);
    thread.start();
  }

  private void run(Consumer<Map<String, byte[]>> onChange) {
    String unreadable = null; // what was last logged: a file unreadable or emptied is reported once
    try {
      while (!closing.await(options.checkEvery().toMillis(), TimeUnit.MILLISECONDS)) {
        Map<String, byte[]> now;
        try {
          now = read();
          if (closing.await(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) {
            return;
          }
          if (!same(now, read())) {
            continue; // still being written
          }
          String emptied = emptied(now);
          if (emptied != null) {
            if (!emptied.equals(unreadable)) {
              unreadable = emptied;
              LOG.log(Level.WARNING, "{0} is empty, taken for a file being written; the configuration in force"
                  + " keeps serving until it is written or deleted", emptied);
            }
            continue;
          }
          unreadable = null;
        } catch (RuntimeException e) {
          String why = String.valueOf(e.getMessage()); // a bug's exception may have none
          if (!why.equals(unreadable)) {
            unreadable = why;
            LOG.log(Level.WARNING, "Istio files cannot be read now ({0}); the configuration in force keeps serving",
                why);
          }
          continue;
        }
        try {
          onChange.accept(now);
        } catch (RuntimeException e) {
          // Messages name files, resources and fields; values of secrets are never part of them.
          LOG.log(Level.WARNING, "Istio resources refused, the configuration in force keeps serving: {0}",
              e.getMessage());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A file empty in {@code files} that was not empty (or not there) in the version last seen; null if none. */
  private String emptied(Map<String, byte[]> files) {
    Map<String, byte[]> before = seen;
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      byte[] was = before.get(e.getKey());
      if (e.getValue().length == 0 && (was == null || was.length > 0)) {
        return e.getKey();
      }
    }
    return null;
  }

  private static boolean same(Map<String, byte[]> a, Map<String, byte[]> b) {
    if (!a.keySet().equals(b.keySet())) {
      return false;
    }
    for (Map.Entry<String, byte[]> e : a.entrySet()) {
      if (!Arrays.equals(e.getValue(), b.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** Stops the watch; a reload under way finishes first. */
  @Override
  public void close() {
    closing.countDown();
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    discovery.close();
  }
}
