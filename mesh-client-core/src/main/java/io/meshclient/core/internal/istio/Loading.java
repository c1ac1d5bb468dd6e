package io.meshclient.core.internal.istio;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.config.IstioReport;
import java.util.ArrayList;
import java.util.List;

/**
 * What one load of Istio resources found: the errors (each naming the file, the resource and the field
 * path), the unsupported fields for the report, the resources applied and ignored. One per load; not
 * thread-safe.
 */
final class Loading {
  final List<String> problems = new ArrayList<>();
  final List<IstioReport.Unsupported> unsupported = new ArrayList<>();
  final List<String> applied = new ArrayList<>();
  final List<String> ignored = new ArrayList<>();

  /** An error: {@code file: Kind ns/name: spec.path: value (expected: ...)}. */
  void problem(IstioResource resource, String path, Object value, String expected) {
    problems.add(ConfigurationException.problem(where(resource) + path, value, expected));
  }

  /** A field that changes traffic in Istio and is not implemented here. */
  void unsupported(IstioResource resource, String path, String why) {
    unsupported.add(new IstioReport.Unsupported(resource.file(), resource.label(), path, why));
  }

  static String where(IstioResource resource) {
    return resource.file() + ": " + resource.label() + ": ";
  }
}
