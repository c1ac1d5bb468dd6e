package io.meshclient.core;

import java.util.List;

/**
 * Why one attempt went where it went: the route that matched, the subset (and the split draw that chose
 * it), the candidates the balancer saw and the instance it picked. Built only for a call that has a
 * {@link CallListener}, so the request path allocates nothing for it otherwise.
 *
 * @param service the service called
 * @param route the matched route's name, or null when none matched (all instances)
 * @param subset the subset, or null for the whole service
 * @param draw the split draw in {@code [0, drawBound)}, or -1 when the route has a single destination
 * @param drawBound the sum of the split's weights, or 0 without a split
 * @param balancer the balancer's configured name
 * @param candidates ids of the instances the balancer chose among (ejected ones left out)
 * @param chosen id of the instance picked
 * @param attempt 1 for the first attempt, 2 for the next (a retry, or a resend that costs no retry: after a
 *     pooled connection found dead, or an HTTP/2 stream refused unprocessed), ...
 */
public record RoutingDecision(String service, String route, String subset, int draw, int drawBound,
    String balancer, List<String> candidates, String chosen, int attempt) {}
