package io.meshclient.core.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.LoopbackServer;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.IstioOptions;
import io.meshclient.core.config.MeshConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Loading Istio resources: host aliases, precedence with mesh.yaml, validation as Istio does it, TLS. */
@Timeout(60)
class IstioLoadingTest {
  @TempDir
  Path dir;

  private final InMemoryDiscovery discovery = new InMemoryDiscovery()
      .set("reviews", List.of(io.meshclient.api.ServiceInstance.builder("reviews", "127.0.0.1", 1)
          .metadata(Map.of("version", "v1")).build()))
      .set("ratings", List.of(io.meshclient.api.ServiceInstance.of("ratings", "127.0.0.1", 2)));

  private Path write(String name, String yaml) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }

  private Mesh mesh(Path file) {
    return Mesh.builder().istioConfig(file).discovery("memory", discovery).build();
  }

  static final String SUBSETS = """
      apiVersion: networking.istio.io/v1alpha3
      kind: DestinationRule
      metadata: { name: reviews }
      spec:
        host: reviews.default.svc.cluster.local
        subsets: [{ name: v1, labels: { version: v1 } }]
      ---
      """;

  @Test
  void reviewsReviewsDefaultAndTheFullNameAreOneService() throws Exception {
    for (String host : List.of("reviews", "reviews.default", "reviews.default.svc.cluster.local")) {
      Path file = write("aliases.yaml", SUBSETS + """
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: { name: reviews }
          spec:
            hosts: [%s]
            http: [{ route: [{ destination: { host: reviews.default.svc, subset: v1 } }] }]
          """.formatted(host));
      try (Mesh mesh = mesh(file)) {
        assertThat(mesh.config().service("reviews").routes()).hasSize(1);
        assertThat(mesh.config().service("reviews").routes().get(0).to()).isEqualTo("v1");
        assertThat(mesh.config().services()).doesNotContainKeys("reviews.default");
      }
    }
  }

  @Test
  void aHostInAnotherNamespaceOrDomainIsConfigurable() throws Exception {
    Path file = write("ns.yaml", """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews, namespace: prod }
        spec:
          host: reviews
          trafficPolicy: { loadBalancer: { simple: RANDOM } }
        """);
    try (Mesh mesh = Mesh.builder().istioConfig(file).discovery("memory", discovery)
        .istioOptions(IstioOptions.DEFAULT.withNamespace("prod").withDomain("corp.local")).build()) {
      assertThat(mesh.config().service("reviews").loadBalancer().name()).isEqualTo("random");
    }
  }

  @Test
  void aVirtualServiceHostNoSourceKnowsIsAnErrorWithDidYouMean() throws Exception {
    Path file = write("typo.yaml", """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviwes]
          http: [{ route: [{ destination: { host: reviwes } }] }]
        """);
    assertThatThrownBy(() -> mesh(file)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(file + ": VirtualService default/reviews: spec.hosts[0]: reviwes (expected: a service "
            + "some source knows (mesh.services, a discovery or a ServiceEntry); did you mean 'reviews'?)");
  }

  @Test
  void validationNamesTheFileTheResourceAndTheFieldPath() throws Exception {
    Path file = write("bad.yaml", SUBSETS + """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http:
            - timeout: 10 seconds
              route:
                - destination: { host: reviews, subet: v1 }
            - route:
                - destination: { host: reviews, subset: v9 }
            - route:
                - { destination: { host: reviews, subset: v1 }, weight: 0 }
                - { destination: { host: ratings }, weight: 0 }
        """);
    assertThatThrownBy(() -> mesh(file)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(file + ": VirtualService default/reviews: spec.http[0].route[0].destination.subet: "
            + "unknown field (expected: a field of Istio's VirtualService schema here, one of [host, subset, port]; "
            + "did you mean 'subset'?)")
        .hasMessageContaining("spec.http[0].timeout: 10 seconds (expected: a duration such as 10s, 0.5s, 100ms or "
            + "1h30m)")
        .hasMessageContaining("spec.http[2].route: weights summing to 0 (expected: weights summing to more than 0)");
    Path undefined = write("ist0101.yaml", SUBSETS + """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http: [{ route: [{ destination: { host: reviews, subset: v9 } }] }]
        """);
    assertThatThrownBy(() -> mesh(undefined)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("spec.http[0].route[0].destination.subset: v9 (expected: a subset a DestinationRule for host "
            + "reviews defines (IST0101: referenced subset not found; defined: [v1])");
  }

  @Test
  void anUnknownKindIsAnError() throws Exception {
    Path file = write("kind.yaml", """
        apiVersion: networking.istio.io/v1
        kind: VirtualServce
        metadata: { name: reviews }
        spec: { hosts: [reviews] }
        """);
    assertThatThrownBy(() -> mesh(file)).isInstanceOf(ConfigurationException.class)
        .hasMessage(file + " (document 1): kind: VirtualServce (expected: one of [DestinationRule, ServiceEntry, "
            + "VirtualService]; did you mean 'VirtualService'?)");
  }

  @Test
  void meshYamlRoutesForAServiceAVirtualServiceCoversAreAnErrorNamingBothFiles() throws Exception {
    Path meshYaml = write("mesh.yaml", """
        mesh:
          services:
            reviews:
              routes: [{ to: { service: ratings } }]
        """);
    Path istio = write("vs.yaml", """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          http: [{ route: [{ destination: { host: reviews } }] }]
        """);
    assertThatThrownBy(() -> Mesh.builder().watchConfigFile(meshYaml).istioConfig(istio)
        .discovery("memory", discovery).build()).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(istio.toString()).hasMessageContaining(meshYaml.toString())
        .hasMessageContaining("mesh.services.reviews.routes");
  }

  @Test
  void destinationRuleFieldsOverrideMeshYamlAndRateLimitsComeFromMeshYaml() throws Exception {
    LoopbackServer ratings = new LoopbackServer("ratings");
    try (ratings) {
      InMemoryDiscovery d = new InMemoryDiscovery().set("ratings", List.of(ratings.instance("ratings", Map.of())));
      Path istio = write("dr.yaml", """
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: { name: ratings }
          spec:
            host: ratings
            trafficPolicy:
              loadBalancer: { simple: ROUND_ROBIN }
              connectionPool: { tcp: { connectTimeout: 250ms }, http: { http2MaxRequests: 7 } }
              outlierDetection: { consecutive5xxErrors: 2 }
          """);
      MeshConfig base = MeshConfig.fromYaml("""
          mesh:
            services:
              ratings:
                load-balancer: random
                connect-timeout: 2s
                timeout: 3s
                rate-limit: { rate: 2/h }
                outlier-detection: { consecutive-failures: 9, slow-ejection: { factor: 6 } }
          """, n -> null);
      try (Mesh mesh = Mesh.builder().config(base).istioConfig(istio).discovery("memory", d).build()) {
        var service = mesh.config().service("ratings");
        assertThat(service.loadBalancer().name()).isEqualTo("round-robin");
        assertThat(service.connectTimeout()).hasMillis(250);
        assertThat(service.maxConcurrentRequests()).isEqualTo(7);
        assertThat(service.timeout()).as("mesh.yaml's, Istio sets none").hasSeconds(3);
        assertThat(service.outlierDetection().consecutiveFailures()).isEqualTo(2);
        assertThat(service.outlierDetection().slowEjection().factor()).as("mesh.yaml's, Istio has no such field")
            .isEqualTo(6);
        assertThat(IstioRoutingTest.body(mesh, "http://ratings/a")).isEqualTo("200 ratings");
        assertThat(IstioRoutingTest.body(mesh, "http://ratings/a")).isEqualTo("200 ratings");
        assertThatThrownBy(() -> IstioRoutingTest.get(mesh, "http://ratings/a"))
            .isInstanceOf(io.meshclient.api.RateLimitExceededException.class);
      }
      assertThat(ratings.requests.get()).isEqualTo(2);
    }
  }

  /** pilot sets Envoy's max_requests only for http2MaxRequests > 0: 0 (proto3's unset) is no cap, not a refusal. */
  @Test
  void http2MaxRequestsZeroIsNoCapAsInIstio() throws Exception {
    try (LoopbackServer ratings = new LoopbackServer("ratings")) {
      InMemoryDiscovery d = new InMemoryDiscovery().set("ratings", List.of(ratings.instance("ratings", Map.of())));
      Path istio = write("dr.yaml", """
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: { name: ratings }
          spec:
            host: ratings
            trafficPolicy:
              connectionPool: { http: { http2MaxRequests: 0 } }
          """);
      MeshConfig base = MeshConfig.fromYaml("""
          mesh:
            services:
              ratings: { max-concurrent-requests: 5 }
          """, n -> null);
      try (Mesh mesh = Mesh.builder().config(base).istioConfig(istio).discovery("memory", d).build()) {
        assertThat(mesh.config().service("ratings").maxConcurrentRequests()).as("mesh.yaml's: Istio sets none")
            .isEqualTo(5);
        assertThat(IstioRoutingTest.body(mesh, "http://ratings/a")).isEqualTo("200 ratings");
      }
    }
  }

  @Test
  void aSubsetsOutlierDetectionFromARuleKeepsMeshYamlsSlowEjectionOfThatSubset() throws Exception {
    LoopbackServer ratings = new LoopbackServer("ratings");
    try (ratings) {
      InMemoryDiscovery d = new InMemoryDiscovery().set("ratings",
          List.of(ratings.instance("ratings", Map.of("version", "v2"))));
      Path istio = write("dr-subset.yaml", """
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: { name: ratings }
          spec:
            host: ratings
            subsets:
              - name: v2
                labels: { version: v2 }
                trafficPolicy: { outlierDetection: { consecutive5xxErrors: 2 } }
          """);
      MeshConfig base = MeshConfig.fromYaml("""
          mesh:
            services:
              ratings:
                outlier-detection: { slow-ejection: { factor: 6 } }
                subsets: { v2: { version: v2 } }
                subset-policies:
                  v2:
                    outlier-detection:
                      consecutive-failures: 9
                      slow-ejection: { factor: 4 }
                      interval: 3s
                      failure-percentage: { threshold: 30% }
                      success-rate: { stdev-factor: 2 }
          """, n -> null);
      try (Mesh mesh = Mesh.builder().config(base).istioConfig(istio).discovery("memory", d).build()) {
        var outliers = mesh.config().service("ratings").subsetPolicies().get("v2").outlierDetection();
        assertThat(outliers.consecutiveFailures()).as("the rule's").isEqualTo(2);
        assertThat(outliers.slowEjection().factor()).as("mesh.yaml's subset's, Istio has no such field")
            .isEqualTo(4);
        assertThat(outliers.interval()).isEqualTo(java.time.Duration.ofSeconds(3));
        assertThat(outliers.failurePercentage().threshold()).as("neither has Istio").isEqualTo(30);
        assertThat(outliers.successRate().stdevFactor()).isEqualTo(2);
      }
    }
  }

  @Test
  void aServiceEntryAloneDefinesTheServiceAndItsInstancesWithoutMeshYaml() throws Exception {
    try (LoopbackServer v1 = new LoopbackServer("api-v1"); LoopbackServer v2 = new LoopbackServer("api-v2")) {
      Path file = write("se.yaml", """
          apiVersion: networking.istio.io/v1
          kind: ServiceEntry
          metadata: { name: payments }
          spec:
            hosts: [payments.example.com]
            location: MESH_EXTERNAL
            resolution: STATIC
            ports: [{ number: %d, name: http, protocol: HTTP }]
            endpoints:
              - { address: 127.0.0.1, labels: { version: v1 } }
              - { address: 127.0.0.1, ports: { http: %d }, labels: { version: v2 } }
          ---
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: { name: payments }
          spec:
            host: payments.example.com
            subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }]
          ---
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: { name: payments }
          spec:
            hosts: [payments.example.com]
            http:
              - match: [{ headers: { x-canary: { exact: "1" } } }]
                route: [{ destination: { host: payments.example.com, subset: v2 } }]
              - route: [{ destination: { host: payments.example.com, subset: v1 } }]
          """.formatted(v1.port(), v2.port()));
      try (Mesh mesh = Mesh.builder().istioConfig(file).build()) {
        for (int i = 0; i < 5; i++) {
          assertThat(IstioRoutingTest.body(mesh, "http://payments.example.com/pay")).isEqualTo("200 api-v1");
          assertThat(IstioRoutingTest.body(mesh, "http://payments.example.com/pay", "x-canary", "1"))
              .isEqualTo("200 api-v2");
        }
        assertThat(mesh.instances("payments.example.com")).hasSize(2);
        assertThat(mesh.istioReport().applied()).containsExactly("ServiceEntry default/payments",
            "DestinationRule default/payments", "VirtualService default/payments");
      }
      assertThat(v1.requests.get()).isEqualTo(5);
      assertThat(v2.requests.get()).isEqualTo(5);
    }
  }

  @Test
  void aVirtualServiceForGatewaysOnlyIsIgnoredAndReported() throws Exception {
    Path file = write("gw.yaml", """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: { name: reviews }
        spec:
          hosts: [reviews]
          gateways: [bookinfo-gateway]
          http: [{ route: [{ destination: { host: reviews } }] }]
        """);
    try (Mesh mesh = mesh(file)) {
      assertThat(mesh.config().service("reviews").routes()).isEmpty();
      assertThat(mesh.istioReport().ignored()).singleElement().asString().contains("omit 'mesh'");
    }
  }
}
