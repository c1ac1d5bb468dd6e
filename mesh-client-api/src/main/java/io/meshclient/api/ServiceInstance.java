package io.meshclient.api;

import java.util.Map;
import java.util.Objects;

/**
 * One reachable copy of a service: where to send a request and what is known about it.
 *
 * <p>Instances are immutable values. Two instances are equal when all their components are equal, so a
 * discovery provider can tell a changed snapshot from a repeated one with {@link Object#equals}.
 *
 * @param id unique within the service, stable across snapshots (for example {@code host:port})
 * @param service the logical service name, as used in request URLs ({@code http://reviews/...})
 * @param host a host name or IP literal to connect to
 * @param port the TCP port, 1 to 65535
 * @param secure whether requests to this instance use TLS
 * @param weight relative share for weighted balancing, at least 0 (0 takes no weighted traffic)
 * @param metadata free-form labels such as {@code version: v2}; subsets select on them
 * @param zone locality label, or the empty string when unknown
 * @param locality where the instance runs, {@code region/zone/subzone} as Envoy's locality (any part may
 *     be empty), or the empty string when unknown
 * @param priority Envoy's locality priority: 0 is preferred, higher numbers are failover; at least 0
 */
public record ServiceInstance(
    String id,
    String service,
    String host,
    int port,
    boolean secure,
    int weight,
    Map<String, String> metadata,
    String zone,
    String locality,
    int priority) {

  /** The weight an instance has when its source says nothing about weight. */
  public static final int DEFAULT_WEIGHT = 1;

  /**
   * Checks and freezes the components.
   *
   * @throws NullPointerException if a component other than {@code zone} or {@code metadata} is null
   * @throws IllegalArgumentException if the port is out of range or the weight negative
   */
  public ServiceInstance {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
    }
    if (weight < 0) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: >= 0)");
    }
    if (priority < 0) {
      throw new IllegalArgumentException("priority: " + priority + " (expected: >= 0)");
    }
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    zone = zone == null ? "" : zone;
    locality = locality == null ? "" : locality;
  }

  /** An instance with no locality and priority 0; prefer {@link #builder}, which new fields do not break. */
  public ServiceInstance(String id, String service, String host, int port, boolean secure, int weight,
      Map<String, String> metadata, String zone) {
    this(id, service, host, port, secure, weight, metadata, zone, "", 0);
  }

  /** A builder for an instance of {@code service} at {@code host:port}: id {@code host:port}, weight 1. */
  public static Builder builder(String service, String host, int port) {
    return new Builder(service, host, port);
  }

  /** A builder that starts from this instance. */
  public Builder toBuilder() {
    return new Builder(service, host, port).id(id).secure(secure).weight(weight).metadata(metadata).zone(zone)
        .locality(locality).priority(priority);
  }

  /** Collects an instance; {@link #build()} checks it as the constructor does. Not thread-safe. */
  public static final class Builder {
    private final String service;
    private final String host;
    private final int port;
    private String id;
    private boolean secure;
    private int weight = DEFAULT_WEIGHT;
    private Map<String, String> metadata = Map.of();
    private String zone = "";
    private String locality = "";
    private int priority;

    private Builder(String service, String host, int port) {
      this.service = service;
      this.host = host;
      this.port = port;
    }

    public Builder id(String instanceId) {
      this.id = instanceId;
      return this;
    }

    public Builder secure(boolean tls) {
      this.secure = tls;
      return this;
    }

    public Builder weight(int relativeWeight) {
      this.weight = relativeWeight;
      return this;
    }

    public Builder metadata(Map<String, String> labels) {
      this.metadata = labels;
      return this;
    }

    public Builder zone(String zoneLabel) {
      this.zone = zoneLabel;
      return this;
    }

    /** {@code region/zone/subzone}. */
    public Builder locality(String regionZoneSubzone) {
      this.locality = regionZoneSubzone;
      return this;
    }

    public Builder priority(int failoverPriority) {
      this.priority = failoverPriority;
      return this;
    }

    public ServiceInstance build() {
      return new ServiceInstance(id != null ? id : host + ":" + port, service, host, port, secure, weight, metadata,
          zone, locality, priority);
    }
  }

  /**
   * An instance with the default weight, no metadata and no zone, whose id is {@code host:port}.
   */
  public static ServiceInstance of(String service, String host, int port) {
    return new ServiceInstance(host + ":" + port, service, host, port, false, DEFAULT_WEIGHT, Map.of(), "");
  }

  /** Returns a copy of this instance with other metadata. */
  public ServiceInstance withMetadata(Map<String, String> newMetadata) {
    return new ServiceInstance(id, service, host, port, secure, weight, newMetadata, zone, locality, priority);
  }

  /** Returns a copy of this instance with another weight. */
  public ServiceInstance withWeight(int newWeight) {
    return new ServiceInstance(id, service, host, port, secure, newWeight, metadata, zone, locality, priority);
  }

  /** {@code host:port}, with IPv6 literals bracketed. */
  public String authority() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
