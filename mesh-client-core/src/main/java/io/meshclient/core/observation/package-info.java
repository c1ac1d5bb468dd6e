/**
 * Public API: the Micrometer observations the mesh makes when it is given an {@code ObservationRegistry}
 * ({@link io.meshclient.core.Mesh.Builder#observationRegistry}): one {@link MeshCallContext} per call to a
 * mesh service and one {@link MeshAttemptContext} per request sent for it (first try, retry, hedge,
 * mirror), with the names and tags in {@link MeshObservationNames}. The attempt context is a
 * {@code RequestReplySenderContext}, so micrometer-tracing's propagating sender handler injects the trace
 * headers ({@code traceparent}, {@code tracestate} with W3C propagation) into each request sent.
 */
package io.meshclient.core.observation;
