package io.meshclient.discovery.xds;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshclient.api.ConfigurationException;
import io.meshclient.core.internal.ConfigFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads gRPC's xDS bootstrap JSON (gRFC A27, with A29's TLS channel credentials and A97's JWT token
 * file call credentials), as Istio's agent writes it for proxyless gRPC. Only the first server of
 * {@code xds_servers} is used, as gRPC does. {@code certificate_providers} (gRFC A29: the identity
 * Istio's agent writes for mTLS to the workloads) are read for the {@code file_watcher} plugin, the only
 * one gRPC has; any other plugin is refused, as gRPC refuses it.
 */
final class BootstrapReader {
  /** Bounded: a bootstrap is a few kilobytes; anything this large is not one. */
  private static final int MAX_BYTES = 1 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** gRPC's default refresh_interval of a file_watcher provider. */
  private static final Duration DEFAULT_REFRESH = Duration.ofMinutes(10);

  private BootstrapReader() {}

  /** Reads the file {@code file}; errors name {@code key} (where the file's name came from). */
  static Bootstrap readFile(String key, Path file) {
    String text;
    try {
      byte[] content = ConfigFiles.readAtMost(file, MAX_BYTES); // never whole: /dev/zero has size 0
      if (content == null) {
        throw ConfigurationException.of(key, file.toString(), "a bootstrap file under 1 MiB");
      }
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString(); // strict, as readString
    } catch (IOException e) {
      throw ConfigurationException.of(key, file.toString(), "a readable gRPC xDS bootstrap file ("
          + e.getClass().getSimpleName() + ")");
    }
    return read(key + " (" + file + ")", text);
  }

  /** Reads bootstrap JSON; {@code origin} names where it came from in error messages. */
  static Bootstrap read(String origin, String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      // Jackson's message quotes the word or number it could not read: a value the file may hold in secret
      String problem = e.getOriginalMessage().replaceAll("^Unrecognized token '[^']*'", "Unrecognized token")
          .replaceAll("^Numeric value \\([^)]*\\)", "Numeric value");
      throw ConfigurationException.of(origin, "not JSON", "gRPC's xDS bootstrap JSON (line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ": " + problem + ")");
    }
    if (root == null || !root.isObject()) {
      throw ConfigurationException.of(origin, "not a JSON object", "gRPC's xDS bootstrap JSON object");
    }
    List<String> problems = new ArrayList<>();
    JsonNode servers = root.path("xds_servers");
    JsonNode server = servers.path(0);
    JsonNode uriNode = server.path("server_uri");
    String uri = uriNode.isTextual() ? uriNode.asText() : "";
    if (!servers.isArray() || servers.isEmpty() || uri.isEmpty()) {
      problems.add(ConfigurationException.problem(origin + ": xds_servers[0].server_uri",
          uriNode.isMissingNode() || uriNode.isNull() || uri.isEmpty() && uriNode.isTextual() ? "missing"
              : uriNode.getNodeType().toString(),
          "the xDS server's gRPC target, such as istiod.istio-system.svc:15010"));
    } else {
      ServerTargets.check(origin + ": xds_servers[0].server_uri", uri, problems);
    }
    Bootstrap.Channel channel = channel(origin, server.path("channel_creds"), problems);
    Path tokenFile = tokenFile(origin, server.path("call_creds"), problems);
    boolean ignoreDeletion = false;
    for (JsonNode feature : server.path("server_features")) {
      ignoreDeletion |= "ignore_resource_deletion".equals(feature.asText());
    }
    Node node = node(origin, root.path("node"), problems);
    Map<String, Bootstrap.CertificateProvider> providers = certificateProviders(origin,
        root.path("certificate_providers"), problems);
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return new Bootstrap(uri, channel, tokenFile, node, ignoreDeletion, providers);
  }

  private static Map<String, Bootstrap.CertificateProvider> certificateProviders(String origin, JsonNode providers,
      List<String> problems) {
    Map<String, Bootstrap.CertificateProvider> out = new LinkedHashMap<>();
    if (providers.isMissingNode() || providers.isNull()) {
      return out;
    }
    if (!providers.isObject()) {
      problems.add(ConfigurationException.problem(origin + ": certificate_providers", providers.getNodeType().toString(),
          "an object of provider instances by name"));
      return out;
    }
    Iterator<Map.Entry<String, JsonNode>> instances = providers.fields();
    while (instances.hasNext()) {
      Map.Entry<String, JsonNode> instance = instances.next();
      String at = origin + ": certificate_providers." + instance.getKey();
      String plugin = instance.getValue().path("plugin_name").asText("");
      if (!"file_watcher".equals(plugin)) {
        problems.add(ConfigurationException.problem(at + ".plugin_name", plugin.isEmpty() ? "missing" : plugin,
            "file_watcher, the only certificate provider plugin gRPC and this mesh have"));
        continue;
      }
      JsonNode config = instance.getValue().path("config");
      Path cert = requiredFile(at, config, "certificate_file", "the PEM certificate chain", problems);
      Path key = requiredFile(at, config, "private_key_file", "the PEM private key", problems);
      Path ca = requiredFile(at, config, "ca_certificate_file", "the PEM CA bundle", problems);
      Duration refresh = refreshInterval(at, config.path("refresh_interval"), problems);
      if (cert != null && key != null && ca != null && refresh != null) {
        out.put(instance.getKey(), new Bootstrap.CertificateProvider(cert, key, ca, refresh));
      }
    }
    return out;
  }

  private static Path requiredFile(String at, JsonNode config, String field, String what, List<String> problems) {
    int before = problems.size();
    Path file = path(at + ".config", config, field, problems);
    if (file == null && problems.size() == before) {
      problems.add(ConfigurationException.problem(at + ".config." + field, "missing", "the path of " + what + " file"));
    }
    return file;
  }

  /** A protobuf JSON duration such as {@code 600s} or {@code 0.5s}, 1s up to 1 day; absent means 600s. */
  private static Duration refreshInterval(String at, JsonNode value, List<String> problems) {
    if (value.isMissingNode() || value.isNull()) {
      return DEFAULT_REFRESH;
    }
    String text = value.asText("");
    Duration d = null;
    if (text.matches("[0-9]{1,9}(\\.[0-9]{1,9})?s")) {
      d = Duration.ofNanos(Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 1e9));
    }
    if (d == null || d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofDays(1)) > 0) {
      problems.add(ConfigurationException.problem(at + ".config.refresh_interval", text,
          "a duration in seconds such as 600s, from 1s to 86400s"));
      return null;
    }
    return d;
  }

  private static Bootstrap.Channel channel(String origin, JsonNode creds, List<String> problems) {
    List<String> seen = new ArrayList<>();
    for (JsonNode c : creds) {
      String type = c.path("type").asText("");
      seen.add(type);
      JsonNode config = c.path("config");
      switch (type) {
        case "insecure":
          return Bootstrap.Channel.PLAINTEXT;
        case "tls":
          String at = origin + ": xds_servers[0].channel_creds.tls.config";
          Path ca = path(at, config, "ca_certificate_file", problems);
          Path cert = path(at, config, "certificate_file", problems);
          Path key = path(at, config, "private_key_file", problems);
          PemFiles.certificates(at + ".ca_certificate_file", ca, problems);
          PemFiles.certificates(at + ".certificate_file", cert, problems);
          PemFiles.privateKey(at + ".private_key_file", key, problems);
          if ((cert == null) != (key == null)) {
            problems.add(ConfigurationException.problem(origin + ": xds_servers[0].channel_creds.tls.config",
                cert == null ? "private_key_file without certificate_file" : "certificate_file without private_key_file",
                "both for mutual TLS, or neither"));
          }
          return new Bootstrap.Channel(true, ca, cert, key);
        default:
          // gRPC takes the first type it supports and skips the others (google_default, ...)
      }
    }
    if (!seen.isEmpty()) {
      problems.add(ConfigurationException.problem(origin + ": xds_servers[0].channel_creds", seen.toString(),
          "one of the types insecure, tls"));
    }
    return Bootstrap.Channel.PLAINTEXT;
  }

  private static Path tokenFile(String origin, JsonNode callCreds, List<String> problems) {
    for (JsonNode c : callCreds) {
      String type = c.path("type").asText("");
      if ("jwt_token_file".equals(type)) {
        int before = problems.size();
        Path file = path(origin + ": xds_servers[0].call_creds.jwt_token_file.config", c.path("config"),
            "jwt_token_file", problems);
        if (file == null && problems.size() == before) {
          problems.add(ConfigurationException.problem(origin + ": xds_servers[0].call_creds.jwt_token_file.config.jwt_token_file",
              "missing", "the path of the token file"));
        }
        return file;
      }
      problems.add(ConfigurationException.problem(origin + ": xds_servers[0].call_creds", type, "jwt_token_file"));
    }
    return null;
  }

  private static Node node(String origin, JsonNode n, List<String> problems) {
    Node.Builder node = Node.newBuilder().setUserAgentName("mesh-client").setUserAgentVersion("0.1");
    String id = n.path("id").asText("");
    if (id.isEmpty()) {
      problems.add(ConfigurationException.problem(origin + ": node.id", "missing",
          "the node id, such as sidecar~10.0.0.1~reviews-v1.default~default.svc.cluster.local"));
    }
    node.setId(id).setCluster(n.path("cluster").asText(""));
    JsonNode metadata = n.path("metadata");
    if (metadata.isObject()) {
      node.setMetadata(struct(metadata));
    }
    JsonNode locality = n.path("locality");
    if (locality.isObject()) {
      node.setLocality(Locality.newBuilder().setRegion(locality.path("region").asText(""))
          .setZone(locality.path("zone").asText("")).setSubZone(locality.path("sub_zone").asText("")));
    }
    node.addClientFeatures("envoy.lb.does_not_support_overprovisioning");
    return node.build();
  }

  /** The path in {@code field}, or null: absent, empty, or no path (reported at {@code at}). */
  private static Path path(String at, JsonNode config, String field, List<String> problems) {
    String value = config.path(field).asText("");
    if (value.isEmpty()) {
      return null;
    }
    try {
      return Path.of(value);
    } catch (java.nio.file.InvalidPathException e) {
      problems.add(ConfigurationException.problem(at + "." + field, value, "a file path (" + e.getReason() + ")"));
      return null;
    }
  }

  static Struct struct(JsonNode object) {
    Struct.Builder out = Struct.newBuilder();
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      out.putFields(e.getKey(), value(e.getValue()));
    }
    return out.build();
  }

  private static Value value(JsonNode v) {
    if (v.isObject()) {
      return Value.newBuilder().setStructValue(struct(v)).build();
    }
    if (v.isArray()) {
      ListValue.Builder list = ListValue.newBuilder();
      v.forEach(item -> list.addValues(value(item)));
      return Value.newBuilder().setListValue(list).build();
    }
    if (v.isNumber()) {
      return Value.newBuilder().setNumberValue(v.asDouble()).build();
    }
    if (v.isBoolean()) {
      return Value.newBuilder().setBoolValue(v.asBoolean()).build();
    }
    if (v.isNull()) {
      return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    }
    return Value.newBuilder().setStringValue(v.asText()).build();
  }
}
