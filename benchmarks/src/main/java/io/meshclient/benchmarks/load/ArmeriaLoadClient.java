package io.meshclient.benchmarks.load;

import com.linecorp.armeria.client.BlockingWebClient;
import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.endpoint.EndpointGroup;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.SessionProtocol;
import java.util.List;

/**
 * Armeria's blocking {@link WebClient} over HTTP/1.1 cleartext, on its own Netty transport, in one of
 * two shapes: {@code armeria} balances with a static {@link EndpointGroup} of the three backends (its
 * default selection, weighted round-robin); {@code armeria-raw} keeps one client per backend and
 * round-robins on the client side, as {@code okhttp} does. Their ratio is Armeria's own balancing
 * overhead, to set against mesh over okhttp.
 */
final class ArmeriaLoadClient implements LoadClient {
  private final BlockingWebClient[] clients;
  private final String path;

  ArmeriaLoadClient(List<Integer> ports, boolean endpointGroup, String path) {
    this.path = path;
    if (endpointGroup) {
      EndpointGroup group = EndpointGroup.of(ports.stream().map(p -> Endpoint.of("127.0.0.1", p)).toList());
      clients = new BlockingWebClient[] {WebClient.of(SessionProtocol.H1C, group).blocking()};
    } else {
      clients = ports.stream()
          .map(p -> WebClient.of(SessionProtocol.H1C, Endpoint.of("127.0.0.1", p)).blocking())
          .toArray(BlockingWebClient[]::new);
    }
  }

  @Override
  public boolean call(int thread, long seq) {
    AggregatedHttpResponse response = clients[(int) ((thread + seq) % clients.length)].get(path);
    return response.status().code() == 200;
  }
}
