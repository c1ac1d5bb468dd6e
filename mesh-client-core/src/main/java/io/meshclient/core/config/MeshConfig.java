package io.meshclient.core.config;

import io.meshclient.api.ConfigurationException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A whole, validated mesh configuration: discovery settings, defaults, and per-service settings. The
 * schema of {@code mesh.yaml}, of JSON and of the Spring starter's {@code mesh.*} properties.
 *
 * <p>Instances exist only validated: {@link Builder#build()}, {@link #load(Path)} and {@link
 * #fromMap(Map)} refuse a bad configuration with a {@link ConfigurationException} that names every bad
 * key, its value and what was expected.
 *
 * @param discovery provider name to its raw settings, as under {@code mesh.discovery}
 * @param defaults what services take unless they say otherwise
 * @param services service name to settings, in configuration order
 * @param unknownHosts what a call to a single-label host that is not a mesh service does ({@code
 *     mesh.unknown-hosts}, default {@link UnknownHosts#REFUSE})
 */
public record MeshConfig(
    Map<String, Map<String, Object>> discovery,
    ServiceDefaults defaults,
    Map<String, ServiceConfig> services,
    UnknownHosts unknownHosts) {

  /** The configuration key every other key starts with. */
  public static final String PREFIX = "mesh";

  /**
   * Validates and freezes the components: a {@code MeshConfig} exists only valid, however it is made.
   *
   * @throws ConfigurationException listing every problem, each naming its key
   */
  public MeshConfig {
    discovery = Collections.unmodifiableMap(new LinkedHashMap<>(discovery));
    Objects.requireNonNull(defaults, "defaults");
    services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
    Objects.requireNonNull(unknownHosts, "unknownHosts");
    List<String> problems = ConfigValidator.validate(defaults, services);
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
  }

  /** A configuration that refuses unknown single-label hosts (the default). */
  public MeshConfig(Map<String, Map<String, Object>> discovery, ServiceDefaults defaults,
      Map<String, ServiceConfig> services) {
    this(discovery, defaults, services, UnknownHosts.REFUSE);
  }

  /** An empty builder: no discovery, default settings, no services. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from this configuration, for a changed copy to pass to reconfigure. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.discovery.putAll(discovery);
    b.defaults = defaults;
    b.services.putAll(services);
    b.unknownHosts = unknownHosts;
    return b;
  }

  /**
   * Reads a {@code mesh.yaml} or JSON file (by extension: {@code .json} is JSON, anything else YAML).
   * {@code ${NAME}} and {@code ${NAME:default}} are replaced from the environment.
   *
   * @throws ConfigurationException if the file cannot be read or parsed, or its content is invalid
   */
  public static MeshConfig load(Path file) {
    return MeshConfigLoader.load(file, System::getenv);
  }

  /**
   * Reads {@code content}, the bytes of {@code file} already read, as {@link #load(Path)} reads the
   * file: YAML, or JSON for a {@code .json} name; errors name the file.
   *
   * @throws ConfigurationException if the content cannot be parsed or is invalid
   */
  public static MeshConfig fromFileContent(Path file, byte[] content) {
    return fromFileContent(file, content, System::getenv);
  }

  /**
   * As {@link #fromFileContent(Path, byte[])}, resolving {@code ${NAME:default}} placeholders with {@code
   * variables} (which returns null for an unknown name) instead of the environment: for a program that
   * reads a file its user named and supplies values of its own, whose errors must name that file.
   *
   * @throws ConfigurationException if the content cannot be parsed or is invalid
   */
  public static MeshConfig fromFileContent(Path file, byte[] content,
      java.util.function.UnaryOperator<String> variables) {
    java.util.Objects.requireNonNull(variables, "variables");
    String text;
    try { // as strict as load(Path): bytes that are not UTF-8 are refused, never turned into U+FFFD
      text = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .decode(java.nio.ByteBuffer.wrap(content)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new ConfigurationException(file + ": cannot be read (not valid UTF-8: " + e + ")", e);
    }
    return MeshConfigLoader.load(file, text, variables);
  }

  /**
   * Reads mesh.yaml text (JSON is YAML too), resolving {@code ${NAME:default}} placeholders with {@code
   * variables} (which returns null for an unknown name).
   *
   * @throws ConfigurationException if the text is not valid YAML or its content is invalid
   */
  public static MeshConfig fromYaml(String text, java.util.function.UnaryOperator<String> variables) {
    return fromMap(MeshConfigLoader.fileRoot(
        MeshConfigLoader.parseYaml(new java.io.StringReader(text), variables, "mesh.yaml")));
  }

  /**
   * Builds a configuration from a tree of maps, lists and scalars whose root holds the {@code mesh}
   * keys (or a {@code mesh} key holding them), as parsed from YAML or bound by Spring.
   *
   * @throws ConfigurationException naming every bad key
   */
  public static MeshConfig fromMap(Map<String, ?> tree) {
    return MeshConfigReader.read(tree);
  }

  /** The configuration, with discovery secrets (such as Consul's {@code acl-token}) and URL user info redacted. */
  @Override
  public String toString() {
    return "MeshConfig[discovery=" + SecretKeys.redact(PREFIX + ".discovery", discovery) + ", defaults=" + defaults
        + ", services=" + services + "]";
  }

  /** The settings of {@code service}, or a default configuration if it has none. */
  public ServiceConfig service(String service) {
    ServiceConfig config = services.get(service);
    return config != null ? config : ServiceConfig.builder(service).build();
  }

  /** Collects a configuration; {@link #build()} validates it whole. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Map<String, Object>> discovery = new LinkedHashMap<>();
    private ServiceDefaults defaults = ServiceDefaults.DEFAULT;
    private final Map<String, ServiceConfig> services = new LinkedHashMap<>();
    private UnknownHosts unknownHosts = UnknownHosts.REFUSE;
    private final List<String> problems = new ArrayList<>();

    private Builder() {}

    /** The discovery settings added so far, by provider name. */
    Map<String, Map<String, Object>> discoveries() {
      return discovery;
    }

    /** Adds settings for the discovery provider {@code name}, as under {@code mesh.discovery.<name>}. */
    public Builder discovery(String name, Map<String, Object> settings) {
      discovery.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(settings, "settings"));
      return this;
    }

    public Builder defaults(ServiceDefaults serviceDefaults) {
      this.defaults = Objects.requireNonNull(serviceDefaults, "serviceDefaults");
      return this;
    }

    /** Adds a service; adding one name twice is a configuration error reported by {@link #build()}. */
    public Builder service(ServiceConfig service) {
      Objects.requireNonNull(service, "service");
      if (services.putIfAbsent(service.name(), service) != null) {
        problems.add(ConfigurationException.problem(
            PREFIX + ".services." + service.name(), "defined twice", "each service name once"));
      }
      return this;
    }

    /** What a call to a single-label host that is not a mesh service does; default {@link UnknownHosts#REFUSE}. */
    public Builder unknownHosts(UnknownHosts policy) {
      this.unknownHosts = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Replaces the settings of a service, or adds them. */
    public Builder replaceService(ServiceConfig service) {
      services.put(service.name(), service);
      return this;
    }

    /**
     * Validates and returns the configuration.
     *
     * @throws ConfigurationException listing every problem, each naming its key
     */
    public MeshConfig build() {
      if (!problems.isEmpty()) {
        List<String> all = new ArrayList<>(problems);
        all.addAll(ConfigValidator.validate(defaults, services));
        throw new ConfigurationException(all);
      }
      return new MeshConfig(discovery, defaults, services, unknownHosts); // which validates the rest
    }
  }
}
