package io.meshclient.core;

import io.meshclient.core.config.ConnectionPoolConfig;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.internal.LaidInstances;
import io.meshclient.core.internal.MeshRuntime;
import io.meshclient.core.internal.ReloadCallbacks;
import io.meshclient.core.internal.istio.IstioSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A mesh's configuration as it is composed: the application's (mesh.yaml or the builder's, and its reloads),
 * the layers attached sources lay over it ({@link Mesh#layer}), and Istio's resources over all of them. Every
 * change, whichever part it comes from, is composed and applied whole under one lock, and counted once by
 * the listener, applied or refused. Thread-safe.
 */
final class MeshReloads {
  private static final System.Logger LOG = System.getLogger(Mesh.class.getName());

  private final MeshRuntime runtime;
  private final MeshListener listener;
  /** The Istio files given to {@link Mesh.Builder#istioConfig}; null if none. */
  private final IstioSource istio;
  /** Where the configuration below Istio's comes from, for messages. */
  private final String baseSource;
  /** The pool settings the mesh's client is made with, whenever it is made; a reload may not change them. */
  private final ConnectionPoolConfig pool;
  /** Serializes reloads: the base configuration, the layers and the Istio files are composed and applied as one. */
  private final Object lock = new Object();
  /** The application's configuration; under lock. */
  private MeshConfig base;
  /** What attached sources lay over {@link #base} before Istio's resources, by owner; under lock. */
  private final Map<Object, UnaryOperator<MeshConfig>> layers = new LinkedHashMap<>();
  /** Set under lock when the mesh closes: a change of the Istio files arriving after it is dropped. */
  private boolean closed;

  MeshReloads(MeshRuntime runtime, MeshListener listener, IstioSource istio, MeshConfig base, String baseSource) {
    this.runtime = runtime;
    this.listener = listener;
    this.istio = istio;
    this.base = base;
    this.baseSource = baseSource;
    this.pool = base.defaults().connectionPool();
  }

  /** See {@link Mesh#reload}. */
  MeshConfig reload(Supplier<MeshConfig> source) {
    MeshConfig newConfig;
    synchronized (lock) {
      try {
        MeshConfig newBase = Objects.requireNonNull(source.get(), "the configuration source returned null");
        // refused, but only with whatever else is wrong in newBase: one reload reports all there is to fix
        List<String> refused = MeshHttpClient.poolChanges(pool, newBase.defaults().connectionPool());
        newConfig = applyLayered(newBase, refused, LaidInstances.NONE);
        base = newBase;
      } catch (RuntimeException e) {
        ReloadCallbacks.reconfigured(listener, false);
        throw e;
      }
    }
    ReloadCallbacks.reconfigured(listener, true);
    return newConfig;
  }

  /** See {@link Mesh#layer}: {@code instances}, laid with it, are taken in the same swap. */
  MeshConfig layer(Object owner, UnaryOperator<MeshConfig> layer, LaidInstances instances) {
    MeshConfig newConfig;
    synchronized (lock) {
      UnaryOperator<MeshConfig> previous = layers.put(owner, layer);
      try {
        newConfig = applyLayered(base, List.of(), instances);
      } catch (RuntimeException e) {
        if (previous != null) {
          layers.put(owner, previous);
        } else {
          layers.remove(owner);
        }
        ReloadCallbacks.reconfigured(listener, false);
        throw e;
      }
    }
    ReloadCallbacks.reconfigured(listener, true);
    return newConfig;
  }

  /** A changed version of the Istio files, from their watch: applied over the configuration in force below them. */
  void onIstioFiles(Map<String, byte[]> files) {
    synchronized (lock) {
      if (closed || !istio.changed(files)) {
        return;
      }
      try {
        MeshConfig applied = istio.apply(files, layered(base), baseSource, runtime.listedServices(), runtime::apply);
        LOG.log(System.Logger.Level.INFO, "Istio resources reloaded: services {0}", applied.services().keySet());
      } catch (RuntimeException e) {
        ReloadCallbacks.reconfigured(listener, false);
        throw e;
      }
    }
    ReloadCallbacks.reconfigured(listener, true);
  }

  /** From here on, changes of the Istio files are dropped. */
  void close() {
    synchronized (lock) {
      closed = true;
    }
  }

  /** {@code newBase} with the layers and Istio's resources over it, applied with {@code laid}; under lock. */
  private MeshConfig applyLayered(MeshConfig newBase, List<String> refused, LaidInstances laid) {
    try {
      MeshConfig layered = layered(newBase);
      if (istio == null) {
        runtime.apply(layered, refused, laid);
        return layered;
      }
      return istio.reapply(layered, baseSource, runtime.listedServices(),
          config -> runtime.apply(config, refused, laid));
    } catch (io.meshclient.api.ConfigurationException e) {
      throw MeshRuntime.withRefused(e, refused);
    }
  }

  private MeshConfig layered(MeshConfig config) {
    MeshConfig out = config;
    for (UnaryOperator<MeshConfig> layer : layers.values()) {
      out = Objects.requireNonNull(layer.apply(out), "a configuration layer returned null");
    }
    return out;
  }
}
