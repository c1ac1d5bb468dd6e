package io.meshclient.samples.bookinfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.meshclient.api.ConfigurationException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bookinfo's Istio mode: the services follow the Istio files in a directory while traffic runs, and what
 * reviews v1/v2/v3 and ratings count follows each file as it is swapped in, as the README's commands do.
 */
class IstioModeTest {
  private static final Path SHIPPED = Path.of("istio");
  @TempDir
  static Path dir;
  private static Bookinfo bookinfo;
  private static IstioFiles files;

  @BeforeAll
  static void start() throws Exception {
    Files.copy(SHIPPED.resolve("destination-rule-all.yaml"), dir.resolve("destination-rule-all.yaml"));
    Files.copy(SHIPPED.resolve("virtual-service-all-v1.yaml"), dir.resolve("virtual-service.yaml"));
    files = new IstioFiles(dir);
    bookinfo = Bookinfo.start(new IstioMode.Settings(dir, Duration.ofMillis(200)));
  }

  /** Each test starts from all-v1 (the README's first scenario), whatever the test before it left. */
  @BeforeEach
  void allV1() throws Exception {
    Files.deleteIfExists(dir.resolve("virtual-service-ratings.yaml"));
    swapIn("virtual-service-all-v1.yaml", "virtual-service.yaml");
  }

  @AfterAll
  static void stop() {
    if (bookinfo != null) {
      bookinfo.close();
    }
  }

  /** Replaces {@code target} in the watched directory by a shipped file, by a rename (as a ConfigMap swap). */
  private static IstioFiles.Version swapIn(String shipped, String target) throws Exception {
    Path tmp = dir.resolve(target + ".tmp");
    Files.copy(SHIPPED.resolve(shipped), tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, dir.resolve(target), StandardCopyOption.ATOMIC_MOVE);
    IstioFiles.Version version = files.check();
    assertThat(IstioMode.awaitApplied(bookinfo, version, Duration.ofSeconds(10)))
        .as("productpage and reviews v1/v2/v3 applied %s", shipped).isTrue();
    return version;
  }

  private static TrafficWindow drive(int anonymous, int jason) throws Exception {
    TrafficSummary before = TrafficSummary.collect(bookinfo, null);
    TrafficDriver.Result sent = new TrafficDriver(bookinfo.port("productpage"), 4).run(anonymous, jason);
    assertThat(sent.failed()).isZero();
    return new TrafficWindow(before, TrafficSummary.collect(bookinfo, null));
  }

  @Test
  void countsAtTheServicesFollowEachIstioFileSwappedInWhileBookinfoRuns() throws Exception {
    TrafficWindow allV1 = drive(150, 50);
    assertThat(allV1.delta("reviews-v1", "requests.anonymous")).isEqualTo(150);
    assertThat(allV1.delta("reviews-v1", "requests.user.jason")).isEqualTo(50);

    swapIn("virtual-service-reviews-80-20.yaml", "virtual-service.yaml");
    TrafficWindow split = drive(1000, 0);
    assertThat(split.delta("reviews-v2", "requests.anonymous")).isZero();
    // 1,000 random draws: the share's standard deviation is 1.26 points; 6 points is over 4.5 of them
    assertThat(split.share("v1", "anonymous")).isCloseTo(80.0, within(6.0));
    assertThat(split.share("v3", "anonymous")).isCloseTo(20.0, within(6.0));
    assertThat(split.delta("reviews-v1", "requests.anonymous") + split.delta("reviews-v3", "requests.anonymous"))
        .isEqualTo(1000);

    swapIn("virtual-service-reviews-test-v2.yaml", "virtual-service.yaml");
    TrafficWindow jason = drive(100, 100);
    assertThat(jason.delta("reviews-v2", "requests.user.jason")).isEqualTo(100);
    assertThat(jason.delta("reviews-v1", "requests.anonymous")).isEqualTo(100);
    assertThat(jason.share("v2", "user.jason")).isEqualTo(100.0);
    assertThat(jason.ratingsErrors("user.jason")).isEmpty();
    // v2 asks ratings for jason's stars; reviews.yml's rate limit (50/s, burst 10) may refuse some before any I/O
    assertThat(jason.delta("reviews-v2", "ratings.ok.user.jason")
        + jason.delta("reviews-v2", "ratings.rate-limited.user.jason")).isEqualTo(100);
    assertThat(jason.delta("ratings", "requests.user.jason")).isEqualTo(jason.delta("reviews-v2", "ratings.ok.user.jason"))
        .isPositive();
  }

  @Test
  void ratingsAbortAnswers500ToJasonOnlyAndATypoKeepsTheFilesInForce() throws Exception {
    swapIn("virtual-service-reviews-test-v2.yaml", "virtual-service.yaml");
    IstioFiles.Version abort = swapIn("virtual-service-ratings-test-abort.yaml", "virtual-service-ratings.yaml");
    TrafficWindow jason = drive(0, 40);
    assertThat(jason.delta("reviews-v2", "requests.user.jason")).isEqualTo(40);
    assertThat(jason.ratingsErrors("user.jason")).containsExactly(java.util.Map.entry(500, 40L));
    assertThat(jason.delta("ratings", "requests.user.jason")).as("the abort is injected in reviews' mesh").isZero();

    // anonymous calls to reviews v2 (productpage sends them to v1) reach ratings
    TrafficSummary before = TrafficSummary.collect(bookinfo, null);
    HttpClient http = HttpClient.newHttpClient();
    for (int i = 0; i < 8; i++) {
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + bookinfo.port("reviews-v2") + "/reviews/0")).build(),
          HttpResponse.BodyHandlers.discarding());
      assertThat(r.statusCode()).isEqualTo(200);
    }
    TrafficWindow others = new TrafficWindow(before, TrafficSummary.collect(bookinfo, null));
    assertThat(others.ratingsErrors("anonymous")).isEmpty();
    assertThat(others.delta("ratings", "requests.anonymous")).isPositive()
        .isEqualTo(others.delta("reviews-v2", "ratings.ok.anonymous"));

    // a typo: refused with the file, resource and field named; the services keep the abort
    Files.writeString(dir.resolve("virtual-service-ratings.yaml"), Files.readString(
        SHIPPED.resolve("virtual-service-ratings-test-abort.yaml")).replace("httpStatus", "httpStatsu"));
    assertThatThrownBy(files::check).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("virtual-service-ratings.yaml").hasMessageContaining("httpStatsu");
    Thread.sleep(1_000); // five checks of the services' meshes
    assertThat(IstioFiles.appliedBy(bookinfo, abort)).isTrue();
    assertThat(drive(0, 10).ratingsErrors("user.jason")).containsExactly(java.util.Map.entry(500, 10L));
  }

  @Test
  void aDirectoryThatDoesNotExistIsReportedWithoutAStackTrace() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status = IstioMode.run("/no/such/bookinfo-istio", "", new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith(
        "bookinfo.istio: /no/such/bookinfo-istio (expected: an existing directory holding the Istio YAML files;")
        .doesNotContain("Exception").doesNotContain("\tat ");
  }
}
