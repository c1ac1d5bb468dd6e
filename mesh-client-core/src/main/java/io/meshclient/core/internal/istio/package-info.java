/**
 * Istio's own traffic resources (VirtualService, DestinationRule, ServiceEntry) read from YAML and mapped
 * onto the mesh's one configuration model. Not public API: anything here may change without notice.
 */
package io.meshclient.core.internal.istio;
