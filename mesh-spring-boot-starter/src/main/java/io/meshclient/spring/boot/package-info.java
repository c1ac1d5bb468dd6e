/**
 * The starter's public surface: {@link io.meshclient.spring.boot.MeshClient} and {@link
 * io.meshclient.spring.boot.EnableMeshClients} for annotated clients, {@link
 * io.meshclient.spring.boot.MeshConfigBinder} (properties to configuration), and {@link
 * io.meshclient.spring.boot.MeshReconfigurer} for live changes.
 */
package io.meshclient.spring.boot;
