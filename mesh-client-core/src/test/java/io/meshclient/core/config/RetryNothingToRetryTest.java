package io.meshclient.core.config;

import static io.meshclient.core.config.ConfigValidationTest.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshclient.api.ConfigurationException;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code retry: { attempts: 3, on: [] }} was accepted and never retried anything, and {@code on: [200]} retried
 * successes: a policy that asks for more attempts must name a failure to retry on, and a status retried must be one
 * that can end an attempt as a failure.
 */
class RetryNothingToRetryTest {

  @Test
  void moreThanOneAttemptWithNothingToRetryOnIsRefused() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              retry: { attempts: 3, on: [] }
              subsets: { v1: { version: v1 } }
              routes:
                - to: v1
                  retry: { on: [] }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.retry.on: [] (expected: at least one of connect-failure, reset, timeout or a "
                + "status such as 503 when attempts is 3; attempts: 1 turns retries off)",
            "mesh.services.reviews.routes[0].retry.on: [] (expected: at least one of connect-failure, reset, timeout "
                + "or a status such as 503 when attempts is 3; attempts: 1 turns retries off)"));
  }

  @Test
  void aPolicyBuiltInJavaWithNothingToRetryOnIsRefusedToo() {
    assertThatThrownBy(() -> MeshConfig.builder().service(ServiceConfig.builder("reviews")
            .retry(RetryConfig.DEFAULT.withOn(Set.of(), Set.of())).build()).build())
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.retry.on: [] (expected: at least one of connect-failure, reset, timeout or a "
                + "status such as 503 when attempts is 2; attempts: 1 turns retries off)"));
  }

  @Test
  void retryingAnInformationalOrSuccessfulStatusIsRefused() {
    assertThatThrownBy(() -> yaml("""
        mesh:
          services:
            reviews:
              retry: { attempts: 3, on: [reset, 200, 101, 503] }
        """)).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
            "mesh.services.reviews.retry.on: 101 (expected: a failure status from 300 to 599: a 1xx response is "
                + "never final and a 2xx is a success, which a retry would send again and throw away)",
            "mesh.services.reviews.retry.on: 200 (expected: a failure status from 300 to 599: a 1xx response is "
                + "never final and a 2xx is a success, which a retry would send again and throw away)"));
  }

  @Test
  void oneAttemptWithNothingToRetryOnAndFailureStatusesStayAccepted() throws Exception {
    assertThat(yaml("""
        mesh:
          services:
            reviews: { retry: { attempts: 1, on: [] } }
            ratings: { retry: { attempts: 3, on: [429, 503] } }
        """).service("ratings").retry().statuses()).containsExactlyInAnyOrder(429, 503);
  }
}
