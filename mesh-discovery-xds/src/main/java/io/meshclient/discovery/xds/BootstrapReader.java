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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads gRPC's xDS bootstrap JSON (gRFC A27, with A29's TLS channel credentials and A97's JWT token
 * file call credentials), as Istio's agent writes it for proxyless gRPC. Only the first server of
 * {@code xds_servers} is used, as gRPC does. {@code certificate_providers} (the identity Istio's agent
 * writes for mTLS to the workloads) are not read: configure the mesh's own TLS for that.
 */
final class BootstrapReader {
  /** Bounded: a bootstrap is a few kilobytes; anything this large is not one. */
  private static final long MAX_BYTES = 1 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private BootstrapReader() {}

  /** Reads the file {@code file}; errors name {@code key} (where the file's name came from). */
  static Bootstrap readFile(String key, Path file) {
    String text;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw ConfigurationException.of(key, file.toString(), "a bootstrap file under 1 MiB");
      }
      text = Files.readString(file);
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
      throw ConfigurationException.of(origin, "not JSON", "gRPC's xDS bootstrap JSON (line "
          + e.getLocation().getLineNr() + ": " + e.getOriginalMessage() + ")");
    }
    if (root == null || !root.isObject()) {
      throw ConfigurationException.of(origin, "not a JSON object", "gRPC's xDS bootstrap JSON object");
    }
    List<String> problems = new ArrayList<>();
    JsonNode servers = root.path("xds_servers");
    JsonNode server = servers.path(0);
    String uri = server.path("server_uri").asText("");
    if (!servers.isArray() || servers.isEmpty() || uri.isEmpty()) {
      problems.add(ConfigurationException.problem(origin + ": xds_servers[0].server_uri",
          uri.isEmpty() ? "missing" : uri, "the xDS server's gRPC target, such as istiod.istio-system.svc:15010"));
    }
    Bootstrap.Channel channel = channel(origin, server.path("channel_creds"), problems);
    Path tokenFile = tokenFile(origin, server.path("call_creds"), problems);
    boolean ignoreDeletion = false;
    for (JsonNode feature : server.path("server_features")) {
      ignoreDeletion |= "ignore_resource_deletion".equals(feature.asText());
    }
    Node node = node(origin, root.path("node"), problems);
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return new Bootstrap(uri, channel, tokenFile, node, ignoreDeletion);
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
          Path ca = path(config, "ca_certificate_file");
          Path cert = path(config, "certificate_file");
          Path key = path(config, "private_key_file");
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
        Path file = path(c.path("config"), "jwt_token_file");
        if (file == null) {
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

  private static Path path(JsonNode config, String field) {
    String value = config.path(field).asText("");
    return value.isEmpty() ? null : Path.of(value);
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
