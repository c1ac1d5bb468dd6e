package io.meshclient.discovery.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import org.junit.jupiter.api.Test;

/** gRFC A39: HTTP filters the client does not implement. */
class ListenerResourceTest {
  static final HttpFilter UNKNOWN = HttpFilter.newBuilder().setName("envoy.filters.http.wasm")
      .setTypedConfig(Any.pack(Struct.getDefaultInstance(), "type.googleapis.com/envoy.extensions.filters.http.wasm.v3"))
      .build();

  @Test
  void anUnknownFilterThatIsNotOptionalFailsTheListener() {
    assertThatThrownBy(() -> ListenerResource.decode(Any.pack(Resources.listener("reviews:9080", "r", UNKNOWN))))
        .isInstanceOf(XdsInvalidException.class)
        .hasMessage("listener reviews:9080: api_listener.http_connection_manager.http_filters[0] "
            + "(envoy.filters.http.wasm).typed_config: type.googleapis.com/envoy.extensions.filters.http.wasm.v3/"
            + "google.protobuf.Struct (expected: a supported HTTP filter (router, fault) or is_optional: true)");
  }

  @Test
  void anUnknownOptionalFilterIsSkippedAndReported() {
    ListenerResource l = ListenerResource.decode(Any.pack(Resources.listener("reviews:9080", "r",
        UNKNOWN.toBuilder().setIsOptional(true).build())));
    assertThat(l.rdsName()).isEqualTo("r");
    assertThat(l.notes()).singleElement().asString().contains("is not implemented and is_optional: skipped");
  }
}
