package io.meshclient.benchmarks;

import io.meshclient.api.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Instance lists and requests shared by the benchmarks. */
final class Fixtures {
  private Fixtures() {}

  /**
   * {@code count} instances of {@code service} on 10.0.x.y:8080, weights cycling 1..5 (so that weighted
   * round-robin has a real schedule) and versions v1/v2/v3 in turn. The list is immutable, as the mesh
   * hands it to balancers.
   */
  static List<ServiceInstance> instances(String service, int count) {
    List<ServiceInstance> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String host = "10.0." + (i / 250) + "." + (i % 250 + 1);
      out.add(new ServiceInstance(host + ":8080", service, host, 8080, false, 1 + i % 5,
          Map.of("version", "v" + (1 + i % 3)), ""));
    }
    return List.copyOf(out);
  }
}
