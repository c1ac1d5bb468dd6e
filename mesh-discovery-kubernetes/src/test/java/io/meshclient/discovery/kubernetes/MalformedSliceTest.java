package io.meshclient.discovery.kubernetes;

import static io.meshclient.discovery.kubernetes.ApiServer.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.meshclient.api.ServiceDiscovery;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * EndpointSlices an API server should not hold but a mock, an old server or a buggy controller can
 * serve: what cannot be called is left out, with a warning naming the slice, and the rest of the service
 * keeps serving and updating.
 */
class MalformedSliceTest {
  private final ApiServer api = ApiServer.crud();

  @AfterEach
  void stop() {
    api.close();
  }

  private ServiceDiscovery discovery() {
    return new KubernetesDiscoveryProvider().create(api.settings().podLabels(List.of()).build());
  }

  private void createSlice(String name, Integer port, String... addresses) {
    EndpointSlice slice = new EndpointSliceBuilder().withNewMetadata().withName(name)
        .withNamespace(ApiServer.NAMESPACE).addToLabels("kubernetes.io/service-name", "reviews").endMetadata()
        .withAddressType("IPv4").addNewPort().withName("http").withPort(port).withProtocol("TCP").endPort()
        .withEndpoints(new EndpointBuilder().withAddresses(Arrays.asList(addresses)).build()).build();
    api.client.discovery().v1().endpointSlices().inNamespace(ApiServer.NAMESPACE).resource(slice).create();
  }

  @Test
  void slicesWithPortsOutOfRangeAreLeftOutAndTheOthersServe() {
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
    createSlice("reviews-zero", 0, "10.0.0.2");
    createSlice("reviews-big", 70000, "10.0.0.3");
    createSlice("reviews-negative", -1, "10.0.0.4");
    RecordingListener listener = new RecordingListener();

    try (LogCapture log = LogCapture.everything(); ServiceDiscovery discovery = discovery()) {
      discovery.watch("reviews", listener);

      assertThat(listener.lastIds()).containsExactly("10.0.0.1:9080");
      assertThat(log.text()).contains("EndpointSlice reviews-big of 'reviews' in 'test' left out: port 70000 "
          + "(expected: 1..65535)");
    }
  }

  @Test
  void addressesThatAreNotHostsAreLeftOutAndTheOthersServe() {
    createSlice("reviews-a", 9080, "10.0.0.1", "not an address", "http://10.0.0.9/", "", null);
    RecordingListener listener = new RecordingListener();

    try (LogCapture log = LogCapture.everything(); ServiceDiscovery discovery = discovery()) {
      discovery.watch("reviews", listener);

      assertThat(listener.lastIds()).containsExactly("10.0.0.1:9080");
      assertThat(log.text()).contains("EndpointSlice reviews-a of 'reviews' in 'test' left out: address "
          + "'not an address' (expected: an IP address or a host name)");
    }
  }

  @Test
  void aMalformedSliceArrivingLaterDoesNotStopUpdates() {
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
    RecordingListener listener = new RecordingListener();
    try (ServiceDiscovery discovery = discovery()) {
      discovery.watch("reviews", listener);
      assertThat(listener.lastIds()).containsExactly("10.0.0.1:9080");
      api.awaitWatches(discovery, 1);

      createSlice("reviews-zero", 0, "10.0.0.2");
      api.slice("reviews-b", "reviews", 9080, endpoint("10.0.0.5", null, "zone-b"));

      listener.awaitIds("10.0.0.1:9080", "10.0.0.5:9080");
    }
  }

  @Test
  void sliceWithoutPortsOrWithoutAPortNumberIsLeftOut() {
    api.slice("reviews-a", "reviews", 9080, endpoint("10.0.0.1", null, "zone-a"));
    createSlice("reviews-nonumber", null, "10.0.0.2");
    EndpointSlice noPorts = new EndpointSliceBuilder().withNewMetadata().withName("reviews-noports")
        .withNamespace(ApiServer.NAMESPACE).addToLabels("kubernetes.io/service-name", "reviews").endMetadata()
        .withAddressType("IPv4").withEndpoints(new EndpointBuilder().withAddresses("10.0.0.3").build()).build();
    api.client.discovery().v1().endpointSlices().inNamespace(ApiServer.NAMESPACE).resource(noPorts).create();
    RecordingListener listener = new RecordingListener();

    try (ServiceDiscovery discovery = discovery()) {
      discovery.watch("reviews", listener);

      assertThat(listener.lastIds()).containsExactly("10.0.0.1:9080");
    }
  }

  /** A careless port-name: the service has slices and no instances, and the log says why, naming the ports. */
  @Test
  void aPortNameThatNoSliceHasIsWarnedNamingTheSlicesPorts() {
    api.slice("reviews-a", "reviews", "IPv4", "web", 8080, endpoint("10.0.0.1", null, "zone-a"));
    EndpointSlice twoPorts = new EndpointSliceBuilder().withNewMetadata().withName("ratings-a")
        .withNamespace(ApiServer.NAMESPACE).addToLabels("kubernetes.io/service-name", "ratings").endMetadata()
        .withAddressType("IPv4").addNewPort().withName("web").withPort(8080).endPort()
        .addNewPort().withName("grpc").withPort(9090).endPort()
        .withEndpoints(new EndpointBuilder().withAddresses("10.0.0.2").build()).build();
    api.client.discovery().v1().endpointSlices().inNamespace(ApiServer.NAMESPACE).resource(twoPorts).create();
    RecordingListener reviews = new RecordingListener();
    RecordingListener ratings = new RecordingListener();

    try (LogCapture log = LogCapture.everything();
        ServiceDiscovery named = new KubernetesDiscoveryProvider().create(api.settings().portName("http")
            .podLabels(List.of()).build());
        ServiceDiscovery unnamed = discovery()) {
      named.watch("reviews", reviews);
      unnamed.watch("ratings", ratings);

      assertThat(reviews.lastIds()).isEmpty();
      assertThat(ratings.lastIds()).isEmpty();
      assertThat(log.text()).contains("WARNING: EndpointSlice reviews-a of 'reviews' in 'test' left out: ports [web] "
          + "(expected: a port named 'http' (port-name))");
      assertThat(log.text()).contains("WARNING: EndpointSlice ratings-a of 'ratings' in 'test' left out: ports "
          + "[web, grpc] (expected: one port, or an unnamed one; set port-name to choose one)");
    }
  }
}
