package io.meshclient.core.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.meshclient.api.ConfigurationException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads mesh.yaml and JSON into the raw tree {@link MeshConfigReader} takes. Unlike a plain
 * {@code ObjectMapper}, it refuses a key written twice in one block (a YAML parser would silently keep
 * the last), naming the key, and resolves {@code ${NAME:default}} placeholders in values.
 */
final class MeshConfigLoader {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)(?::([^}]*))?}");

  private MeshConfigLoader() {}

  static MeshConfig load(Path file, UnaryOperator<String> environment) {
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    JsonFactory factory = name.endsWith(".json") ? new JsonFactory() : new YAMLFactory();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return MeshConfig.fromMap(parse(factory, reader, environment, file.toString()));
    } catch (IOException e) {
      throw new ConfigurationException(file + ": cannot be read (" + e.getMessage() + ")", e);
    }
  }

  /** Parses one YAML (or JSON) document, as {@link #parse} does. */
  static Map<String, Object> parseYaml(Reader reader, UnaryOperator<String> environment, String source)
      throws IOException {
    return parse(new YAMLFactory(), reader, environment, source);
  }

  /** Parses one document into maps, lists and strings/numbers/booleans. */
  static Map<String, Object> parse(JsonFactory factory, Reader reader, UnaryOperator<String> environment,
      String source) throws IOException {
    List<String> problems = new ArrayList<>();
    try (JsonParser parser = factory.createParser(reader)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return Map.of();
      }
      if (first != JsonToken.START_OBJECT) {
        throw ConfigurationException.of(source, first, "a document that is a block of settings");
      }
      Object tree = value(parser, "", environment, problems);
      if (!problems.isEmpty()) {
        throw new ConfigurationException(problems);
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) tree;
      return map;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ConfigurationException(source + ": not valid " + (factory instanceof YAMLFactory ? "YAML" : "JSON")
          + " (" + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr() + ")", e);
    }
  }

  private static Object value(JsonParser p, String key, UnaryOperator<String> env, List<String> problems)
      throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT: {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          String childKey = key.isEmpty() ? field : key + "." + field;
          p.nextToken();
          Object child = value(p, childKey, env, problems);
          if (map.containsKey(field)) {
            problems.add(ConfigurationException.problem(childKey, "defined twice", "each key once in a block"));
          }
          map.put(field, child);
        }
        return map;
      }
      case START_ARRAY: {
        List<Object> list = new ArrayList<>();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          list.add(value(p, key + "[" + i++ + "]", env, problems));
        }
        return list;
      }
      case VALUE_NULL:
        return null;
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NUMBER_INT:
        return p.getNumberValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      default:
        return resolve(p.getText(), env);
    }
  }

  /** Replaces {@code ${NAME}} and {@code ${NAME:default}}; an unset name without default becomes empty. */
  static String resolve(String text, UnaryOperator<String> env) {
    if (text.indexOf("${") < 0) {
      return text;
    }
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.apply(m.group(1));
      if (value == null) {
        value = m.group(2) != null ? m.group(2) : "";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
