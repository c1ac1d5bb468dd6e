package io.meshclient.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.CallOutcome;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompositeListenerTest {

  /** Records every event it receives, by name. */
  static final class Recorder implements MeshListener {
    final List<String> events = new ArrayList<>();

    @Override public void onCallComplete(String s, String sub, String m, int st, CallOutcome o, long d) { events.add("call"); }
    @Override public void onRateLimited(String s, String l) { events.add("rateLimited"); }
    @Override public void onConcurrencyLimited(String s) { events.add("concurrencyLimited"); }
    @Override public void onRetry(String s, String r) { events.add("retry"); }
    @Override public void onRetryBudgetExhausted(String s) { events.add("budget"); }
    @Override public void onBreakerRejected(String s) { events.add("breaker"); }
    @Override public void onEjected(String s, String i, long n) { events.add("ejected"); }
    @Override public void onReturned(String s, String i) { events.add("returned"); }
    @Override public void onInstanceRejected(String s, String i, String r) { events.add("rejected"); }
    @Override public void onMirror(String s, String r, String res) { events.add("mirror"); }
    @Override public void onFaultInjected(String s, String r, String k) { events.add("fault"); }
    @Override public void onReconfigure(boolean applied) { events.add("reconfigure"); }
    @Override public void onServiceRemoved(String s) { events.add("removed"); }
  }

  @Test
  void everyEventReachesEveryListener() {
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    MeshListener both = MeshListener.of(List.of(a, b));
    both.onCallComplete("s", null, "GET", 200, CallOutcome.SUCCESS, 1);
    both.onRateLimited("s", "l");
    both.onConcurrencyLimited("s");
    both.onRetry("s", "reset");
    both.onRetryBudgetExhausted("s");
    both.onBreakerRejected("s");
    both.onEjected("s", "i", 1);
    both.onReturned("s", "i");
    both.onInstanceRejected("s", "i", "r");
    both.onMirror("s", "r", "sent");
    both.onFaultInjected("s", "r", "abort");
    both.onReconfigure(true);
    both.onServiceRemoved("s");
    List<String> all = List.of("call", "rateLimited", "concurrencyLimited", "retry", "budget", "breaker", "ejected",
        "returned", "rejected", "mirror", "fault", "reconfigure", "removed");
    assertThat(a.events).containsExactlyElementsOf(all);
    assertThat(b.events).containsExactlyElementsOf(all);
    assertThat(MeshListener.of(List.of())).isSameAs(MeshListener.NONE);
  }
}
