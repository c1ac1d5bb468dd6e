package io.meshclient.samples.bookinfo.productpage;

import io.meshclient.spring.boot.MeshClient;
import java.util.Map;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.service.annotation.GetExchange;

/** productpage's client of the details service. */
@MeshClient("details")
public interface DetailsClient {

  @GetExchange("/details/{id}")
  Map<String, Object> details(@PathVariable int id);
}
