package io.meshclient.core;

import io.meshclient.core.internal.MeshRuntime;
import io.meshclient.core.internal.routing.Route;

/** For {@link ApiBoundaryTest}: an API-package type whose signatures name internal types. */
public final class LeakyApiFixture {
  /** A public constructor taking an internal type. */
  public LeakyApiFixture(Route route) {}

  /** A public method returning an internal type. */
  public MeshRuntime runtime() {
    return null;
  }

  /** Not visible outside the package, so not part of the API. */
  MeshRuntime hidden() {
    return null;
  }
}
