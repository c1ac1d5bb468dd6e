package io.meshclient.discovery.consul;

import io.meshclient.api.spi.SettingValues;
import io.meshclient.api.ConfigurationException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a Consul discovery reaches the agent and watches services: the settings under {@code
 * mesh.discovery.consul}. Instances exist only validated; build them with {@link #builder()}, or let
 * {@link ConsulDiscoveryProvider} read them from configuration.
 *
 * <p>{@link #toString()} never shows the ACL token or a key-store password.
 *
 * @param url the agent's HTTP API, {@code http://} or {@code https://}, without user info, query or
 *     fragment (key {@code url}, default {@value #DEFAULT_URL})
 * @param datacenter the datacenter to ask about, or the empty string for the agent's own (key {@code
 *     datacenter}, default empty)
 * @param aclToken the ACL token, sent only in the {@code X-Consul-Token} header, or the empty string for
 *     none (key {@code acl-token}, default empty)
 * @param tls how to trust an {@code https} agent and what to present to it (keys under {@code tls})
 * @param waitTime how long the agent may hold a blocking query, 1ms to 10m (key {@code wait}, default 55s);
 *     the read timeout is {@link #readTimeout()}
 * @param stale whether any Consul server may answer, not only the leader (key {@code stale}, default
 *     false)
 * @param tag only instances carrying this tag, or the empty string for all (key {@code tag})
 * @param minInterval the least time between the starts of two queries of one watch, so that a churning
 *     index cannot make the loop spin, 1ms to 1m (key {@code min-interval}, default 250ms)
 * @param backoffInitial the first retry delay after a failure, 1ms to 10m (key {@code backoff.initial},
 *     default 1s)
 * @param backoffMax the longest retry delay, from {@code backoffInitial} to 1h (key {@code backoff.max},
 *     default 30s)
 */
public record ConsulDiscoverySettings(
    URI url,
    String datacenter,
    String aclToken,
    Tls tls,
    Duration waitTime,
    boolean stale,
    String tag,
    Duration minInterval,
    Duration backoffInitial,
    Duration backoffMax) {

  /** The key these settings live under in configuration. */
  public static final String CONFIG_KEY = "mesh.discovery.consul";
  /** The agent URL used when none is configured. */
  public static final String DEFAULT_URL = "http://127.0.0.1:8500"; // a constant: ConsulKeysTest holds it equal
  /** The blocking-query wait used when none is configured. */
  public static final Duration DEFAULT_WAIT = ConsulKeys.WAIT.defaultDuration();
  /** The least time between two queries of one watch used when none is configured. */
  public static final Duration DEFAULT_MIN_INTERVAL = ConsulKeys.MIN_INTERVAL.defaultDuration();
  /** The first retry delay used when none is configured. */
  public static final Duration DEFAULT_BACKOFF_INITIAL = ConsulKeys.BACKOFF_INITIAL.defaultDuration();
  /** The longest retry delay used when none is configured. */
  public static final Duration DEFAULT_BACKOFF_MAX = ConsulKeys.BACKOFF_MAX.defaultDuration();
  /** How long to wait for a TCP (and TLS) connection to the agent. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Checks and freezes the components. Null {@code datacenter}, {@code aclToken} and {@code tag} mean
   * the empty string, a null {@code tls} means {@link Tls#NONE}.
   *
   * @throws NullPointerException if a duration or the URL is null
   * @throws ConfigurationException naming, under {@value #CONFIG_KEY}, every invalid component
   */
  public ConsulDiscoverySettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(waitTime, "waitTime");
    Objects.requireNonNull(minInterval, "minInterval");
    Objects.requireNonNull(backoffInitial, "backoffInitial");
    Objects.requireNonNull(backoffMax, "backoffMax");
    datacenter = Objects.requireNonNullElse(datacenter, "");
    aclToken = Objects.requireNonNullElse(aclToken, "");
    tls = Objects.requireNonNullElse(tls, Tls.NONE);
    tag = Objects.requireNonNullElse(tag, "");
    List<String> problems = SettingsRules.check(CONFIG_KEY, url, datacenter, aclToken, tls, waitTime, tag,
        minInterval, backoffInitial, backoffMax);
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * How long one blocking query may take before it counts as failed: {@code wait}, plus the up to
   * wait/16 the agent adds to spread load, plus one second for the response to travel.
   */
  public Duration readTimeout() {
    return waitTime.plus(waitTime.dividedBy(16)).plusSeconds(1);
  }

  /** The settings with the token and passwords replaced by {@code <redacted>}. */
  @Override
  public String toString() {
    return "ConsulDiscoverySettings[url=" + url + ", datacenter=" + datacenter
        + ", aclToken=" + (aclToken.isEmpty() ? "" : "<redacted>") + ", tls=" + tls
        + ", waitTime=" + SettingValues.formatDuration(waitTime) + ", stale=" + stale + ", tag=" + tag
        + ", minInterval=" + SettingValues.formatDuration(minInterval)
        + ", backoffInitial=" + SettingValues.formatDuration(backoffInitial)
        + ", backoffMax=" + SettingValues.formatDuration(backoffMax) + "]";
  }

  /**
   * TLS to an {@code https} agent (keys under {@code tls}). Each component may be null. With no CA file
   * and no trust store the JDK's default trust applies.
   *
   * @param caFile PEM file of the CA certificates to trust (key {@code tls.ca-file}); not together with
   *     a trust store
   * @param trustStore PKCS12 or JKS file of the certificates to trust (key {@code tls.trust-store})
   * @param trustStorePassword its password (key {@code tls.trust-store-password}), never shown
   * @param keyStore PKCS12 or JKS file holding the client certificate and key to present, for agents
   *     with {@code verify_incoming} (key {@code tls.key-store})
   * @param keyStorePassword its password, also the key's (key {@code tls.key-store-password}), never
   *     shown
   */
  public record Tls(
      Path caFile, Path trustStore, String trustStorePassword, Path keyStore, String keyStorePassword) {

    /** No TLS settings: the JDK's default trust and no client certificate. */
    public static final Tls NONE = new Tls(null, null, null, null, null);

    /** Whether any component is set. */
    public boolean isConfigured() {
      return caFile != null || trustStore != null || keyStore != null
          || trustStorePassword != null || keyStorePassword != null;
    }

    /** The settings with passwords replaced by {@code <redacted>}. */
    @Override
    public String toString() {
      return "Tls[caFile=" + caFile + ", trustStore=" + trustStore
          + ", trustStorePassword=" + (trustStorePassword == null ? null : "<redacted>")
          + ", keyStore=" + keyStore
          + ", keyStorePassword=" + (keyStorePassword == null ? null : "<redacted>") + "]";
    }
  }

  /** Collects settings, starting from the defaults; {@link #build()} validates them. Not thread-safe. */
  public static final class Builder {
    private URI url = URI.create(DEFAULT_URL);
    private String datacenter = "";
    private String aclToken = "";
    private Tls tls = Tls.NONE;
    private Duration waitTime = DEFAULT_WAIT;
    private boolean stale;
    private String tag = "";
    private Duration minInterval = DEFAULT_MIN_INTERVAL;
    private Duration backoffInitial = DEFAULT_BACKOFF_INITIAL;
    private Duration backoffMax = DEFAULT_BACKOFF_MAX;

    private Builder() {}

    /** The agent's HTTP API, such as {@code http://127.0.0.1:8500}. */
    public Builder url(URI agentUrl) {
      this.url = Objects.requireNonNull(agentUrl, "agentUrl");
      return this;
    }

    /** The datacenter to ask about; the empty string means the agent's own. */
    public Builder datacenter(String name) {
      this.datacenter = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The ACL token; the empty string means none. */
    public Builder aclToken(String token) {
      this.aclToken = Objects.requireNonNull(token, "token");
      return this;
    }

    /** TLS to an {@code https} agent. */
    public Builder tls(Tls settings) {
      this.tls = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** How long the agent may hold a blocking query. */
    public Builder waitTime(Duration blockingWait) {
      this.waitTime = Objects.requireNonNull(blockingWait, "blockingWait");
      return this;
    }

    /** Lets any Consul server answer, not only the leader (Consul's {@code ?stale}). */
    public Builder allowStaleReads() {
      this.stale = true;
      return this;
    }

    /** Only instances carrying {@code serviceTag}; the empty string means all. */
    public Builder tag(String serviceTag) {
      this.tag = Objects.requireNonNull(serviceTag, "serviceTag");
      return this;
    }

    /** The least time between the starts of two queries of one watch. */
    public Builder minInterval(Duration interval) {
      this.minInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /** The first and the longest retry delay after failures. */
    public Builder backoff(Duration initial, Duration max) {
      this.backoffInitial = Objects.requireNonNull(initial, "initial");
      this.backoffMax = Objects.requireNonNull(max, "max");
      return this;
    }

    /**
     * Validates and returns the settings.
     *
     * @throws ConfigurationException naming every invalid setting under {@value #CONFIG_KEY}
     */
    public ConsulDiscoverySettings build() {
      return new ConsulDiscoverySettings(url, datacenter, aclToken, tls, waitTime, stale, tag, minInterval,
          backoffInitial, backoffMax);
    }
  }
}
