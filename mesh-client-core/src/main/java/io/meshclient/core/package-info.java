/**
 * mesh-client's facade: build a {@link io.meshclient.core.Mesh}, take its {@code httpClient()}, and call
 * services by name ({@code http://reviews/...}).
 *
 * <p>Core's public API is exactly four packages:
 *
 * <ul>
 *   <li>{@code io.meshclient.core}: {@link io.meshclient.core.Mesh} and its builder, {@link
 *       io.meshclient.core.MeshListener}, {@link io.meshclient.core.RoutingDecision}, {@link
 *       io.meshclient.core.MeshSnapshot}, {@link io.meshclient.core.Ticker}, {@link
 *       io.meshclient.core.Sleeper};
 *   <li>{@code io.meshclient.core.config}: the configuration model and its loader;
 *   <li>{@code io.meshclient.core.metrics}: {@link io.meshclient.core.metrics.MeshMetricNames}, the names
 *       and tags of the mesh's meters;
 *   <li>{@code io.meshclient.core.observation}: the contexts, names and tags of the Micrometer observations
 *       the mesh makes for tracing.
 * </ul>
 *
 * <p>Everything under {@code io.meshclient.core.internal} is implementation and may change without notice;
 * no API signature mentions it ({@code ApiBoundaryTest} enforces both). The SPI and exceptions are in the
 * {@code mesh-client-api} module ({@code io.meshclient.api}, {@code io.meshclient.api.spi}).
 */
package io.meshclient.core;
