package io.meshclient.spring.boot;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.config.MeshKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * The {@code mesh.*} settings the starter reads once, when the context starts: the switches ({@code
 * mesh.enabled}, {@code mesh.problem-details.enabled}, conditions on its beans) and {@code mesh.istio.*}
 * (the Istio files and options the mesh is built with). A reload cannot apply a change of them, so {@link
 * MeshReconfigurer} refuses one, naming the key, instead of leaving it unapplied in silence.
 */
final class StartUpSettings {
  private static final List<String> KEYS = keys();
  private static final String UNSET = "unset";

  private final Map<String, String> values;

  /** The settings {@code environment} holds now. */
  StartUpSettings(Environment environment) {
    this.values = read(environment);
  }

  /** One problem per setting whose value in {@code environment} is not the one read at start-up. */
  List<String> changesIn(Environment environment) {
    Map<String, String> now = read(environment);
    List<String> problems = new ArrayList<>();
    for (String key : KEYS) {
      String was = values.getOrDefault(key, UNSET);
      String is = now.getOrDefault(key, UNSET);
      if (!Objects.equals(was, is)) {
        problems.add(ConfigurationException.problem(key, is,
            was + ", as at start-up; it is read only when the application starts"));
      }
    }
    return problems;
  }

  /** The switches, and every {@code mesh.istio.*} key as {@link MeshKeys} declares them. */
  private static List<String> keys() {
    List<String> keys = new ArrayList<>(List.of("mesh.enabled", "mesh.problem-details.enabled"));
    MeshKeys.ROOT.child("istio").names().forEach(name -> keys.add("mesh.istio." + name));
    return List.copyOf(keys);
  }

  private static Map<String, String> read(Environment environment) {
    Map<String, String> read = new LinkedHashMap<>();
    for (String key : KEYS) {
      String value = key.equals("mesh.istio.files")
          ? Binder.get(environment).bind(key, Bindable.listOf(String.class)).map(Object::toString).orElse(null)
          : key.equals("mesh.istio.labels") ? Binder.get(environment).bind(key, Bindable.mapOf(String.class,
              String.class)).map(m -> new java.util.TreeMap<>(m).toString()).orElse(null)
          : environment.getProperty(key);
      if (value != null) {
        read.put(key, value);
      }
    }
    return read;
  }
}
