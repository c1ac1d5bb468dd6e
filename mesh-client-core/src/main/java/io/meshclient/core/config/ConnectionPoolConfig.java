package io.meshclient.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Keep-alive connection reuse to each instance.
 *
 * @param maxIdlePerHost idle connections worth keeping per instance (default 32). OkHttp's pool is
 *     sized once, when the mesh is built, to this times the number of instances known then (at least
 *     16 instances' worth).
 * @param maxRequestsPerHost concurrent asynchronous ({@code enqueue}) calls per service (default 256);
 *     OkHttp's dispatcher counts them by the host of the URL as called, so by service
 * @param keepAlive how long an idle connection is kept (default 30s); keep it below the servers' idle
 *     timeout
 */
public record ConnectionPoolConfig(int maxIdlePerHost, int maxRequestsPerHost, Duration keepAlive) {

  /** The defaults: 32 idle per host, 256 requests per host, 30 s keep-alive. */
  public static final ConnectionPoolConfig DEFAULT = new ConnectionPoolConfig(MeshKeys.MAX_IDLE.defaultInt(),
      MeshKeys.MAX_REQUESTS.defaultInt(), MeshKeys.KEEP_ALIVE.defaultDuration());

  public ConnectionPoolConfig {
    Objects.requireNonNull(keepAlive, "keepAlive");
  }
}
