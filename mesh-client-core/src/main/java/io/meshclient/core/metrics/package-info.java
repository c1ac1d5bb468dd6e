/**
 * Micrometer meters for the mesh: {@link io.meshclient.core.metrics.MeshMetrics} turns {@link
 * io.meshclient.core.MeshListener} events into meters named in {@link
 * io.meshclient.core.metrics.MeshMetricNames}.
 */
package io.meshclient.core.metrics;
