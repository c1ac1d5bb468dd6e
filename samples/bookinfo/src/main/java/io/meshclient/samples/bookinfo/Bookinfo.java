package io.meshclient.samples.bookinfo;

import io.meshclient.core.Mesh;
import io.meshclient.samples.bookinfo.details.DetailsApp;
import io.meshclient.samples.bookinfo.productpage.ProductPageApp;
import io.meshclient.samples.bookinfo.ratings.RatingsApp;
import io.meshclient.samples.bookinfo.reviews.ReviewsApp;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Istio's Bookinfo in one JVM: ratings, details, reviews v1/v2/v3 and productpage, each a Spring Boot
 * application on its own loopback port, calling each other through their own in-process mesh.
 * {@link #main} starts them, drives traffic at productpage, prints what each service counted, and
 * stops. With {@code -Dbookinfo.istio=<dir>} it runs {@link IstioMode} instead: routes from the Istio files
 * in that directory, followed live, traffic until stopped.
 *
 * <pre>mvn -q -pl samples/bookinfo -am compile -Pbookinfo</pre>
 */
public final class Bookinfo implements AutoCloseable {
  private final Map<String, Integer> ports;
  /** The Istio mode's settings, or null for routes from application.yml. */
  private final IstioMode.Settings istio;
  private final Map<String, ConfigurableApplicationContext> contexts = new LinkedHashMap<>();

  private Bookinfo(Map<String, Integer> ports, IstioMode.Settings istio) {
    this.ports = ports;
    this.istio = istio;
  }

  /**
   * Runs Bookinfo once: {@code [anonymous requests] [requests as end-user jason]}, 4000 and 500 by
   * default.
   */
  public static void main(String[] args) throws Exception {
    String istioDir = System.getProperty("bookinfo.istio", "");
    if (!istioDir.isBlank()) {
      System.exit(IstioMode.run(istioDir, System.getProperty("bookinfo.seconds", ""), System.out));
    }
    int anonymous = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
    int jason = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    long start = System.nanoTime();
    try (Bookinfo bookinfo = start()) {
      System.out.printf("Bookinfo started in %d ms: productpage at http://127.0.0.1:%d/productpage%n",
          (System.nanoTime() - start) / 1_000_000, bookinfo.port("productpage"));
      TrafficDriver.Result traffic = new TrafficDriver(bookinfo.port("productpage"), 4).run(anonymous, jason);
      System.out.println(TrafficSummary.collect(bookinfo, traffic).render());
      System.out.println(RecentDecisions.render(bookinfo.port("productpage")));
    }
  }

  /** Starts every service on free loopback ports, backends first, with the routes in application.yml. */
  public static Bookinfo start() throws IOException {
    return start(null);
  }

  /**
   * Starts every service on free loopback ports, backends first. With {@code istio}, productpage and reviews
   * v1/v2/v3 take their subsets, routes and faults from the Istio files instead (profile {@code istio}).
   */
  static Bookinfo start(IstioMode.Settings istio) throws IOException {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (String service : List.of("ratings", "details", "reviews-v1", "reviews-v2", "reviews-v3", "productpage")) {
      ports.put(service, freePort());
    }
    Bookinfo bookinfo = new Bookinfo(Collections.unmodifiableMap(ports), istio);
    try {
      bookinfo.launch("ratings", RatingsApp.class, "ratings", null);
      bookinfo.launch("details", DetailsApp.class, "details", null);
      for (String version : List.of("v1", "v2", "v3")) {
        bookinfo.launch("reviews-" + version, ReviewsApp.class, "reviews", version);
      }
      bookinfo.launch("productpage", ProductPageApp.class, "application", null);
    } catch (RuntimeException e) {
      bookinfo.close();
      throw e;
    }
    return bookinfo;
  }

  /** The loopback port of a service: ratings, details, reviews-v1..v3 or productpage. */
  public int port(String service) {
    return ports.get(service);
  }

  /** The mesh of a service that calls others: productpage or reviews-v1..v3. */
  Mesh mesh(String service) {
    return contexts.get(service).getBean(Mesh.class);
  }

  private void launch(String service, Class<?> app, String configName, String version) {
    Map<String, Object> properties = new LinkedHashMap<>();
    ports.forEach((name, port) -> properties.put("bookinfo." + name + ".port", port));
    properties.put("spring.config.name", configName);
    properties.put("server.address", "127.0.0.1");
    properties.put("spring.main.banner-mode", "off");
    properties.put("spring.main.log-startup-info", "false");
    properties.put("logging.level.root", "WARN");
    if (version != null) {
      properties.put("bookinfo.version", version);
    }
    SpringApplicationBuilder builder = new SpringApplicationBuilder(app);
    if (istio != null && (service.equals("productpage") || service.startsWith("reviews-"))) {
      builder.profiles("istio");
      properties.put("mesh.istio.files", istio.directory().toString());
      properties.put("mesh.istio.check-every", istio.checkEvery().toMillis() + "ms");
      // The launcher prints each refused change of the files once, plainly; four meshes logging it too is noise.
      properties.put("logging.level.io.meshclient.core.internal.istio", "ERROR");
    }
    contexts.put(service, builder.properties(properties).run());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Stops every service, productpage first. */
  @Override
  public void close() {
    List<ConfigurableApplicationContext> started = new ArrayList<>(contexts.values());
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
    contexts.clear();
  }
}
