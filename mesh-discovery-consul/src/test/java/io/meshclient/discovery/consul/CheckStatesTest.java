package io.meshclient.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The health feed's list of checks is read whole or refused: reading used to stop, in silence, at an element that
 * was no object, so a critical check after it went unseen, its service was never fetched again and its failing
 * instance kept getting calls.
 */
class CheckStatesTest {
  private static final String CRITICAL =
      "{\"Node\": \"n1\", \"CheckID\": \"service:r1\", \"ServiceName\": \"reviews\", \"Status\": \"critical\"}";

  @Test
  void aCheckThatTurnedCriticalNamesItsService() throws IOException {
    assertThat(CheckStates.parse("[" + CRITICAL + "]").changedServices(CheckStates.parse("[]"), CheckStates.NONE))
        .isEqualTo(Set.of("reviews"));
  }

  @Test
  void anElementThatIsNoObjectIsRefusedRatherThanEndingTheList() {
    assertThatThrownBy(() -> CheckStates.parse("[1, " + CRITICAL + "]"))
        .isInstanceOf(IOException.class)
        .hasMessage("element 0 is '1' (expected: a health check object, or the end of the array)");
    assertThatThrownBy(() -> CheckStates.parse("[" + CRITICAL + ", null]"))
        .hasMessage("element 1 is 'null' (expected: a health check object, or the end of the array)");
  }

  @Test
  void anythingAfterTheArrayIsRefused() {
    assertThatThrownBy(() -> CheckStates.parse("[] [" + CRITICAL + "]"))
        .isInstanceOf(IOException.class)
        .hasMessage("expected one JSON array of health checks, found more after it");
    assertThatThrownBy(() -> new HealthResponseParser().parse("reviews", "[] [{}]"))
        .isInstanceOf(IOException.class);
  }
}
