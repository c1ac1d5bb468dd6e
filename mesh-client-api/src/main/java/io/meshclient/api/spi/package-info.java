/**
 * Service-provider interfaces: implement one, list the class in {@code META-INF/services/<interface
 * name>}, and the mesh finds it by its {@code name()} through {@link java.util.ServiceLoader}.
 */
package io.meshclient.api.spi;
