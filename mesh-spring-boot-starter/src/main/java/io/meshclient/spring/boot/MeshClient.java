package io.meshclient.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a Spring HTTP interface ({@code @GetExchange}, {@code @PostExchange}, ...) as a client of a mesh
 * service. The starter registers a bean implementing the interface whose calls go to {@code
 * http://<service>} through the mesh: routes, rate limits and meters apply, and JSON bodies use the
 * application's message converters.
 *
 * <pre>{@code
 * @MeshClient("reviews")
 * interface ReviewsClient {
 *   @GetExchange("/reviews/{productId}")
 *   Reviews reviews(@PathVariable int productId, @RequestHeader("end-user") String user);
 * }
 * }</pre>
 *
 * <p>Interfaces are found in the application's auto-configuration packages (those of the
 * {@code @SpringBootApplication} class), or where {@link EnableMeshClients} says.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface MeshClient {

  /** The mesh service called, which is the host of the base URL {@code http://<service>}. */
  String value();
}
