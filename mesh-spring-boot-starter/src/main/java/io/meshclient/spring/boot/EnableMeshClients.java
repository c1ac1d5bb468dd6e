package io.meshclient.spring.boot;

import io.meshclient.spring.boot.client.MeshClientsRegistrar;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Import;

/**
 * Registers a bean for every {@link MeshClient} interface in the given packages. Not needed for
 * interfaces under the {@code @SpringBootApplication} class's package, which the starter scans by
 * itself; use it for interfaces elsewhere, or to list them explicitly.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Import(MeshClientsRegistrar.class)
public @interface EnableMeshClients {

  /** Packages to scan; with {@link #clients()} empty too, the package of the annotated class. */
  String[] basePackages() default {};

  /** Packages to scan, named by a class in each. */
  Class<?>[] basePackageClasses() default {};

  /** Interfaces to register without scanning. */
  Class<?>[] clients() default {};
}
