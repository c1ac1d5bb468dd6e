package io.meshclient.spring.boot.actuate;

import io.meshclient.core.Mesh;
import io.meshclient.core.MeshSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * DOWN when a service configured under {@code mesh.services} has no instance (discovery lists none),
 * UP otherwise. Details give the instance count of every service and name the subsets that route
 * tables use but that have no instance, since calls drawn to them fail.
 */
public class MeshHealthIndicator extends AbstractHealthIndicator {
  private final Mesh mesh;

  /** An indicator of {@code mesh}'s configured services. */
  public MeshHealthIndicator(Mesh mesh) {
    super("Mesh health check failed");
    this.mesh = Objects.requireNonNull(mesh, "mesh");
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    Map<String, Integer> instances = new LinkedHashMap<>();
    List<String> withoutInstances = new ArrayList<>();
    List<String> emptySubsets = new ArrayList<>();
    Map<String, MeshSnapshot.ServiceState> services = mesh.snapshot().services();
    for (String name : mesh.config().services().keySet()) {
      MeshSnapshot.ServiceState service = services.get(name);
      int count = service == null ? 0 : service.instances().size();
      instances.put(name, count);
      if (count == 0) {
        withoutInstances.add(name);
      } else {
        service.subsets().forEach((subset, ids) -> {
          if (ids.isEmpty()) {
            emptySubsets.add(name + "/" + subset);
          }
        });
      }
    }
    (withoutInstances.isEmpty() ? builder.up() : builder.down()).withDetail("instances", instances);
    if (!withoutInstances.isEmpty()) {
      builder.withDetail("servicesWithoutInstances", withoutInstances);
    }
    if (!emptySubsets.isEmpty()) {
      builder.withDetail("subsetsWithoutInstances", emptySubsets);
    }
  }
}
