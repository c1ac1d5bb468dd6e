package io.meshclient.spring.boot.autoconfigure;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The scalar {@code mesh.*} keys, described for IDE completion: the configuration processor turns this
 * record into {@code spring-configuration-metadata.json}; the map-valued keys ({@code mesh.services},
 * {@code mesh.discovery}) are described by hand in {@code additional-spring-configuration-metadata.json}.
 *
 * <p>The starter does not bind this record. All of {@code mesh.*} goes, as one raw tree, through
 * {@link io.meshclient.spring.boot.MeshConfigBinder} to the mesh's own reader and validation, so there is
 * one schema and one set of error messages; {@code mesh.enabled} is read by the auto-configuration's
 * condition.
 *
 * @param enabled Whether the starter creates a mesh, its clients and its actuator support at all.
 * @param defaults Settings every service takes unless it says otherwise.
 */
@ConfigurationProperties("mesh")
public record MeshProperties(@DefaultValue("true") boolean enabled, Defaults defaults) {

  /**
   * Settings every service takes unless it says otherwise.
   *
   * @param loadBalancer The load balancer: least-request, round-robin, random or weighted-round-robin.
   * @param timeout The whole-call timeout, such as 2s.
   * @param connectTimeout The TCP (and TLS) connect timeout.
   * @param maxConcurrentRequests Requests in flight per service before calls are refused without I/O.
   * @param connectionPool Keep-alive connection reuse to each instance.
   * @param allowedAddresses CIDR blocks (such as 10.0.0.0/8) every service's instances must resolve into; none by default.
   */
  public record Defaults(
      @DefaultValue("least-request") String loadBalancer,
      @DefaultValue("10s") Duration timeout,
      @DefaultValue("1s") Duration connectTimeout,
      @DefaultValue("1024") int maxConcurrentRequests,
      ConnectionPool connectionPool,
      java.util.List<String> allowedAddresses) {}

  /**
   * Keep-alive connection reuse to each instance.
   *
   * @param maxIdlePerHost Idle connections worth keeping per instance.
   * @param maxRequestsPerHost Concurrent asynchronous (enqueued) calls per service.
   * @param keepAlive How long an idle connection is kept; keep it below the servers' idle timeout.
   */
  public record ConnectionPool(
      @DefaultValue("32") int maxIdlePerHost,
      @DefaultValue("256") int maxRequestsPerHost,
      @DefaultValue("30s") Duration keepAlive) {}
}
