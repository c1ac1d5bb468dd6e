package io.meshclient.samples.bookinfo;

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
 * stops.
 *
 * <pre>mvn -q -pl samples/bookinfo -am compile -Pbookinfo</pre>
 */
public final class Bookinfo implements AutoCloseable {
  private final Map<String, Integer> ports;
  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

  private Bookinfo(Map<String, Integer> ports) {
    this.ports = ports;
  }

  /**
   * Runs Bookinfo once: {@code [anonymous requests] [requests as end-user jason]}, 4000 and 500 by
   * default.
   */
  public static void main(String[] args) throws Exception {
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

  /** Starts every service on free loopback ports, backends first. */
  public static Bookinfo start() throws IOException {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (String service : List.of("ratings", "details", "reviews-v1", "reviews-v2", "reviews-v3", "productpage")) {
      ports.put(service, freePort());
    }
    Bookinfo bookinfo = new Bookinfo(Collections.unmodifiableMap(ports));
    try {
      bookinfo.launch(RatingsApp.class, "ratings", null);
      bookinfo.launch(DetailsApp.class, "details", null);
      for (String version : List.of("v1", "v2", "v3")) {
        bookinfo.launch(ReviewsApp.class, "reviews", version);
      }
      bookinfo.launch(ProductPageApp.class, "application", null);
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

  private void launch(Class<?> app, String configName, String version) {
    Map<String, Object> properties = new LinkedHashMap<>();
    ports.forEach((service, port) -> properties.put("bookinfo." + service + ".port", port));
    properties.put("spring.config.name", configName);
    properties.put("server.address", "127.0.0.1");
    properties.put("spring.main.banner-mode", "off");
    properties.put("spring.main.log-startup-info", "false");
    properties.put("logging.level.root", "WARN");
    if (version != null) {
      properties.put("bookinfo.version", version);
    }
    contexts.add(new SpringApplicationBuilder(app).properties(properties).run());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Stops every service, productpage first. */
  @Override
  public void close() {
    for (int i = contexts.size() - 1; i >= 0; i--) {
      contexts.get(i).close();
    }
    contexts.clear();
  }
}
