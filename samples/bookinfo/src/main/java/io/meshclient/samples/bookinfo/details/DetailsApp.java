package io.meshclient.samples.bookinfo.details;

import io.meshclient.samples.bookinfo.ServiceCounters;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Bookinfo's details service: the book's bibliographic details. */
@SpringBootApplication
@RestController
public class DetailsApp {
  private final ServiceCounters counters = new ServiceCounters();

  @GetMapping("/details/{id}")
  public Map<String, Object> details(@PathVariable int id) {
    counters.increment("requests");
    return Map.of("id", id, "author", "William Shakespeare", "year", 1595, "type", "paperback",
        "pages", 200, "publisher", "PublisherA", "language", "English");
  }

  @GetMapping("/stats")
  public Map<String, Long> stats() {
    return counters.snapshot();
  }
}
