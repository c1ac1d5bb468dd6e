package io.meshclient.core;

import io.meshclient.core.internal.MeshRuntime;

/** For tests in other packages: a mesh's internals, which are no longer public API. */
public final class MeshInternals {
  private MeshInternals() {}

  /** The runtime behind {@code mesh}. */
  public static MeshRuntime runtime(Mesh mesh) {
    return mesh.runtime();
  }
}
