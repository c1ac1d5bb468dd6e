package io.meshclient.samples.bookinfo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.web.client.RestClient;

/**
 * The traffic summary, built from the counts each service served at {@code /stats}: the split is what
 * reviews v1/v2/v3 received, the header route what they received as jason, the rate limit what reviews
 * v2/v3 saw refused by their mesh before any byte left for ratings.
 *
 * @param counts service name to its counts
 * @param traffic what the driver sent
 */
public record TrafficSummary(Map<String, Map<String, Long>> counts, TrafficDriver.Result traffic) {

  /** Asks every service of {@code bookinfo} for its counts. */
  static TrafficSummary collect(Bookinfo bookinfo, TrafficDriver.Result traffic) {
    RestClient http = RestClient.create();
    Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
    for (String service : new String[] {"productpage", "details", "reviews-v1", "reviews-v2", "reviews-v3", "ratings"}) {
      counts.put(service, Objects.requireNonNull(http.get()
          .uri("http://127.0.0.1:" + bookinfo.port(service) + "/stats").retrieve()
          .body(new ParameterizedTypeReference<Map<String, Long>>() {})));
    }
    return new TrafficSummary(counts, traffic);
  }

  /** A count, 0 when the service never counted it. */
  public long count(String service, String name) {
    return counts.getOrDefault(service, Map.of()).getOrDefault(name, 0L);
  }

  /** The share of anonymous requests that {@code reviews-<version>} received, in percent. */
  public double anonymousShare(String version) {
    long total = 0;
    for (String v : new String[] {"v1", "v2", "v3"}) {
      total += count("reviews-" + v, "requests.anonymous");
    }
    return total == 0 ? 0 : 100.0 * count("reviews-" + version, "requests.anonymous") / total;
  }

  /** Ratings calls refused by the rate limit, as reviews v2 and v3 counted them. */
  public long rateLimited() {
    return count("reviews-v2", "ratings.rate-limited") + count("reviews-v3", "ratings.rate-limited");
  }

  /** The summary as printed by {@link Bookinfo#main}. */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append(String.format("%nBookinfo traffic summary (counted by the services that received the calls)%n"));
    out.append(String.format("  driver sent          %5d anonymous + %d as end-user jason in %d ms, %d failed%n",
        traffic.anonymous(), traffic.jason(), traffic.millis(), traffic.failed()));
    out.append(String.format("  productpage          %5d requests%n", count("productpage", "requests")));
    out.append(String.format("  details              %5d requests%n", count("details", "requests")));
    for (String v : new String[] {"v1", "v2", "v3"}) {
      String service = "reviews-" + v;
      out.append(String.format("  reviews %s           %5d anonymous (%5.1f%% of anonymous)  %5d as jason%n", v,
          count(service, "requests.anonymous"), anonymousShare(v), count(service, "requests.user.jason")));
    }
    out.append(String.format("  ratings              %5d requests served%n", count("ratings", "requests")));
    out.append(String.format("  ratings rate limit   %5d calls refused by the mesh in reviews before any I/O"
        + " (v2: %d, v3: %d); %d ratings calls succeeded%n", rateLimited(),
        count("reviews-v2", "ratings.rate-limited"), count("reviews-v3", "ratings.rate-limited"),
        count("reviews-v2", "ratings.ok") + count("reviews-v3", "ratings.ok")));
    out.append(String.format("  (routes in productpage's application.yml: anonymous 80/20 v1/v3, end-user jason -> v2;"
        + " reviews.yml: ratings 50/s, burst 10, per reviews instance)%n"));
    return out.toString();
  }
}
