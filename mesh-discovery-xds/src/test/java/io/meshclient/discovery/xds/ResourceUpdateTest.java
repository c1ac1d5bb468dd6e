package io.meshclient.discovery.xds;

import static io.meshclient.discovery.xds.Resources.istio;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.StringValue;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A response validated resource by resource: what is valid, what is not, and the NACK's error_detail. */
class ResourceUpdateTest {
  static final String V1 = istio(9080, "v1", "reviews.default.svc.cluster.local");

  static ResourceUpdate<ClusterResource> clusters(List<Any> resources) {
    return ResourceUpdate.decode(ResourceType.CDS, "7", resources, a -> ClusterResource.decode(a, Map.of()),
        ClusterResource::name);
  }

  static Any unsupportedLbPolicy(String name) {
    return Any.pack(Resources.cluster(name).toBuilder().setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED).build());
  }

  @Test
  void validResourcesAreKeptAndEachInvalidOneIsNamedInTheErrorDetailInNameOrder() {
    ResourceUpdate<ClusterResource> u = clusters(List.of(unsupportedLbPolicy("b"), Any.pack(Resources.cluster(V1)),
        unsupportedLbPolicy("a")));

    assertThat(u.valid()).containsOnlyKeys(V1);
    assertThat(u.invalid()).containsOnlyKeys("a", "b");
    assertThat(u.names()).containsExactlyInAnyOrder(V1, "a", "b");
    assertThat(u.errorDetail()).isEqualTo("cluster a: lb_policy: CLUSTER_PROVIDED (expected: ROUND_ROBIN, "
        + "LEAST_REQUEST, RANDOM, RING_HASH or MAGLEV); cluster b: lb_policy: CLUSTER_PROVIDED (expected: "
        + "ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH or MAGLEV)");
  }

  @Test
  void aResponseWhoseResourcesAreAllValidHasNoErrorDetail() {
    assertThat(clusters(List.of(Any.pack(Resources.cluster(V1)))).errorDetail()).isNull();
  }

  @Test
  void aResourceThatCannotBeDecodedNamesNothingAndIsInTheErrorDetail() {
    ResourceUpdate<ClusterResource> u = clusters(List.of(Any.pack(StringValue.of("x")), Any.pack(Resources.cluster(V1))));

    assertThat(u.names()).containsExactly(V1);
    assertThat(u.errorDetail()).isEqualTo("cluster: resource: type.googleapis.com/google.protobuf.StringValue "
        + "(expected: a decodable envoy.config.cluster.v3.Cluster)");
  }

  @Test
  void aResourceWithAnEmptyNameNamesNothingAndLeavesTheResourcesTheResponseOmitsDeletable() {
    ResourceUpdate<ClusterResource> u = clusters(List.of(Any.pack(Resources.cluster(V1)), Any.pack(Resources.cluster("")),
        unsupportedLbPolicy("")));

    assertThat(u.names()).containsExactly(V1);
    assertThat(u.hasUndecodable()).as("a resource of unknown name: it could be any resource left out").isFalse();
    assertThat(u.errorDetail()).isEqualTo("cluster resources[1]: name: '' (expected: a non-empty name, as Envoy "
        + "requires); cluster resources[2]: name: '' (expected: a non-empty name, as Envoy requires)");
  }

  @Test
  void aCheckAfterDecodingMovesAResourceFromValidToInvalid() {
    ResourceUpdate<ClusterResource> u = clusters(List.of(Any.pack(Resources.cluster(V1))));

    u.reject(V1, "cluster " + V1 + ": transport_socket: ... (expected: ...)");

    assertThat(u.valid()).isEmpty();
    assertThat(u.names()).containsExactly(V1);
    assertThat(u.errorDetail()).isEqualTo("cluster " + V1 + ": transport_socket: ... (expected: ...)");
  }

  @Test
  void theErrorDetailIsBoundedAndSaysHowManyItLeftOut() {
    List<Any> bad = new ArrayList<>();
    IntStream.range(0, 500).forEach(i -> bad.add(unsupportedLbPolicy("cluster-" + (1000 + i))));

    String detail = clusters(bad).errorDetail();

    assertThat(detail.length()).isLessThanOrEqualTo(ResourceUpdate.MAX_DETAIL);
    assertThat(detail).startsWith("cluster cluster-1000: lb_policy: CLUSTER_PROVIDED").matches(
        "(?s).*; and \\d+ more invalid resources");
  }

  @Test
  void oneOverlongProblemIsCutToTheBound() {
    ResourceUpdate<ClusterResource> u = clusters(List.of(Any.pack(Resources.cluster(V1))));
    u.reject(V1, "x".repeat(10_000));
    u.reject("zz-other", "y"); // after V1 in name order

    String detail = u.errorDetail();

    assertThat(detail.length()).isLessThanOrEqualTo(ResourceUpdate.MAX_DETAIL);
    assertThat(detail).startsWith("xxx").endsWith("...; and 1 more invalid resources");
  }

  @Test
  void aTtlOutsideOneMillisecondTo596HoursMakesItsResourceInvalidAndATtlWithinIsKept() {
    var negative = com.google.protobuf.Duration.newBuilder().setSeconds(-1).build();
    var zero = com.google.protobuf.Duration.getDefaultInstance();
    var second = com.google.protobuf.Duration.newBuilder().setSeconds(1).build();
    ResourceUpdate<ClusterResource> u = clusters(List.of(
        Any.pack(io.envoyproxy.envoy.service.discovery.v3.Resource.newBuilder().setName("a").setTtl(negative)
            .setResource(Any.pack(Resources.cluster("a"))).build()),
        Any.pack(io.envoyproxy.envoy.service.discovery.v3.Resource.newBuilder().setName("b").setTtl(zero).build()),
        Any.pack(io.envoyproxy.envoy.service.discovery.v3.Resource.newBuilder().setName(V1).setTtl(second)
            .setResource(Any.pack(Resources.cluster(V1))).build())));

    assertThat(u.valid()).containsOnlyKeys(V1);
    assertThat(u.ttl(V1)).isEqualTo(java.time.Duration.ofSeconds(1));
    assertThat(u.errorDetail()).isEqualTo("cluster a: ttl: {seconds: -1, nanos: 0} (expected: a duration from 0s to "
        + "10000 years); cluster b: ttl: 0ms (expected: between 1ms and 596h)");
  }
}
