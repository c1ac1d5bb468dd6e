package io.meshclient.spring.boot.client;

import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.discovery.staticlist.StaticServiceDiscovery;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

/**
 * Run by {@link LargeBodiesTest} in a JVM of its own with a small heap: uploads and downloads {@code
 * args[1]} bytes through WebClient on the mesh's connector to the server at port {@code args[0]}, and
 * prints what the server counted and what arrived.
 */
public final class LargeBodies {
  private static final int CHUNK = 64 * 1024;

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    long size = Long.parseLong(args[1]);
    try (Mesh mesh = Mesh.builder().config(MeshConfig.fromMap(Map.of("services", Map.of("bulk", Map.of()))))
        .discovery("static", StaticServiceDiscovery.builder().instance("bulk", "http://127.0.0.1:" + port).build())
        .build()) {
      WebClient client = WebClient.builder().baseUrl("http://bulk")
          .clientConnector(new MeshClientHttpConnector(mesh)).build();
      Flux<DataBuffer> upload = Flux.range(0, (int) (size / CHUNK))
          .map(i -> DefaultDataBufferFactory.sharedInstance.wrap(new byte[CHUNK]));
      String counted = client.post().uri("/upload").body(upload, DataBuffer.class).retrieve()
          .bodyToMono(String.class).block(Duration.ofMinutes(2));
      AtomicLong downloaded = new AtomicLong();
      client.get().uri("/download").retrieve().bodyToFlux(DataBuffer.class)
          .doOnNext(buffer -> {
            downloaded.addAndGet(buffer.readableByteCount());
            DataBufferUtils.release(buffer);
          })
          .blockLast(Duration.ofMinutes(2));
      System.out.println("max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB; uploaded "
          + counted + " bytes; downloaded " + downloaded.get() + " bytes");
    }
  }
}
