package io.meshclient.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.Mesh;
import io.meshclient.spring.boot.autoconfigure.MeshAutoConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code mesh.istio.*} lays Istio resources over the application's configuration. */
class IstioPropertiesTest {
  /** A ServiceEntry for reviews: v1 at 127.0.0.1, v2 at 127.0.0.2. */
  private static final String REVIEWS_ENTRY = """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: { name: reviews }
      spec:
        hosts: [reviews]
        resolution: STATIC
        ports: [{ number: 9080, name: http, protocol: HTTP }]
        endpoints:
          - { address: 127.0.0.1, labels: { version: v1 } }
          - { address: 127.0.0.2, labels: { version: v2 } }
      ---
      """;

  @TempDir
  Path dir;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class));

  @Test
  void istioFilesFromApplicationPropertiesDefineServicesWithTheirNamespaceAndStrictness() throws Exception {
    Path file = Files.writeString(dir.resolve("se.yaml"), """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: { name: ratings, namespace: prod }
        spec:
          hosts: [ratings.prod.svc.corp.local]
          resolution: STATIC
          ports: [{ number: 9080, name: http, protocol: HTTP }]
          endpoints: [{ address: 127.0.0.1, labels: { version: v1 } }]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: ratings, namespace: prod }
        spec:
          host: ratings
          trafficPolicy: { connectionPool: { http: { maxRequestsPerConnection: 1 } } }
        """);
    runner.withPropertyValues("mesh.istio.files=" + file, "mesh.istio.namespace=prod", "mesh.istio.domain=corp.local")
        .run(context -> {
          Mesh mesh = context.getBean(Mesh.class);
          assertThat(mesh.instances("ratings")).hasSize(1);
          assertThat(mesh.istioReport().unsupported()).singleElement()
              .satisfies(u -> assertThat(u.field()).isEqualTo(
                  "spec.trafficPolicy.connectionPool.http.maxRequestsPerConnection"));
          var endpoint = new io.meshclient.spring.boot.actuate.MeshEndpoint(mesh, null);
          assertThat(endpoint.mesh().istio().unsupported()).as("the actuator shows the load report").hasSize(1);
        });
    runner.withPropertyValues("mesh.istio.files=" + file, "mesh.istio.namespace=prod", "mesh.istio.domain=corp.local",
        "mesh.istio.strict=true").run(context -> assertThat(context).hasFailed()
            .getFailure().rootCause().hasMessageContaining("since mesh.istio.strict is true"));
  }

  /** mesh.istio.labels gives the application's labels that VirtualService sourceLabels are matched against. */
  @Test
  void istioLabelsFromApplicationPropertiesDecideSourceLabelsMatches() throws Exception {
    Path file = Files.writeString(dir.resolve("vs.yaml"), REVIEWS_ENTRY + """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews }
        spec:
          host: reviews
          subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - match: [{ sourceLabels: { app.kubernetes.io/name: productpage } }]
              route: [{ destination: { host: reviews, subset: v2 } }]
            - route: [{ destination: { host: reviews, subset: v1 } }]
        """);
    runner.withPropertyValues("mesh.istio.files=" + file, "mesh.istio.labels[app.kubernetes.io/name]=productpage")
        .run(context -> {
          Mesh mesh = context.getBean(Mesh.class);
          assertThat(mesh.istioReport().unsupported()).isEmpty();
          assertThat(mesh.config().service("reviews").routes()).extracting(r -> r.to()).containsExactly("v2", "v1");
        });
    runner.withPropertyValues("mesh.istio.files=" + file, "mesh.istio.labels.app=details").run(context ->
        assertThat(context.getBean(Mesh.class).config().service("reviews").routes()).extracting(r -> r.to())
            .containsExactly("v1"));
    runner.withPropertyValues("mesh.istio.files=" + file, "mesh.istio.labels.app=not a label").run(context ->
        assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("mesh.istio.labels.app: not a label (expected: a Kubernetes label value"));
  }

  /** A check period out of range is refused as it was written, not as the Duration it was bound to. */
  @Test
  void aCheckPeriodOutOfRangeIsRefusedShowingItAsWritten() throws Exception {
    Path file = Files.writeString(dir.resolve("empty.yaml"), "");
    runner.withPropertyValues("mesh.istio.files=" + file, "mesh.istio.check-every=50ms")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("mesh.istio.check-every: 50ms (expected: from 100ms to 1 day)"));
  }

  /**
   * mesh.istio.root-namespace is Istio's meshConfig.rootNamespace: the rules of that namespace apply where the
   * caller's and the service's namespaces have none; a value that is no namespace name is refused, naming the key.
   */
  @Test
  void theRootNamespaceFromApplicationPropertiesChoosesWhoseRulesApplyEverywhere() throws Exception {
    Path file = Files.writeString(dir.resolve("root.yaml"), REVIEWS_ENTRY + """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews, namespace: mesh-root }
        spec:
          host: reviews.default.svc.cluster.local
          subsets: [{ name: v1, labels: { version: v1 } }]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http: [{ route: [{ destination: { host: reviews, subset: v1 } }] }]
        """);
    runner.withPropertyValues("mesh.istio.files=" + file, "mesh.istio.root-namespace=mesh-root").run(context -> {
      Mesh mesh = context.getBean(Mesh.class);
      assertThat(mesh.config().service("reviews").subsets()).containsOnlyKeys("v1");
      assertThat(mesh.istioReport().ignored()).isEmpty();
    });
    runner.withPropertyValues("mesh.istio.files=" + file, "mesh.istio.root-namespace=Mesh_Root")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("mesh.istio.root-namespace: Mesh_Root (expected: a Kubernetes namespace name: lower-case "
                + "letters, digits and '-', at most 63)"));
  }
}
