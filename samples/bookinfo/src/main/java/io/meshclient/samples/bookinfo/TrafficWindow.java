package io.meshclient.samples.bookinfo;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * What the services counted between two moments: the difference of two {@link TrafficSummary} snapshots.
 * The Istio mode prints one every few seconds, so a change of the Istio files shows in the next one.
 *
 * @param before the counts at the start of the window
 * @param after the counts at its end
 */
record TrafficWindow(TrafficSummary before, TrafficSummary after) {
  private static final String[] VERSIONS = {"v1", "v2", "v3"};
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  /** How much {@code name} grew at {@code service} in the window. */
  long delta(String service, String name) {
    return after.count(service, name) - before.count(service, name);
  }

  /** Of the reviews calls by {@code who} ({@code anonymous} or {@code user.jason}), the share of a version, in %. */
  double share(String version, String who) {
    long total = 0;
    for (String v : VERSIONS) {
      total += delta("reviews-" + v, "requests." + who);
    }
    return total == 0 ? 0 : 100.0 * delta("reviews-" + version, "requests." + who) / total;
  }

  /** The error answers reviews v2 and v3 got from their ratings calls by {@code who}, by status. */
  Map<Integer, Long> ratingsErrors(String who) {
    Map<Integer, Long> out = new java.util.TreeMap<>();
    for (String service : new String[] {"reviews-v2", "reviews-v3"}) {
      after.counts().getOrDefault(service, Map.of()).keySet().stream()
          .filter(k -> k.matches("ratings\\.status\\.[0-9]{3}\\." + java.util.regex.Pattern.quote(who)))
          .forEach(k -> out.merge(Integer.parseInt(k.substring(15, 18)), delta(service, k), Long::sum));
    }
    out.values().removeIf(n -> n == 0);
    return out;
  }

  /** Several lines: reviews calls per version and user, ratings calls, pages without reviews. */
  String render(long seconds, String routes) {
    StringBuilder out = new StringBuilder(String.format("%s  last %d s, counted at the services   [%s]%n",
        LocalTime.now().format(CLOCK), seconds, routes));
    for (String v : VERSIONS) {
      String s = "reviews-" + v;
      out.append(String.format("  reviews %s    %5d anonymous (%5.1f%%)   %4d as jason (%5.1f%%)%n", v,
          delta(s, "requests.anonymous"), share(v, "anonymous"), delta(s, "requests.user.jason"),
          share(v, "user.jason")));
    }
    out.append(String.format("  ratings       %5d served (%d as jason); reviews got error answers from ratings: "
        + "jason %s, others %s; %d ratings calls failed without answer%n", delta("ratings", "requests"),
        delta("ratings", "requests.user.jason"), text(ratingsErrors("user.jason")), text(ratingsErrors("anonymous")),
        delta("reviews-v2", "ratings.failed") + delta("reviews-v3", "ratings.failed")));
    out.append(String.format("  productpage   %5d pages, %d without reviews (reviews too slow or failed; %d of them jason's)%n",
        delta("productpage", "requests"), delta("productpage", "reviews.failed"),
        delta("productpage", "reviews.failed.user.jason")));
    return out.toString();
  }

  private static String text(Map<Integer, Long> errors) {
    if (errors.isEmpty()) {
      return "none";
    }
    StringBuilder out = new StringBuilder();
    errors.forEach((status, n) -> out.append(out.isEmpty() ? "" : ", ").append(n).append(" x ").append(status));
    return out.toString();
  }
}
