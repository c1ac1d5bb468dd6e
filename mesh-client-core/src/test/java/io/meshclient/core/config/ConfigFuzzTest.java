package io.meshclient.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshclient.api.ConfigurationException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Throws tens of thousands of random and mutated configurations at validation (seeded, so a failure
 * reproduces). Every one must be accepted, or refused with problems that each name a {@code mesh} key;
 * never an exception from deep inside, and never a secret value in a message.
 */
class ConfigFuzzTest {
  private static final String SECRET = "SECRET-7f3a";
  private static final Pattern NAMES_A_KEY = Pattern.compile("^mesh([.\\[:]|$).*");
  private static final String BASE = """
      mesh:
        discovery:
          static:
            services:
              reviews: [ { url: "http://127.0.0.1:9081", metadata: { version: v1 } } ]
          consul: { url: "http://127.0.0.1:8500", acl-token: "@SECRET@" }
        defaults:
          load-balancer: least-request
          timeout: 2s
          connect-timeout: 1s
          max-concurrent-requests: 100
          allowed-addresses: [127.0.0.0/8]
          connection-pool: { max-idle-per-host: 8, max-requests-per-host: 64, keep-alive: 30s }
        services:
          reviews:
            discovery: static
            load-balancer: { name: ring-hash, hash-header: x-user }
            subsets: { v1: { version: v1 }, v2: { version: v2 }, v3: { version: v3 } }
            routes:
              - name: jason
                match: { headers: { end-user: { exact: jason }, authorization: { exact: "Bearer @SECRET@" } },
                         method: [GET], path: { prefix: /api } }
                to: v2
                rate-limit: { rate: 10/s, burst: 5, max-wait: 10ms }
                retry: { attempts: 2, non-idempotent: true }
                fault: { delay: { percent: 5, duration: 10ms }, abort: { percent: 1, status: 503 }, header: x-chaos }
              - split: { v1: 80, v3: 20 }
                timeout: 1s
            rate-limit: { rate: 200/s, burst: 50, max-wait: 0ms }
            max-concurrent-requests: 512
            circuit-breaker: { failure-rate-threshold: 50%, sliding-window: 100, open-for: 10s, half-open-probes: 3 }
            retry: { attempts: 3, per-try-timeout: 300ms, on: [connect-failure, reset, 503], budget: 20% }
            outlier-detection: { consecutive-failures: 5, base-ejection: 30s, max-ejected: 50%, panic-threshold: 50% }
            tls: { trust: "file:/etc/ca.pem", cert-chain: "file:/etc/c.pem", private-key: "file:/etc/k.pem",
                   peer-identity: "spiffe://prod/ns/default/sa/reviews" }
            allowed-addresses: [10.0.0.0/8]
      """.replace("@SECRET@", SECRET);

  private static final Object[] ODD_VALUES = {null, "", " ", "0", "-1", "-5s", "2 seconds", "99999999999999999999",
      "1e9", "NaN", "true", "x/y", "/", "%", "150%", "-20%", "0/s", "5/fortnight", "\r\nInjected: 1", "((", "[",
      "spiffe://", "spiffe://prod", "https://x", "999.1.1.1/99", -3, 0, 1, 7, Integer.MAX_VALUE, Long.MIN_VALUE, 2.5,
      true, List.of(), List.of("a", 1), Map.of(), Map.of("x", "y"), Map.of("0", "a"), "${UNSET}"};

  /** Invalid values planted where secrets live: they must be refused without being shown. */
  private static final Object[] BAD_SECRETS = {Map.of("regex", "((" + SECRET), Map.of("exact", SECRET + "\r\nX: 1"),
      Map.of("bogus", SECRET), Map.of("exact", List.of(SECRET)), Map.of("regex", SECRET + "[", "exact", SECRET)};

  @SuppressWarnings("unchecked")
  private static Map<String, Object> base() throws Exception {
    return MeshConfigLoader.parseYaml(new StringReader(BASE),
        name -> null, "fuzz.yaml");
  }

