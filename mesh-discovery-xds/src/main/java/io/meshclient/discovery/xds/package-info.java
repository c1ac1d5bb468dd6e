/**
 * Discovery and configuration from an xDS control plane: the {@code xds} provider ({@link
 * io.meshclient.discovery.xds.XdsDiscoveryProvider}) and its settings ({@link
 * io.meshclient.discovery.xds.XdsSettings}). Everything else in this package is package-private.
 */
package io.meshclient.discovery.xds;
