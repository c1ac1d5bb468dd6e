package io.meshclient.spring.boot;

import io.meshclient.spring.boot.testapp.TestApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The test application on a random port, pointed at the shared WireMock {@link Backends}. Subclasses
 * share one cached application context.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class TestApplicationTest {

  @DynamicPropertySource
  static void backends(DynamicPropertyRegistry registry) {
    Backends.register(registry);
  }
}
