package io.meshclient.spring.boot;

import io.meshclient.api.spi.SettingValues;
import io.meshclient.core.config.MeshConfig;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.boot.context.properties.bind.PlaceholdersResolver;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The one place where Spring properties become a mesh configuration: reads everything under {@code
 * mesh.*} from the {@link Environment} (application.yml, profiles, system properties, environment
 * variables, with Spring's relaxed names and placeholders resolved) into a raw tree of maps and scalars,
 * and hands it to {@link MeshConfig#fromMap(Map)}, the same reader and validation as mesh.yaml. There is
 * no second schema.
 *
 * <p>For names spelled the same way in every source, the tree is what Spring's {@code Binder} makes of
 * {@code mesh} bound as a {@code Map<String, Object>}, except for lists, which are what it makes of a
 * {@code List} (a test holds the two equal). It is built in one pass over the property sources instead
 * of one pass per level of nesting: a few milliseconds of start-up instead of tens. Blocks (maps) merge
 * key by key: each key takes its value from the source with the highest precedence that sets it. Where
 * two sources spell a block or a name differently, it stays one node (Spring's Binder would make two,
 * each merged).
 *
 * <p>A list is replaced whole, as Spring Boot documents for lists set in more than one place: its
 * elements all come from the source with the highest precedence that sets any of them (a name with an
 * index, {@code routes[0]} or {@code routes.0}, or the environment variable's {@code ROUTES_0}), or that sets the list itself
 * as one value ({@code on=503}, or {@code routes: []}, which Spring reads as an empty string: an empty
 * list, over a lower source's elements too, as Spring binds it). So a profile's {@code routes} replaces application.yml's, and a system property {@code
 * mesh.services.reviews.routes[0].to=v1} makes a list of that one route: no route, and no block under one,
 * stays live from a lower source. A list whose elements there do not run from {@code [0]} without a gap
 * is refused, as Spring's Binder refuses it. Lists come out as maps keyed {@code 0, 1, ...}, which the
 * reader accepts; a list written where the schema has a block or names ({@code subsets:} followed by {@code
 * - v1: ...}) comes out as a list, so that the reader names the key as written and says it is a list.
 */
public final class MeshConfigBinder {
  /**
   * Keys under {@code mesh} that belong to the starter and are not part of the mesh configuration (in any
   * of Spring's spellings).
   */
  public static final Set<String> STARTER_KEYS = Set.of("enabled", "problem-details");
  /** The one key under {@code mesh.problem-details}. */
  private static final Set<String> ENABLED = Set.of("enabled");

  private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(MeshConfig.PREFIX);

  private MeshConfigBinder() {}

  /**
   * The validated configuration the environment holds now.
   *
   * @throws io.meshclient.api.ConfigurationException naming every bad {@code mesh.*} key
   */
  public static MeshConfig bind(Environment environment) {
    java.util.List<String> problems = new java.util.ArrayList<>();
    Map<String, Object> tree = tree(environment, problems);
    removeStarterKeys(tree, problems);
    if (tree.get("services") instanceof Map<?, ?> services) {
      // The kill switch's per-service URL (MeshDisabledAutoConfiguration): the starter's, not the mesh's,
      // checked now so that a bad one fails this start-up, not the one that turns the mesh off.
      services.forEach((name, service) -> {
        if (service instanceof Map<?, ?> settings) {
          settings.forEach((key, url) -> {
            if (FallbackUrls.SPELLINGS.contains(key)) {
              String problem = FallbackUrls.problem(String.valueOf(name), url);
              if (problem != null) {
                problems.add(problem);
              }
            }
          });
          settings.keySet().removeIf(FallbackUrls.SPELLINGS::contains);
        }
      });
    }
    if (problems.isEmpty()) {
      return MeshConfig.fromMap(tree);
    }
    try { // the mesh's own problems too, so that all are reported at once
      MeshConfig.fromMap(tree);
    } catch (io.meshclient.api.ConfigurationException e) {
      problems.addAll(e.problems());
    }
    throw new io.meshclient.api.ConfigurationException(problems);
  }

  /**
   * Takes the starter's keys out of the tree, in any of Spring's spellings ({@code problemDetails}, or
   * {@code problemdetails} from {@code MESH_PROBLEMDETAILS_ENABLED}), since the starter's switches read
   * them through Spring's relaxed names. Their values are checked there; here what is neither a value
   * nor one of them is reported, so that a misspelled {@code
   * mesh.problem-details.enable: false} does not leave the problem details on in silence.
   */
  private static void removeStarterKeys(Map<String, Object> tree, java.util.List<String> problems) {
    tree.entrySet().removeIf(entry -> {
      String key = entry.getKey();
      Object value = entry.getValue();
      String starterKey = SettingValues.relaxedKey(key, STARTER_KEYS);
      switch (starterKey == null ? "" : starterKey) {
        case "enabled" -> {
          if (value instanceof Map) {
            problems.add(io.meshclient.api.ConfigurationException.problem("mesh." + key, "a nested block", "true or false"));
          }
          return true;
        }
        case "problem-details" -> {
          if (!(value instanceof Map<?, ?> block)) {
            problems.add(io.meshclient.api.ConfigurationException.problem("mesh." + key, value,
                "a block such as { enabled: false }"));
            return true;
          }
          block.forEach((name, enabled) -> {
            if (SettingValues.relaxedKey(String.valueOf(name), ENABLED) == null) {
              problems.add(io.meshclient.api.ConfigurationException.problem("mesh." + key + "." + name,
                  "unknown key", "one of [enabled]"));
            } else if (enabled instanceof Map) {
              problems.add(io.meshclient.api.ConfigurationException.problem("mesh." + key + "." + name,
                  "a nested block", "true or false"));
            }
          });
          return true;
        }
        default -> {
          return false;
        }
      }
    });
  }

  /**
   * {@code mesh.services.<service>.fallback-url}, the base URL the kill switch ({@code mesh.enabled=false})
   * calls the service at, or {@code http://<service>} when it is not set.
   *
   * @throws io.meshclient.api.ConfigurationException if it is not an http or https URL with a host and no
   *     user info, query or fragment (the user info is never shown), or if it is unset and the service's block
   *     holds a misspelling of it ({@code fallbak-url}), which nothing else reads while the mesh is off
   */
  public static String fallbackUrl(Environment environment, String service) {
    return FallbackUrls.of(environment, service);
  }

  /** Every {@code mesh.*} property as a tree of maps (below {@code mesh}) and resolved scalar values. */
  static Map<String, Object> tree(Environment environment) {
    return tree(environment, new java.util.ArrayList<>());
  }

  /** As {@link #tree(Environment)}, adding to {@code problems} a name spelled two ways in one source. */
  private static Map<String, Object> tree(Environment environment, java.util.List<String> problems) {
    Objects.requireNonNull(environment, "environment");
    PlaceholdersResolver placeholders = new PropertySourcesPlaceholdersResolver(environment);
    Tree tree = new Tree();
    Set<ConfigurationPropertyName> seen = new HashSet<>();
    // Each list (the name before an index) and the source its elements are taken from: the first to set one.
    Map<ConfigurationPropertyName, ConfigurationPropertySource> lists = new LinkedHashMap<>();
    // Lists written where the schema has a block or a name (subsets: - v1: ...), by the name before the index.
    Set<ConfigurationPropertyName> misplaced = new HashSet<>();
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      if (!(source instanceof IterableConfigurationPropertySource iterable)) {
        continue; // cannot list its names (random.*, JNDI): not read for mesh.*
      }
      boolean environmentVariables = source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource;
      // Environment variables have lost their spelling (case, dashes): only other sources are checked.
      Map<ConfigurationPropertyName, ConfigurationPropertyName> spellings = environmentVariables ? null : new HashMap<>();
      if (!environmentVariables) {
        WrittenNames.check(source.getUnderlyingSource(), problems);
      }
      for (ConfigurationPropertyName name : iterable.filter(ROOT::isAncestorOf)) {
        if (spellings != null) {
          checkSpelling(name, spellings, problems);
          for (int i = ROOT.getNumberOfElements(); i < name.getNumberOfElements(); i++) {
            if (ListIndexes.isMisplacedIndex(ROOT, name, i)) {
              misplaced.add(name.chop(i));
            }
          }
        }
        if (seen.contains(name)) {
          if (!environmentVariables) {
            tree.put(name, null, false); // set with higher precedence; only its spelling may be better here
          }
          continue;
        }
        if (inListOfAnother(name, source, lists)) {
          continue; // an element of a list that a source with higher precedence sets: replaced whole
        }
        ConfigurationProperty property = iterable.getConfigurationProperty(name);
        Object value = property == null ? null : placeholders.resolvePlaceholders(property.getValue());
        String unresolved = value == null ? null : UnresolvedPlaceholders.problem(
            written(name, name.getNumberOfElements() - 1), property.getValue(), value, environment);
        if (unresolved != null) {
          problems.add(unresolved);
          seen.add(name); // not a value: a lower source's would be taken for it
          claimLists(name, source, lists);
        } else if (value != null) {
          seen.add(name);
          claimLists(name, source, lists);
          tree.put(name, value, environmentVariables);
        }
      }
    }
    tree.checkIndexes(lists.keySet(), problems);
    tree.restoreLists(misplaced);
    return tree.root;
  }

  /** Whether a list on {@code name}'s path takes its elements from a source other than {@code source}. */
  private static boolean inListOfAnother(ConfigurationPropertyName name, ConfigurationPropertySource source,
      Map<ConfigurationPropertyName, ConfigurationPropertySource> lists) {
    for (int i = ROOT.getNumberOfElements(); i < name.getNumberOfElements(); i++) {
      if (ListIndexes.isIndex(ROOT, name, i)) {
        ConfigurationPropertySource owner = lists.get(name.chop(i));
        if (owner != null && owner != source) {
          return true;
        }
      }
    }
    return false;
  }

  /** Makes {@code source} the one that the lists on {@code name}'s path not yet taken take their elements from. */
  private static void claimLists(ConfigurationPropertyName name, ConfigurationPropertySource source,
      Map<ConfigurationPropertyName, ConfigurationPropertySource> lists) {
    for (int i = ROOT.getNumberOfElements(); i < name.getNumberOfElements(); i++) {
      if (ListIndexes.isIndex(ROOT, name, i)) {
        lists.putIfAbsent(name.chop(i), source);
      }
    }
  }

  /**
   * Reports {@code name} if one source spells a block or key on its path two ways ({@code rate-limit} and
   * {@code rateLimit}, {@code reviews} and {@code Reviews}). Spring reads such names as one, so one of the
   * two would be dropped in silence; in mesh.yaml the same is refused as a key set twice.
   */
  private static void checkSpelling(ConfigurationPropertyName name,
      Map<ConfigurationPropertyName, ConfigurationPropertyName> spellings, java.util.List<String> problems) {
    for (int i = ROOT.getNumberOfElements(); i < name.getNumberOfElements(); i++) {
      ConfigurationPropertyName earlier = spellings.putIfAbsent(name.chop(i + 1), name);
      if (earlier != null && !earlier.getElement(i, Form.ORIGINAL).equals(name.getElement(i, Form.ORIGINAL))) {
        String problem = io.meshclient.api.ConfigurationException.problem(written(name, i), "set twice",
            "one spelling of " + written(earlier, i));
        if (!problems.contains(problem)) {
          problems.add(problem);
        }
        return;
      }
    }
  }

  /** The first {@code i + 1} elements of {@code name} as written: {@code mesh.services.Reviews}, {@code routes[0]}. */
  private static String written(ConfigurationPropertyName name, int i) {
    StringBuilder key = new StringBuilder(MeshConfig.PREFIX);
    for (int j = ROOT.getNumberOfElements(); j <= i; j++) {
      String element = name.getElement(j, Form.ORIGINAL);
      boolean bracketed = ListIndexes.isIndex(ROOT, name, j) || element.indexOf('.') >= 0;
      key.append(bracketed ? "[" : ".").append(element).append(bracketed ? "]" : "");
    }
    return key.toString();
  }

  /**
   * The tree under construction. Names are matched the way Spring matches them (case, dashes and
   * underscores aside), so one block or name written differently in two sources ({@code
   * outlier-detection} in application.yml, {@code OUTLIERDETECTION} in an environment variable) is one
   * node. A node keeps the spelling it was first given, unless that came from an environment variable,
   * whose names have lost their case and dashes, and another source spells it out.
   */
  private static final class Tree {
    final Map<String, Object> root = new LinkedHashMap<>();
    /** Each node's parent map and key, by its name (relaxed equality). */
    private final Map<ConfigurationPropertyName, Slot> slots = new HashMap<>();

    private record Slot(Map<String, Object> parent, String key, boolean spelledByEnvironment) {}

    /**
     * Reports each of {@code lists} whose elements are not numbered from 0 without a gap, naming the first
     * after the gap: as Spring's Binder refuses such a list, since {@code routes[1].split.v3=80} alone in a
     * system property, meant to change the second route, would otherwise be the whole list.
     */
    void checkIndexes(Set<ConfigurationPropertyName> lists, java.util.List<String> problems) {
      for (ConfigurationPropertyName list : lists) {
        Slot slot = slots.get(list);
        if (slot == null || !(slot.parent().get(slot.key()) instanceof Map<?, ?> elements)) {
          continue; // a value of higher precedence, or an empty list
        }
        java.util.TreeSet<Integer> indexes = new java.util.TreeSet<>();
        try {
          elements.keySet().forEach(key -> indexes.add(Integer.parseInt(String.valueOf(key))));
        } catch (NumberFormatException notAList) {
          continue; // a block from higher precedence as well: the reader refuses it, naming the key
        }
        int next = 0;
        for (int index : indexes) {
          if (index != next) {
            String written = written(list, list.getNumberOfElements() - 1);
            problems.add(io.meshclient.api.ConfigurationException.problem(written + "[" + index + "]",
                "set without " + written + "[" + next + "]", "the list's elements from [0] on, in the property "
                    + "source that sets it: a list set in two sources is the higher one's, whole, not merged"));
            break;
          }
          next++;
        }
      }
    }

    /**
     * Turns each of {@code names} whose node holds only elements back into a list, so that the reader, where it
     * expects a block, names the key as written ({@code subsets}) and says it is a list, rather than reading
     * a block with one entry named {@code 0} and refusing {@code subsets.0.v1}. (Environment variables,
     * whose {@code _0_} may be a name, are not among them.)
     */
    void restoreLists(Set<ConfigurationPropertyName> names) {
      for (ConfigurationPropertyName name : names) {
        Slot slot = slots.get(name);
        Object node = slot == null ? null : slot.parent().get(slot.key());
        java.util.List<Object> elements = node instanceof Map ? SettingValues.asList(node) : null;
        if (elements != null) { // else a block from another source as well: read as a block
          slot.parent().put(slot.key(), elements);
        }
      }
    }

    /** Places {@code value} at {@code name}; with a null value only spells out the nodes on its path. */
    @SuppressWarnings("unchecked")
    void put(ConfigurationPropertyName name, Object value, boolean fromEnvironment) {
      Map<String, Object> node = root;
      int last = name.getNumberOfElements() - 1;
      for (int i = ROOT.getNumberOfElements(); i <= last; i++) {
        ConfigurationPropertyName path = name.chop(i + 1);
        String key = name.getElement(i, Form.ORIGINAL);
        Slot slot = slots.get(path);
        if (slot == null) {
          if (value == null) {
            return;
          }
          Object placed = i < last ? new LinkedHashMap<String, Object>() : value;
          node.put(key, placed);
          slots.put(path, new Slot(node, key, fromEnvironment));
          if (i == last) {
            return;
          }
          node = (Map<String, Object>) placed;
          continue;
        }
        if (slot.spelledByEnvironment() && !fromEnvironment && !slot.key().equals(key)) {
          slot.parent().put(key, slot.parent().remove(slot.key())); // the spelled-out name
          slot = new Slot(slot.parent(), key, false);
          slots.put(path, slot);
        }
        Object existing = slot.parent().get(slot.key());
        if (value != null && i < last && ListIndexes.isIndex(ROOT, name, i + 1) && existing instanceof CharSequence text
            && text.isEmpty()) {
          // routes: [] (or routes: with nothing) from higher precedence, which Spring reads as an empty
          // string; where a lower source has elements it is a list, and Spring binds it as an empty one.
          slot.parent().put(slot.key(), java.util.List.of());
          return;
        }
        if (i == last || !(existing instanceof Map)) {
          return; // the value, or a value where this wants a block, came from higher precedence
        }
        node = (Map<String, Object>) existing;
      }
    }
  }
}
