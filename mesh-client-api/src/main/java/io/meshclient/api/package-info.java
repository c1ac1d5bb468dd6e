/**
 * The contracts of mesh-client that every module shares: {@link io.meshclient.api.ServiceInstance},
 * {@link io.meshclient.api.ServiceDiscovery}, {@link io.meshclient.api.LoadBalancer},
 * {@link io.meshclient.api.RequestContext} and the {@link io.meshclient.api.MeshException} family.
 *
 * <p>This package depends on the JDK only.
 */
package io.meshclient.api;
