/**
 * Actuator support: the {@code mesh} endpoint, its routing-decision log, and the mesh health indicator.
 */
package io.meshclient.spring.boot.actuate;
