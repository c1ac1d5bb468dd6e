package io.meshclient.samples.quickstart;

import io.meshclient.api.ConfigurationException;
import io.meshclient.api.RateLimitExceededException;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The quickstart: starts three versions of a "reviews" service on loopback, builds a {@link Mesh} from
 * {@code mesh.yaml} (80/20 split v1/v3, {@code end-user: jason} to v2 with a rate limit), sends traffic
 * from 8 threads, and prints what each version received, counted by the versions themselves.
 */
public final class QuickstartApp {
  static final int THREADS = 8;

  private QuickstartApp() {}

  /**
   * Arguments: {@code [requests] [--config mesh.yaml] [--ports 9081,9082,9083]}. With {@code --config}
   * the mesh is built from that file instead of the embedded one (for example with {@code discovery:
   * consul}, after registering the three versions in Consul at the ports given with {@code --ports}).
   * {@code ${V1_PORT}}, {@code ${V2_PORT}} and {@code ${V3_PORT}} in the file are the versions' ports;
   * other placeholders come from the environment.
   */
  public static void main(String[] args) throws Exception {
    int requests = 10_000;
    String configFile = null;
    int[] ports = {0, 0, 0};
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> configFile = args[++i];
        case "--ports" -> {
          String[] parts = args[++i].split(",");
          for (int p = 0; p < 3; p++) {
            ports[p] = Integer.parseInt(parts[p].trim());
          }
        }
        default -> requests = Integer.parseInt(args[i]);
      }
    }
    Summary summary;
    if (configFile == null) {
      summary = run(requests, resource("mesh.yaml"), ports);
    } else { // errors name the file as given, not mesh.yaml
      java.nio.file.Path file = java.nio.file.Path.of(configFile);
      byte[] content = readConfig(file);
      summary = run(requests, variables -> MeshConfig.fromFileContent(file, content, variables), ports);
    }
    System.out.print(summary.render());
  }

  /**
   * The bytes of the {@code --config} file. One that cannot be read is refused naming the option and the file:
   * Maven's exec plugin shows only the message, and a bare {@code NoSuchFileException}'s is the path alone.
   */
  static byte[] readConfig(java.nio.file.Path file) {
    try {
      return java.nio.file.Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ConfigurationException("--config " + file + ": cannot be read (no such file: "
          + file.toAbsolutePath() + ")", e);
    } catch (IOException e) {
      throw new ConfigurationException("--config " + file + ": cannot be read (" + e + ")", e);
    }
  }

  /** Runs the whole quickstart with {@code requests} calls and returns what was observed. */
  public static Summary run(int requests) throws Exception {
    return run(requests, resource("mesh.yaml"), new int[] {0, 0, 0});
  }

  /** Runs the quickstart with a given mesh.yaml and version ports (0: any free port). */
  public static Summary run(int requests, String yaml, int[] versionPorts) throws Exception {
    return run(requests, variables -> MeshConfig.fromYaml(yaml, variables), versionPorts);
  }

  /**
   * Runs the quickstart with the configuration {@code config} reads, given the placeholders' values (the
   * versions' ports, then the environment), and version ports (0: any free port).
   */
  static Summary run(int requests, Function<UnaryOperator<String>, MeshConfig> config, int[] versionPorts)
      throws Exception {
    List<VersionBackend> backends = new ArrayList<>();
    try {
      for (int v = 0; v < 3; v++) { // each started one is closed below, even when a later one cannot start
        backends.add(new VersionBackend("v" + (v + 1), versionPorts[v]));
      }
      Map<String, String> ports = Map.of("V1_PORT", String.valueOf(backends.get(0).port()),
          "V2_PORT", String.valueOf(backends.get(1).port()), "V3_PORT", String.valueOf(backends.get(2).port()));
      MeshConfig meshConfig = config.apply(name -> ports.containsKey(name) ? ports.get(name) : System.getenv(name));
      try (Mesh mesh = Mesh.builder().config(meshConfig).build()) {
        Summary summary = new Summary(backends);
        drive(mesh.httpClient(), requests, summary);
        return summary;
      }
    } finally {
      backends.forEach(VersionBackend::close);
    }
  }

  /** Every fifth call is jason's; the rest take the split. */
  private static void drive(OkHttpClient client, int requests, Summary summary) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      futures.add(pool.submit(() -> {
        for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
          boolean jason = i % 5 == 0;
          Request.Builder request = new Request.Builder().url("http://reviews/api/reviews/" + i);
          if (jason) {
            request.header("end-user", "jason");
          }
          long start = System.nanoTime();
          try (Response response = client.newCall(request.build()).execute()) {
            response.body().string();
            summary.latency(jason ? Summary.JASON : Summary.SPLIT).record(System.nanoTime() - start);
          } catch (RateLimitExceededException e) {
            summary.rateLimited.incrementAndGet();
          } catch (IOException e) {
            summary.failed(e);
          }
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get(5, TimeUnit.MINUTES);
    }
    pool.shutdown();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = QuickstartApp.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException(name + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
