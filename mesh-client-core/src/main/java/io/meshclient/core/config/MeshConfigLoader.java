package io.meshclient.core.config;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.internal.ConfigFiles;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
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
 * Reads mesh.yaml and JSON into the raw tree {@link MeshConfigReader} takes. It reads SnakeYAML's node tree
 * (SnakeYAML is in every Spring Boot application already; Jackson's YAML module is not used because
 * its presence makes Spring register a YAML message converter in the application). Unlike a plain
 * YAML load, it refuses a key written twice in one block (a YAML parser would silently keep
 * the last), naming the key, and resolves {@code ${NAME:default}} placeholders in values. Anchors, aliases and
 * merge keys ({@code <<: *defaults}) are read as application.yml reads them.
 */
final class MeshConfigLoader {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)(?::([^}]*))?}");
  /** Values a document may expand to through aliases: a mesh configuration has a few thousand at most. */
  static final int MAX_VALUES = 100_000;
  /** Nesting a document may have: the deepest mesh key is about ten levels down. */
  static final int MAX_DEPTH = 40;

  private MeshConfigLoader() {}

  static MeshConfig load(Path file, UnaryOperator<String> environment) {
    String text;
    try {
      byte[] content = ConfigFiles.read(file); // at most 4 MB
      // as strict as Files.readString: bytes that are not UTF-8 are refused, never turned into U+FFFD
      text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(content)).toString();
    } catch (IOException e) {
      throw ConfigurationException.unreadable(file, e);
    }
    return load(file, text, environment);
  }

  /** Parses {@code text}, read from {@code file}: JSON for a {@code .json} name, YAML otherwise. */
  static MeshConfig load(Path file, String text, UnaryOperator<String> environment) {
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    boolean json = name.endsWith(".json");
    if (holdsNothing(text)) { // `touch mesh.yaml`, `echo > mesh.yaml`: no configuration, not an empty one
      throw ConfigurationException.of(file.toString(), text.isEmpty() ? "empty" : "only blank lines or comments",
          "a mesh configuration; an empty one is written mesh: {}");
    }
    return MeshConfig.fromMap(fileRoot(parse(new java.io.StringReader(json ? jsonAsYaml(text) : text), environment,
        file.toString(), json ? "JSON" : "YAML")));
  }

  /** Whether {@code content} has no YAML document: only blank lines, comments and document markers. */
  static boolean holdsNothing(String content) {
    for (String line : content.split("\n")) {
      String t = line.strip();
      if (!t.isEmpty() && !t.startsWith("#") && !t.equals("---") && !t.equals("...")) {
        return false;
      }
    }
    return true;
  }

  /**
   * Checks what only a file can get wrong at its top level, before the reader sees it:
   * <ul>
   *   <li>a key next to {@code mesh} ({@code services:} written at column 0 instead of under {@code mesh}):
   *       the reader would take the whole document for the mesh block and report {@code mesh.mesh} as an
   *       unknown key, which no one wrote;</li>
   *   <li>{@code mesh.istio}: that block is read by the Spring Boot starter from its properties, never by
   *       {@link MeshConfig}, so in a file it would pass the key-name check and then be ignored, leaving
   *       the services without the routes its Istio files hold (plain Java gives the files to {@code
   *       Mesh.builder().istioConfig(...)}).</li>
   * </ul>
   */
  static Map<String, Object> fileRoot(Map<String, Object> tree) {
    if (tree == null || !tree.containsKey(MeshConfig.PREFIX)) {
      return tree; // a document of mesh keys without the `mesh:` line, as the reader accepts
    }
    List<String> problems = new ArrayList<>();
    for (String key : tree.keySet()) {
      if (!key.equals(MeshConfig.PREFIX)) {
        problems.add(ConfigurationException.problem(key, "a key next to mesh", "only mesh at the top level; "
            + (MeshKeys.ROOT.names().contains(key) ? "indent it under mesh" : "mesh keys go under mesh")));
      }
    }
    if (tree.get(MeshConfig.PREFIX) instanceof Map<?, ?> mesh && mesh.containsKey("istio")) {
      problems.add(ConfigurationException.problem(MeshConfig.PREFIX + ".istio", mesh.get("istio"), "no istio "
          + "block in a mesh.yaml: mesh.istio.* is read from Spring Boot's properties only; without Spring, give "
          + "the files to Mesh.builder().istioConfig(...) and their options to istioOptions(...)"));
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return tree;
  }

  /**
   * JSON is YAML but for two spellings YAML refuses: tabs between tokens and the {@code \/} escape.
   * Outside strings a tab becomes a space; inside, {@code \/} becomes {@code /}. (A raw tab inside a
   * JSON string is invalid JSON and stays as it is.)
   */
  static String jsonAsYaml(String json) {
    StringBuilder out = new StringBuilder(json.length());
    boolean inString = false;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (!inString) {
        inString = c == '"';
        out.append(c == '\t' ? ' ' : c);
      } else if (c == '\\' && i + 1 < json.length()) {
        char next = json.charAt(++i);
        if (next != '/') {
          out.append(c);
        }
        out.append(next);
      } else {
        inString = c != '"';
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Parses one YAML (or JSON, which is YAML too) document, as {@link #parse} does. */
  static Map<String, Object> parseYaml(Reader reader, UnaryOperator<String> environment, String source) {
    return parse(reader, environment, source, "YAML");
  }

  /**
   * Parses one document into maps, lists and strings/numbers/booleans/null.
   *
   * @param format {@code YAML} or {@code JSON}, for messages
   * @throws ConfigurationException if the text is not valid, or a key is written twice in a block
   */
  static Map<String, Object> parse(Reader reader, UnaryOperator<String> environment, String source,
      String format) {
    Node root;
    try {
      root = new Yaml(ConfigFiles.yamlOptions()).compose(reader);
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark();
      throw new ConfigurationException(source + ": not valid " + format + " (" + e.getProblem()
          + (mark != null ? " at line " + (mark.getLine() + 1) : "") + ")", e);
    } catch (YAMLException e) {
      throw new ConfigurationException(source + ": not valid " + format + " (" + e.getMessage() + ")", e);
    }
    if (root == null) {
      return Map.of();
    }
    if (!(root instanceof MappingNode)) {
      throw ConfigurationException.of(source, root instanceof SequenceNode ? "a list" : "a single value",
          "a document that is a block of settings");
    }
    Tree tree = new Tree(environment, source);
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) tree.value(root, "");
    if (!tree.problems.isEmpty()) {
      throw new ConfigurationException(tree.problems);
    }
    return map;
  }

  /**
   * Turns SnakeYAML's node tree into maps, lists and scalars, collecting problems. One per parse: it keeps
   * the blocks being read (to refuse an alias of a block it is in) and SnakeYAML's constructor is not
   * thread-safe.
   *
   * <p>Why a walker of our own over SnakeYAML's composed nodes rather than {@code Yaml.load}: a key written
   * twice must be refused, naming it, and every duplicate reported at once ({@code allowDuplicateKeys(false)}
   * works only in SnakeYAML's constructor and stops at the first); {@code allowRecursiveKeys} covers keys
   * only, not a block aliased inside itself; placeholders are resolved knowing their key. And it is
   * bounded: SnakeYAML caps aliases (50) but not what they expand to, so ~500 bytes of nested aliases
   * (a "billion laughs") would expand to billions of values. The walk stops at {@link #MAX_VALUES} values
   * or {@link #MAX_DEPTH} levels, naming the file; the same loader reads {@code MeshConfig.load} and the
   * watched file.
   */
  private static final class Tree extends SafeConstructor {
    private final UnaryOperator<String> env;
    private final String source;
    private final List<String> problems = new ArrayList<>();
    private final Set<Node> open = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private int values;

    Tree(UnaryOperator<String> env, String source) {
      super(new LoaderOptions());
      this.env = env;
      this.source = source;
    }

    Object value(Node node, String key) {
      if (++values > MAX_VALUES) {
        throw ConfigurationException.of(source, "more than " + MAX_VALUES + " values once its aliases are expanded",
            "a document of at most " + MAX_VALUES + " values");
      }
      if (open.size() >= MAX_DEPTH) {
        throw ConfigurationException.of(source, "more than " + MAX_DEPTH + " levels of nesting at " + key,
            "a document of at most " + MAX_DEPTH + " levels");
      }
      if (node instanceof ScalarNode scalar) {
        return scalar(scalar, key);
      }
      if (!open.add(node)) {
        problems.add(ConfigurationException.problem(key, "an alias of a block it is in", "a value that ends"));
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
        List<Node> merged = new ArrayList<>();
        for (NodeTuple tuple : ((MappingNode) node).getValue()) {
          if (Tag.MERGE.equals(tuple.getKeyNode().getTag())) {
            merged.add(tuple.getValueNode());
            continue;
          }
          if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
            problems.add(ConfigurationException.problem(key.isEmpty() ? "mesh" : key, "a key that is a block or list",
                "names as keys"));
            continue;
          }
          String field = keyNode.getValue();
          String childKey = key.isEmpty() ? field : key + "." + field;
          Object child = value(tuple.getValueNode(), childKey);
          if (map.containsKey(field)) {
            problems.add(ConfigurationException.problem(childKey, "defined twice", "each key once in a block"));
          }
          map.put(field, child);
        }
        for (Node source : merged) {
          merge(source, key, map);
        }
        return map;
      } finally {
        open.remove(node);
      }
    }

    /**
     * YAML's merge key ({@code <<: *defaults}, or {@code <<: [*a, *b]}), as SnakeYAML, and so Spring Boot's
     * application.yml, reads it: the keys of the block (or of each block, the first winning) that {@code into}
     * does not set itself. It was refused as an unknown key {@code <<}.
     */
    private void merge(Node source, String key, Map<String, Object> into) {
      List<Node> blocks = source instanceof SequenceNode sequence ? sequence.getValue() : List.of(source);
      for (Node block : blocks) {
        if (!(block instanceof MappingNode)) {
          problems.add(ConfigurationException.problem((key.isEmpty() ? "mesh" : key) + ".<<",
              block instanceof ScalarNode scalar ? scalar.getValue() : "a list",
              "a block, or a list of blocks, to merge, such as <<: *defaults"));
          continue;
        }
        if (value(block, key) instanceof Map<?, ?> keys) {
          keys.forEach((k, v) -> {
            if (!into.containsKey(String.valueOf(k))) { // a key the block sets, even to nothing, is its own
              into.put(String.valueOf(k), v);
            }
          });
        }
      }
    }

    /**
     * A scalar as Spring Boot's application.yml reads it (SnakeYAML's YAML 1.1 types): {@code true} and
     * {@code false} (any case) are booleans, {@code ~}/{@code null}/empty is null, integers may be written
     * {@code 1_000}, floats as usual; everything else, dates included, and everything quoted, is text with
     * placeholders resolved. The YAML 1.1 readings that change what was written are refused naming the key:
     * {@code yes}, {@code no}, {@code on} and {@code off} read as booleans ({@code exact: NO} would have matched
     * the text {@code false}), and {@code 010} (octal: 8), {@code 0x1F}, {@code 0b11} and {@code 1:30} (90) read
     * as numbers. application.yml reads them so too, and hands the mesh only the result.
     */
    private Object scalar(ScalarNode scalar, String key) {
      Tag tag = scalar.getTag();
      if (Tag.BOOL.equals(tag) || Tag.INT.equals(tag)) {
        String written = scalar.getValue();
        String expected = Tag.BOOL.equals(tag) ? yaml11Boolean(written) : yaml11Integer(written, scalar);
        if (expected != null) {
          String at = key.isEmpty() ? "mesh" : key;
          problems.add(SecretKeys.isSecret(at) ? SecretKeys.problem(at, written, "a string, quoted in YAML")
              : ConfigurationException.problem(at, written, expected));
          return null;
        }
      }
      if (Tag.NULL.equals(tag) || Tag.BOOL.equals(tag) || Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
        return constructObject(scalar);
      }
      return resolve(scalar.getValue(), env, key, problems);
    }

    /** What to write instead of a YAML 1.1 boolean other than true or false, or null for true and false. */
    private static String yaml11Boolean(String written) {
      if (written.equalsIgnoreCase("true") || written.equalsIgnoreCase("false")) {
        return null;
      }
      boolean value = written.equalsIgnoreCase("yes") || written.equalsIgnoreCase("on");
      return "true or false; YAML 1.1 reads " + written + " unquoted as the boolean " + value + ": write " + value
          + ", or \"" + written + "\" for the text";
    }

    /** What to write instead of a YAML 1.1 integer in another base or in base 60, or null for a decimal one. */
    private String yaml11Integer(String written, ScalarNode scalar) {
      String digits = written.startsWith("-") || written.startsWith("+") ? written.substring(1) : written;
      if (digits.indexOf(':') < 0 && (digits.equals("0") || !digits.startsWith("0"))) {
        return null;
      }
      String base = digits.startsWith("0x") ? "hexadecimal" : digits.startsWith("0b") ? "binary"
          : digits.indexOf(':') >= 0 ? "base 60" : "octal";
      Object value = constructObject(scalar);
      return "a decimal number; YAML 1.1 reads " + written + " unquoted as " + value + " (" + base + "): write "
          + value + ", or \"" + written + "\" for the text";
    }
  }

  /** Replaces {@code ${NAME}} and {@code ${NAME:default}}; an unset name without default becomes empty. */
  static String resolve(String text, UnaryOperator<String> env) {
    return resolve(text, env, null, null);
  }

  /**
   * Replaces {@code ${NAME}} and {@code ${NAME:default}}; an unset name without default is a problem at
   * {@code key} naming the variable (as Spring's "Could not resolve placeholder"), never an empty value.
   */
  static String resolve(String text, UnaryOperator<String> env, String key, List<String> problems) {
    if (text.indexOf("${") < 0) {
      return text;
    }
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.apply(m.group(1));
      if (value == null && m.group(2) == null && problems != null) {
        problems.add(SecretKeys.problem(key.isEmpty() ? "mesh" : key, text, "the environment variable "
            + m.group(1) + " to be set, or a default such as ${" + m.group(1) + ":value}"));
      }
      if (value == null) {
        value = m.group(2) != null ? m.group(2) : "";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
