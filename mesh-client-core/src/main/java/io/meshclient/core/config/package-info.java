/**
 * The immutable configuration model of a mesh, its validation, and its loader for mesh.yaml and JSON.
 *
 * <p>{@link io.meshclient.core.config.MeshConfig} is the one schema: the builder API, {@code mesh.yaml}
 * and the Spring starter's {@code mesh.*} properties all end in it, and all are validated by {@link
 * io.meshclient.core.config.MeshConfig.Builder#build()}.
 */
package io.meshclient.core.config;
