/**
 * Instances listed in configuration ({@code mesh.discovery.static}): {@link
 * io.meshclient.discovery.staticlist.StaticServiceDiscovery} and its provider, named {@code static}.
 */
package io.meshclient.discovery.staticlist;
