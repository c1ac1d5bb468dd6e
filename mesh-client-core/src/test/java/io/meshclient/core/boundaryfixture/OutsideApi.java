package io.meshclient.core.boundaryfixture;

/** For {@code ApiBoundaryTest}: a public type in a package that is neither API nor internal. */
public final class OutsideApi {}