  @Test
  void tenThousandRandomAndMutatedConfigsAreAcceptedOrRefusedNamingAKey() throws Exception {
    SplittableRandom random = new SplittableRandom(20261127);
    int accepted = 0;
    int refused = 0;
    MeshConfig.fromMap(base());
    for (int i = 0; i < 12_000; i++) {
      Map<String, Object> tree = i % 10 == 9 ? randomTree(random, 0) : base();
      int mutations = 1 + random.nextInt(4);
      for (int m = 0; m < mutations; m++) {
        mutate(tree, random);
      }
      if (i % 3 == 0) {
        plantSecret(tree, random);
      }
      try {
        MeshConfig.fromMap(tree);
        accepted++;
      } catch (ConfigurationException e) {
        refused++;
        assertThat(e.problems()).as("case %d: %s", i, e.getMessage()).allMatch(p -> NAMES_A_KEY.matcher(p).matches());
        assertThat(e.getMessage()).as("case %d", i).doesNotContain(SECRET);
      } catch (RuntimeException e) {
        throw new AssertionError("case " + i + " threw " + e + " for " + tree, e);
      }
    }
    System.out.printf("config fuzz: %d accepted, %d refused with key-naming messages%n", accepted, refused);
    assertThat(accepted + refused).isEqualTo(12_000);
    assertThat(refused).isGreaterThan(1000);
    assertThat(accepted).isGreaterThan(100);
  }

  /** Puts an invalid value under the authorization header match of the first route, if it is still there. */
  @SuppressWarnings("unchecked")
  private static void plantSecret(Map<String, Object> tree, SplittableRandom random) {
    try {
      Map<String, Object> mesh = (Map<String, Object>) tree.get("mesh");
      Map<String, Object> reviews = (Map<String, Object>) ((Map<String, Object>) mesh.get("services")).get("reviews");
      Map<String, Object> route = (Map<String, Object>) ((List<Object>) reviews.get("routes")).get(0);
      Map<String, Object> headers = (Map<String, Object>) ((Map<String, Object>) route.get("match")).get("headers");
      headers.put("authorization", mutableCopy(BAD_SECRETS[random.nextInt(BAD_SECRETS.length)]));
    } catch (RuntimeException mutatedAway) {
      // an earlier mutation removed or replaced part of the path; nothing to plant
    }
  }

  /** Replaces, removes, renames or adds one entry somewhere in the tree. */
  @SuppressWarnings("unchecked")
  private static void mutate(Object node, SplittableRandom random) {
    List<Object> path = new ArrayList<>();
    Object current = node;
    while (true) {
      List<Object> keys = current instanceof Map<?, ?> m ? new ArrayList<>(m.keySet())
          : current instanceof List<?> l ? indexes(l.size()) : List.of();
      if (keys.isEmpty()) {
        return;
      }
      Object key = keys.get(random.nextInt(keys.size()));
      Object child = current instanceof Map<?, ?> m ? m.get(key) : ((List<?>) current).get((Integer) key);
      boolean descend = (child instanceof Map || child instanceof List) && random.nextInt(4) != 0;
      if (descend) {
        path.add(key);
        current = child;
        continue;
      }
      Object odd = mutableCopy(ODD_VALUES[random.nextInt(ODD_VALUES.length)]);
      if (current instanceof Map<?, ?> m) {
        Map<Object, Object> map = (Map<Object, Object>) m;
        switch (random.nextInt(4)) {
          case 0 -> map.remove(key);
          case 1 -> {
            Object value = map.remove(key);
            map.put(key + (random.nextBoolean() ? "x" : "-"), value);
          }
          case 2 -> map.put("k" + random.nextInt(5), odd);
          default -> map.put(key, odd);
        }
      } else {
        List<Object> list = (List<Object>) current;
        if (random.nextBoolean()) {
          list.set((Integer) key, odd);
        } else {
          list.remove((int) (Integer) key);
        }
      }
      return;
    }
  }

  private static Object mutableCopy(Object value) {
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(item -> copy.add(mutableCopy(item)));
      return copy;
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(k, mutableCopy(v)));
      return copy;
    }
    return value;
  }

  private static List<Object> indexes(int n) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  private static final String[] KEYS = {"mesh", "services", "defaults", "discovery", "routes", "subsets", "timeout",
      "rate-limit", "rate", "burst", "retry", "attempts", "match", "headers", "to", "split", "tls", "trust",
      "load-balancer", "name", "circuit-breaker", "outlier-detection", "fault", "abort", "delay", "percent", "a"};

  private static Map<String, Object> randomTree(SplittableRandom random, int depth) {
    Map<String, Object> map = new LinkedHashMap<>();
    int n = random.nextInt(depth == 0 ? 3 : 4);
    if (depth == 0) {
      map.put("mesh", randomTree(random, 1));
    }
    for (int i = 0; i < n; i++) {
      String key = KEYS[random.nextInt(KEYS.length)];
      Object value = depth < 5 && random.nextInt(3) == 0 ? randomTree(random, depth + 1)
          : depth < 5 && random.nextInt(6) == 0 ? new ArrayList<>(List.of(randomTree(random, depth + 1)))
          : mutableCopy(ODD_VALUES[random.nextInt(ODD_VALUES.length)]);
      map.put(key, value);
    }
    return map;
  }
}
