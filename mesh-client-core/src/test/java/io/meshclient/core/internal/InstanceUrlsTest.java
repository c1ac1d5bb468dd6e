package io.meshclient.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ServiceInstance;
import java.util.Map;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class InstanceUrlsTest {

  @Test
  void rewritesSchemeHostAndPortAndKeepsEverythingElse() throws Exception {
    InstanceUrls urls = new InstanceUrls(ServiceInstance.of("reviews", "127.0.0.1", 9081), false);
    HttpUrl in = HttpUrl.get("http://reviews/api/a%20b/%2F?x=1&y=%C3%A9#frag");
    HttpUrl out = urls.rewrite(in);
    assertThat(out.toString()).isEqualTo("http://127.0.0.1:9081/api/a%20b/%2F?x=1&y=%C3%A9#frag");
    assertThat(urls.rewrite(HttpUrl.get("http://reviews/api/a%20b/%2F?x=1&y=%C3%A9#frag"))).isSameAs(out);
    assertThat(urls.rewrite(HttpUrl.get("http://reviews/")).toString()).isEqualTo("http://127.0.0.1:9081/");
  }

  @Test
  void tlsOrASecureInstanceMeansHttpsAndIpv6IsBracketed() throws Exception {
    InstanceUrls tls = new InstanceUrls(ServiceInstance.of("reviews", "::1", 8443), true);
    assertThat(tls.rewrite(HttpUrl.get("http://reviews/r?q")).toString()).isEqualTo("https://[::1]:8443/r?q");
    InstanceUrls secure = new InstanceUrls(
        new ServiceInstance("a", "reviews", "10.0.0.1", 443, true, 1, Map.of(), ""), false);
    assertThat(secure.rewrite(HttpUrl.get("http://reviews/r")).toString()).isEqualTo("https://10.0.0.1/r");
  }

  @Test
  void distinctUrlsSharingACacheSlotStillRewriteCorrectly() throws Exception {
    InstanceUrls urls = new InstanceUrls(ServiceInstance.of("s", "127.0.0.1", 1), false);
    for (int i = 0; i < 2000; i++) {
      assertThat(urls.rewrite(HttpUrl.get("http://s/items/" + i)).encodedPath()).isEqualTo("/items/" + i);
    }
  }

  @Test
  void aHostNoUrlCanHoldIsAConnectFailureNamingTheInstance() {
    InstanceUrls urls = new InstanceUrls(ServiceInstance.of("reviews", "bad host", 80), false);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> urls.rewrite(HttpUrl.get("http://reviews/")))
        .isInstanceOf(java.net.ConnectException.class)
        .hasMessageStartingWith("instance bad host:80 of service reviews: host 'bad host' cannot be put in a URL");
  }
}
