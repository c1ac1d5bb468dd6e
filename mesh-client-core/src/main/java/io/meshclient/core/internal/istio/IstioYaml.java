package io.meshclient.core.internal.istio;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.internal.ConfigFiles;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads multi-document YAML files, or directories of them ({@code *.yaml}, {@code *.yml}, not recursive,
 * in name order), into plain trees. Bounded as the mesh.yaml loader is: files of at most 4 MB, at most
 * 100,000 values and 64 levels per document once aliases are expanded; a key written twice in a block is
 * refused, naming it.
 */
final class IstioYaml {
  static final int MAX_VALUES = 100_000;
  static final int MAX_DEPTH = 64;

  /**
   * A byte-order mark that starts a later document: after a {@code ---} or {@code ...} line, or before {@code ---}
   * (files joined with {@code cat}). YAML allows one at the start of every document; SnakeYAML skips only the
   * stream's first, and would read the next one into the first key (U+FEFF then apiVersion).
   */
  private static final java.util.regex.Pattern LATER_BOM = java.util.regex.Pattern.compile(
      "^((?:---|\\.\\.\\.)(?:[ \t][^\r\n]*)?\r?\n)\uFEFF|^\uFEFF(?=---|\\.\\.\\.)",
      java.util.regex.Pattern.MULTILINE);

  private IstioYaml() {}

  /** One document of a file: its position from 1 and its tree (null for an empty document). */
  record Document(String file, int index, Map<String, Object> tree) {}

  /** The YAML files named by {@code paths}: each file itself, each directory's YAML files in name order. */
  static List<Path> files(List<Path> paths) {
    List<Path> out = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        try (Stream<Path> listed = Files.list(path)) {
          listed.filter(p -> {
            String n = p.getFileName().toString();
            return (n.endsWith(".yaml") || n.endsWith(".yml")) && !n.startsWith(".") && Files.isRegularFile(p);
          }).sorted().forEach(out::add);
        } catch (IOException e) {
          throw new ConfigurationException(path + ": cannot be listed (" + e.getMessage() + ")", e);
        }
      } else {
        out.add(path);
      }
    }
    return out;
  }

  /** Reads the content of every file; a file that cannot be read is refused, naming it. */
  static Map<Path, byte[]> read(List<Path> files) {
    Map<Path, byte[]> out = new LinkedHashMap<>();
    for (Path file : files) {
      try {
        out.put(file, ConfigFiles.read(file)); // at most 4 MB
      } catch (IOException e) {
        throw ConfigurationException.unreadable(file, e);
      }
    }
    return out;
  }

  /** Parses the content of one file into its documents. */
  static List<Document> parse(String file, byte[] content) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(content)).toString();
    } catch (CharacterCodingException e) {
      throw new ConfigurationException(file + ": cannot be read (not valid UTF-8)", e);
    }
    text = LATER_BOM.matcher(text).replaceAll("$1"); // as SnakeYAML skips the first document's
    List<Document> out = new ArrayList<>();
    try (Reader reader = new StringReader(text)) {
      int index = 0;
      for (Node root : new Yaml(ConfigFiles.yamlOptions()).composeAll(reader)) {
        index++;
        if (root == null || root.getTag() == Tag.NULL) {
          out.add(new Document(file, index, null));
          continue;
        }
        if (!(root instanceof MappingNode)) {
          throw ConfigurationException.of(file + " (document " + index + ")", "a list or single value",
              "a Kubernetes resource with apiVersion, kind, metadata and spec");
        }
        Walk walk = new Walk(file + " (document " + index + ")");
        @SuppressWarnings("unchecked")
        Map<String, Object> tree = (Map<String, Object>) walk.value(root, "");
        if (!walk.problems.isEmpty()) {
          throw new ConfigurationException(walk.problems);
        }
        out.add(new Document(file, index, tree));
      }
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark();
      throw new ConfigurationException(file + ": not valid YAML (" + e.getProblem()
          + (mark != null ? " at line " + (mark.getLine() + 1) : "") + ")", e);
    } catch (YAMLException e) {
      throw new ConfigurationException(file + ": not valid YAML (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new ConfigurationException(file + ": cannot be read (" + e + ")", e);
    }
    return out;
  }

  /**
   * SnakeYAML's nodes to maps, lists and strings, bounded, refusing duplicate keys and self-aliases. A merge key
   * ({@code <<: *defaults}, or a list of such blocks) adds the fields of the blocks it names that the block does not
   * set itself, the first block named first, as Kubernetes' YAML reads it; left as a field named {@code <<}, it was
   * refused as outside Istio's schema.
   */
  private static final class Walk {
    private final String source;
    private final List<String> problems = new ArrayList<>();
    private final Set<Node> open = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private int values;

    Walk(String source) {
      this.source = source;
    }

    Object value(Node node, String key) {
      if (++values > MAX_VALUES) {
        throw ConfigurationException.of(source, "more than " + MAX_VALUES + " values once aliases are expanded",
            "a document of at most " + MAX_VALUES + " values");
      }
      if (open.size() >= MAX_DEPTH) {
        throw ConfigurationException.of(source, "more than " + MAX_DEPTH + " levels of nesting at " + key,
            "a document of at most " + MAX_DEPTH + " levels");
      }
      if (node instanceof ScalarNode scalar) {
        // Strings, as Kubernetes' YAML reads them; typed when a field is read. A plain null is null.
        return scalar.getTag() == Tag.NULL ? null : scalar.getValue();
      }
      if (!open.add(node)) {
        problems.add(ConfigurationException.problem(source + ": " + key, "an alias of a block it is in",
            "a value that ends"));
        return null;
      }
      try {
        if (node instanceof SequenceNode sequence) {
          List<Object> list = new ArrayList<>();
          for (Node item : sequence.getValue()) {
            list.add(value(item, key + "[" + list.size() + "]"));
          }
          return list;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        List<Node> merges = new ArrayList<>();
        for (NodeTuple tuple : ((MappingNode) node).getValue()) {
          if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
            problems.add(ConfigurationException.problem(source + ": " + key, "a key that is a block or list",
                "names as keys"));
            continue;
          }
          if (keyNode.getTag().equals(Tag.MERGE)) {
            merges.add(tuple.getValueNode());
            continue;
          }
          String field = keyNode.getValue();
          String childKey = key.isEmpty() ? field : key + "." + field;
          Object child = value(tuple.getValueNode(), childKey);
          if (map.containsKey(field)) {
            problems.add(ConfigurationException.problem(source + ": " + childKey, "defined twice",
                "each key once in a block"));
          }
          map.put(field, child);
        }
        merge(merges, key, map);
        return map;
      } finally {
        open.remove(node);
      }
    }

    /** Adds to {@code map} (at {@code key}) the fields of the blocks the merge keys name that it does not set. */
    private void merge(List<Node> merges, String key, Map<String, Object> map) {
      for (Node merge : merges) {
        List<Node> blocks = merge instanceof SequenceNode sequence ? sequence.getValue() : List.of(merge);
        for (Node block : blocks) {
          if (!(block instanceof MappingNode)) {
            problems.add(ConfigurationException.problem(source + ": " + (key.isEmpty() ? "<<" : key + ".<<"),
                "not a block", "a block, or a list of blocks, to merge (<<: *name)"));
            continue;
          }
          if (value(block, key) instanceof Map<?, ?> fields) {
            fields.forEach((field, value) -> map.putIfAbsent((String) field, value));
          }
        }
      }
    }
  }
}
