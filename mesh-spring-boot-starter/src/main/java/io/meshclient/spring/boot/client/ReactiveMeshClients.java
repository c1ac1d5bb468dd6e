package io.meshclient.spring.boot.client;

import java.util.function.Supplier;

/**
 * Builds {@code @MeshClient} interfaces whose methods return a {@code Publisher} ({@code Mono}, {@code
 * Flux}): RestClient cannot return those, so they run on a WebClient. An interface so that {@link
 * MeshClientFactory} needs no WebFlux class; {@link WebClientMeshClients} implements it when WebFlux is on
 * the classpath.
 */
public interface ReactiveMeshClients {

  /**
   * Takes what it needs from the application now (on the calling thread), and returns what builds the
   * client, possibly on another thread.
   */
  <T> Supplier<T> prepare(Class<T> type, String baseUrl);
}
