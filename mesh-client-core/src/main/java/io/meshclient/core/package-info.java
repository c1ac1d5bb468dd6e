/**
 * mesh-client's facade: build a {@link io.meshclient.core.Mesh}, take its {@code httpClient()}, and call
 * services by name ({@code http://reviews/...}).
 */
package io.meshclient.core;
