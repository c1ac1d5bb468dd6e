package io.meshclient.spring.boot;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;

/**
 * Re-binds {@code mesh.*} from the environment and swaps the result into the running mesh through
 * {@link Mesh#reload}: calls in flight finish on the configuration they started with,
 * new calls take the new one, and no call is dropped. An invalid configuration is refused whole and
 * the old one keeps serving.
 *
 * <p>Call {@link #reconfigure()} directly, or publish a {@link MeshRefreshEvent}. Thread-safe: the
 * mesh serialises reconfigurations.
 */
public final class MeshReconfigurer implements ApplicationListener<MeshRefreshEvent> {
  private static final Log log = LogFactory.getLog(MeshReconfigurer.class);

  private final Mesh mesh;
  private final Environment environment;
  private final StartUpSettings startUp;

  /**
   * A reconfigurer binding {@code mesh.*} from {@code environment} into {@code mesh}. The settings read
   * only at start-up ({@code mesh.enabled}, {@code mesh.problem-details.enabled}, {@code mesh.istio.*}) are
   * taken as they are now; a reconfiguration that finds them changed is refused.
   */
  public MeshReconfigurer(Mesh mesh, Environment environment) {
    this.mesh = Objects.requireNonNull(mesh, "mesh");
    this.environment = Objects.requireNonNull(environment, "environment");
    this.startUp = new StartUpSettings(environment);
  }

  /**
   * Applies the configuration the environment holds now.
   *
   * @return the configuration now in force
   * @throws ConfigurationException naming every bad key, and every setting read only at start-up that
   *     changed; the old configuration stays in force
   */
  public MeshConfig reconfigure() {
    try {
      // Bound inside reload, so properties that do not bind are counted as a refused change too.
      MeshConfig config = mesh.reload(this::bind);
      log.info("Mesh reconfigured: services " + config.services().keySet());
      return config;
    } catch (ConfigurationException e) {
      // The messages name keys and expectations; core never puts secret values in them.
      log.warn("Mesh configuration change refused, the previous configuration stays in force: " + e.getMessage());
      throw e;
    }
  }

  /** The configuration the environment holds, refused with a change of what only a start-up reads. */
  private MeshConfig bind() {
    List<String> changed = startUp.changesIn(environment);
    if (changed.isEmpty()) {
      return MeshConfigBinder.bind(environment);
    }
    List<String> problems = new ArrayList<>();
    try { // the configuration's own problems first, so that one refusal reports all there is to fix
      MeshConfigBinder.bind(environment);
    } catch (ConfigurationException e) {
      problems.addAll(e.problems());
    }
    problems.addAll(changed);
    throw new ConfigurationException(problems);
  }

  @Override
  public void onApplicationEvent(MeshRefreshEvent event) {
    reconfigure();
  }
}
