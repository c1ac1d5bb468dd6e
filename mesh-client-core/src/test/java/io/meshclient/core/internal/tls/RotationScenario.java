package io.meshclient.core.internal.tls;

import io.meshclient.api.ServiceInstance;
import io.meshclient.core.InMemoryDiscovery;
import io.meshclient.core.Mesh;
import io.meshclient.core.config.MeshConfig;
import io.meshclient.core.config.ServiceConfig;
import io.meshclient.core.config.TlsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Certificate rotation under load: {@code rate} requests per second for {@code duration} to an mTLS
 * server that closes every 20th connection (so new handshakes keep happening). A quarter of the way in,
 * a corrupt key file is written (the old identity must stay); at half way, a new certificate and key
 * (the new identity must be presented from then on). Counts failed requests.
 *
 * <p>Run briefly by {@code CertificateRotationTest} and for 30 s by {@code benchmarks/run.sh rotation}.
 */
public final class RotationScenario {
  /** What a run observed. */
  public record Result(int sent, int failed, int handshakesBefore, int handshakesAfter, boolean rotated) {
    public String line() {
      return "rotation sent=" + sent + " failed=" + failed + " handshakes_old_identity=" + handshakesBefore
          + " handshakes_new_identity=" + handshakesAfter + " rotated=" + rotated;
    }
  }

  private RotationScenario() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("mesh-rotation");
    Result result = run(dir, Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 30),
        args.length > 1 ? Integer.parseInt(args[1]) : 200);
    System.out.println(result.line());
  }

  public static Result run(Path dir, Duration duration, int rate) throws Exception {
    TestPki.Held ca = TestPki.ca("prod");
    TestPki.Held first = TestPki.leaf(ca, "client-v1", new TestPki.Leaf().uri("spiffe://prod/ns/default/sa/web"));
    TestPki.Held second = TestPki.leaf(ca, "client-v2", new TestPki.Leaf().uri("spiffe://prod/ns/default/sa/web"));
    TestPki.Held server = TestPki.leaf(ca, "api", new TestPki.Leaf().uri("spiffe://prod/ns/default/sa/api"));
    Path caPem = ca.writeCertificate(dir, "ca.pem");
    Path chain = first.writeCertificate(dir, "client.pem");
    Path key = first.writeKey(dir, "client-key.pem");
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    ScheduledExecutorService load = Executors.newScheduledThreadPool(8);
    try (CountingTlsServer tls = new CountingTlsServer(server, ca, ca).closeEvery(20)) {
      InMemoryDiscovery discovery = new InMemoryDiscovery()
          .set("api", List.of(ServiceInstance.of("api", "127.0.0.1", tls.port())));
      ServiceConfig api = ServiceConfig.builder("api")
          .tls(new TlsConfig("file:" + caPem, "file:" + chain, "file:" + key, "spiffe://prod/ns/default/sa/api"))
          .build();
      try (Mesh mesh = Mesh.builder().discovery("memory", discovery)
          .config(MeshConfig.builder().service(api).build()).build()) {
        Request request = new Request.Builder().url("http://api/ping").build();
        long periodMicros = 1_000_000L / rate;
        load.scheduleAtFixedRate(() -> {
          sent.incrementAndGet();
          try (Response r = mesh.httpClient().newCall(request).execute()) {
            if (!r.body().string().equals("ok")) {
              failed.incrementAndGet();
            }
          } catch (IOException | RuntimeException e) {
            failed.incrementAndGet();
          }
        }, 0, periodMicros, TimeUnit.MICROSECONDS);
        Thread.sleep(duration.toMillis() / 4);
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nnot a key\n", StandardCharsets.US_ASCII);
        Files.writeString(chain, second.certificatePem().substring(0, 100), StandardCharsets.US_ASCII);
        Thread.sleep(duration.toMillis() / 4);
        int handshakesBefore = tls.clientSubjects().size();
        Files.writeString(chain, second.certificatePem(), StandardCharsets.US_ASCII);
        Files.writeString(key, second.privateKeyPem(), StandardCharsets.US_ASCII);
        Thread.sleep(duration.toMillis() / 2);
        load.shutdown();
        load.awaitTermination(10, TimeUnit.SECONDS);
        List<String> subjects = tls.clientSubjects();
        boolean oldKeptThroughCorruption = subjects.subList(0, handshakesBefore).stream()
            .allMatch(s -> s.equals("CN=client-v1"));
        int after = (int) subjects.stream().filter(s -> s.equals("CN=client-v2")).count();
        boolean rotated = oldKeptThroughCorruption && after > 0
            && subjects.get(subjects.size() - 1).equals("CN=client-v2");
        return new Result(sent.get(), failed.get(), handshakesBefore, after, rotated);
      }
    } finally {
      load.shutdownNow();
    }
  }
}
