package io.meshclient.samples.bookinfo;

import java.util.List;
import java.util.Map;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.web.client.RestClient;

/** Shows, from productpage's {@code /actuator/mesh/decisions}, why recent reviews calls went where they went. */
final class RecentDecisions {
  private RecentDecisions() {}

  /** The newest decision of each reviews route, one line each. */
  static String render(int productPagePort) {
    List<Map<String, Object>> decisions = RestClient.create().get()
        .uri("http://127.0.0.1:" + productPagePort + "/actuator/mesh/decisions").retrieve()
        .body(new ParameterizedTypeReference<List<Map<String, Object>>>() {});
    StringBuilder out = new StringBuilder("Recent routing decisions in productpage's mesh (/actuator/mesh/decisions):\n");
    for (String route : new String[] {"jason", "canary"}) {
      decisions.stream().filter(d -> "reviews".equals(d.get("service")) && route.equals(d.get("route"))).findFirst()
          .ifPresent(d -> out.append(String.format("  %s %s: route %s (%s) -> subset %s, %s among %s chose %s, status %s%n",
              d.get("method"), d.get("path"), d.get("route"), d.get("destination"), d.get("subset"), d.get("balancer"),
              d.get("candidates"), d.get("chosen"), d.get("status"))));
    }
    return out.toString();
  }
}
