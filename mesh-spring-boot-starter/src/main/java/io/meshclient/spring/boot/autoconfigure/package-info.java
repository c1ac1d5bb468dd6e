/**
 * Boot wiring: {@link io.meshclient.spring.boot.autoconfigure.MeshAutoConfiguration} and the actuator
 * and health auto-configurations. No mesh logic lives here.
 */
package io.meshclient.spring.boot.autoconfigure;
