/**
 * Public API: the names and tags of the Micrometer meters the mesh registers, in {@link
 * io.meshclient.core.metrics.MeshMetricNames}. The meters themselves are recorded by the mesh's internal
 * listener.
 */
package io.meshclient.core.metrics;
