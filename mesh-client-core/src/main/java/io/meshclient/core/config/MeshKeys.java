package io.meshclient.core.config;

import static io.meshclient.api.spi.Setting.MAX_DURATION;
import static io.meshclient.api.spi.Setting.block;
import static io.meshclient.api.spi.Setting.bool;
import static io.meshclient.api.spi.Setting.decimal;
import static io.meshclient.api.spi.Setting.duration;
import static io.meshclient.api.spi.Setting.integer;
import static io.meshclient.api.spi.Setting.labels;
import static io.meshclient.api.spi.Setting.list;
import static io.meshclient.api.spi.Setting.map;
import static io.meshclient.api.spi.Setting.percent;
import static io.meshclient.api.spi.Setting.text;
import static io.meshclient.api.spi.Setting.textList;

import io.meshclient.api.spi.Setting;
import java.time.Duration;

/**
 * Every {@code mesh.*} key, declared once: name, type, default, range, secret flag and doc. The reader
 * ({@link MeshConfigReader}), the validator ({@link ConfigValidator}), the records' defaults, the IDE
 * metadata and the README reference all come from here. Discovery providers declare their own keys
 * ({@link io.meshclient.api.spi.ServiceDiscoveryProvider#settings()}).
 */
public final class MeshKeys {
  private static final Duration MS = Duration.ofMillis(1);
  private static final String TIMEOUT_RANGE = "between 1ms and 596h, OkHttp's limit";

  private MeshKeys() {}

  static Setting timeout(String name, String def, String doc) {
    return duration(name, def, MS, MAX_DURATION, doc).expecting(TIMEOUT_RANGE);
  }

  static final Setting LOAD_BALANCER = text("load-balancer", "least-request", "`round-robin`, `random`, "
      + "`weighted-round-robin` (by instance weight), `least-request` (power of two choices on in-flight), "
      + "`peak-ewma` (of two random instances, the lower latency × (in-flight + 1); one slow answer counts at once, "
      + "and the latency decays with the time t since the instance last answered, × exp(-t / decay), option `decay`, "
      + "default `10s`: an instance once 20× slower than the rest is tried again about 30s later), "
      + "`ring-hash` (options `hash-header` or `hash-cookie`, "
      + "`points-per-instance`), or any `LoadBalancerProvider`; with options: `{ name: ring-hash, hash-header: x-user-id }`");
  static final Setting TIMEOUT = timeout("timeout", "10s", "read and write timeout of each attempt");
  static final Setting CONNECT_TIMEOUT = timeout("connect-timeout", "1s", "TCP (and TLS) connect timeout");
  static final Setting MAX_CONCURRENT = integer("max-concurrent-requests", "1024", 1, 1_000_000,
      "requests in flight per service (Envoy's default)").expecting("> 0");
  static final Setting ALLOWED_ADDRESSES = textList("allowed-addresses", null,
      "CIDR blocks (`10.0.0.0/8`, `fd00::/8`) the instances must resolve into; none: no limit");

  static final Setting MAX_IDLE = integer("max-idle-per-host", "32", 0, 100_000,
      "idle keep-alive connections per instance").expecting(">= 0");
  static final Setting MAX_REQUESTS = integer("max-requests-per-host", "256", 1, 1_000_000,
      "concurrent asynchronous (`enqueue`) calls per service").expecting("> 0");
  static final Setting KEEP_ALIVE = timeout("keep-alive", "30s", "how long an idle connection is kept");
  static final Setting POOL = block("connection-pool", "keep-alive connection reuse", MAX_IDLE, MAX_REQUESTS,
      KEEP_ALIVE);

  static final Setting DEFAULTS = block("defaults", "what services take unless they say otherwise",
      LOAD_BALANCER, TIMEOUT, CONNECT_TIMEOUT, MAX_CONCURRENT, POOL, ALLOWED_ADDRESSES);

  /** The token bucket: permits per period, the period at most an hour so that no arithmetic overflows. */
  static final Setting RATE = text("rate", null, "tokens per period, such as `200/s`, `10/ms`, `1000/m`; a bare "
      + "number is per second (`200` is `200/s`); 1 to 10^9 per 1ns..1h, at most one per ns; required");
  static final Duration MAX_RATE_PERIOD = Duration.ofHours(1);
  static final long MAX_PERMITS = 1_000_000_000L;
  /** The longest a full bucket may take to refill, so the limiter's arithmetic never overflows. */
  static final long MAX_TOLERANCE_NANOS = 4_000_000_000_000_000_000L;
  static final Setting BURST = integer("burst", null, 1, 1_000_000_000, "bucket capacity (default: the rate's count); "
      + "burst x the time between two tokens at most about 126 years")
      .expecting("> 0");
  static final Setting MAX_WAIT = duration("max-wait", "0ms", Duration.ZERO, MAX_DURATION,
      "how long a caller may wait for a token before `RateLimitExceededException`");
  static final Setting RATE_LIMIT = block("rate-limit", "a token bucket", RATE, BURST, MAX_WAIT);

  static final Setting BREAKER_ENABLED = bool("enabled", true, "no breaker unless the block is configured");
  static final Setting FAILURE_RATE = percent("failure-rate-threshold", "50%", 1, 100,
      "failed calls (5xx, connect failures, resets, timeouts) that open it");
  static final Setting SLOW_RATE = percent("slow-call-rate-threshold", "100%", 1, 100, "slow calls that open it");
  static final Setting SLOW_DURATION = timeout("slow-call-duration", "5s", "a call at least this long is slow")
      .expecting("a positive duration up to 596h");
  static final Setting SLIDING_WINDOW = integer("sliding-window", "100", 1, 100_000, "calls counted")
      .expecting("1..100000 calls");
  static final Setting MINIMUM_CALLS = integer("minimum-calls", "20", 1, 100_000, "calls needed before rates count; "
      + "at most `sliding-window` calls are ever counted, so a larger value acts as `sliding-window`")
      .expecting("1..100000 calls");
  static final Setting OPEN_FOR = timeout("open-for", "10s", "how long it refuses before probing")
      .expecting("a positive duration up to 596h");
  static final Setting HALF_OPEN = integer("half-open-probes", "3", 1, 10_000, "calls let through while half-open")
      .expecting("1..10000 calls");
  static final Setting BREAKER = block("circuit-breaker", "a circuit breaker", BREAKER_ENABLED, FAILURE_RATE,
      SLOW_RATE, SLOW_DURATION, SLIDING_WINDOW, MINIMUM_CALLS, OPEN_FOR, HALF_OPEN);

  static final Setting ATTEMPTS = integer("attempts", "2", 1, 10, "attempts including the first; `1` turns retries off")
      .expecting("1..10 (1 turns retries off)");
  static final Setting PER_TRY_TIMEOUT = timeout("per-try-timeout", null,
      "longest wait for response bytes in one attempt (default: the call timeout)");
  static final Setting DEADLINE = timeout("deadline", null,
      "longest a call may take over all attempts and backoff, reading the response body included");
  static final Setting ON = textList("on", "[connect-failure, reset, 502, 503, 504]",
      "`connect-failure`, `reset`, `timeout` and failure statuses (300 to 599); at least one when `attempts` is "
          + "above 1");
  static final Setting BACKOFF_BASE = duration("base", "25ms", Duration.ZERO, MAX_DURATION,
      "attempt n waits a random time in [0, min(max, base·2ⁿ⁻¹)]").expecting(">= 0ms, at most 596h");
  static final Setting BACKOFF_MAX = duration("max", "250ms", Duration.ZERO, MAX_DURATION, "cap of the backoff");
  static final Setting BACKOFF = block("backoff", "backoff between attempts", BACKOFF_BASE, BACKOFF_MAX);
  static final Setting BUDGET_PERCENT = percent("percent", "20%", 0, 1000,
      "retries as a share of recent requests (10 s)");
  static final Setting BUDGET_MIN = integer("min-per-second", "10", 0, 1_000_000,
      "retries always allowed per second on top").expecting(">= 0");
  static final Setting BUDGET = percent("budget", "20%", 0, 1000, "retries as a share of recent requests (10 s); "
      + "or `{ percent: 20%, min-per-second: 10 }`").with(BUDGET_PERCENT, BUDGET_MIN);
  static final Setting NON_IDEMPOTENT = bool("non-idempotent", false,
      "on a route only: retry POST/PATCH even when the request may have reached a server");
  static final Setting RETRY = block("retry", "a retry policy", ATTEMPTS, PER_TRY_TIMEOUT, DEADLINE, ON, BACKOFF,
      BUDGET, NON_IDEMPOTENT);

  static final Setting OUTLIER_ENABLED = bool("enabled", true, "`false` never ejects");
  static final Setting CONSECUTIVE = integer("consecutive-failures", "5", 0, 1_000_000, "failures in a row that eject "
      + "(5xx, connect failures, resets, timeouts); `0`: only `consecutive-gateway-errors` eject").expecting(">= 0");
  static final Setting CONSECUTIVE_GATEWAY = integer("consecutive-gateway-errors", "0", 0, 1_000_000,
      "gateway errors in a row that eject: 502, 503, 504, connect failures, resets, timeouts; any other response "
      + "resets the count (Envoy's `consecutive_gateway_failure`); `0`: not counted apart").expecting(">= 0");
  static final Setting BASE_EJECTION = timeout("base-ejection", "30s", "ejection time × number of ejections")
      .expecting("a positive duration up to 596h");
  static final Setting MAX_EJECTION = timeout("max-ejection", "300s", "cap of the ejection time")
      .expecting("a positive duration up to 596h");
  static final Setting MAX_EJECTED = percent("max-ejected", "50%", 0, 100, "never eject more of the service");
  static final Setting PANIC = percent("panic-threshold", "50%", 0, 100,
      "below this share healthy, balance across all instances");
  static final Setting SLOW_FACTOR = integer("factor", "0", 0, 1000, "eject an instance whose mean latency over an "
      + "`interval` is more than this many times the median instance's (at least 2); `0`: off").expecting("0 (off) or 2..1000");
  static final Setting SLOW_INTERVAL = duration("interval", "1s", Duration.ofMillis(10), Duration.ofHours(1),
      "how often the instances' mean latencies are compared");
  static final Setting SLOW_MIN_REQUESTS = integer("min-requests", "20", 1, 1_000_000,
      "responses an instance needs in an interval to be judged");
  static final Setting SLOW_MIN_INSTANCES = integer("min-instances", "3", 2, 1_000_000,
      "instances with `min-requests` responses needed to judge any");
  static final Setting SLOW_EJECTION = block("slow-ejection", "eject instances much slower than their peers "
      + "(beyond Envoy; off unless `factor` is set)", SLOW_FACTOR, SLOW_INTERVAL, SLOW_MIN_REQUESTS, SLOW_MIN_INSTANCES);
  static final Setting RATE_INTERVAL = duration("interval", "10s", Duration.ofMillis(10), Duration.ofHours(1),
      "how often `failure-percentage` and `success-rate` judge the instances, on their calls since the last time "
      + "(Envoy's `interval`)");
  static final Setting FAILURE_THRESHOLD = percent("threshold", "0%", 0, 100, "eject an instance with at least "
      + "this share of its calls in an `interval` failed (5xx, connect failures, resets, timeouts); `0%`: off");
  static final Setting FAILURE_MIN_REQUESTS = integer("min-requests", "50", 1, 1_000_000,
      "calls an instance needs in an interval to be judged");
  static final Setting FAILURE_MIN_INSTANCES = integer("min-instances", "5", 1, 1_000_000,
      "instances with `min-requests` calls needed to judge any");
  static final Setting FAILURE_PERCENTAGE = block("failure-percentage", "eject instances that fail a share of "
      + "their calls (Envoy's failure-percentage ejection; off unless `threshold` is set)", FAILURE_THRESHOLD,
      FAILURE_MIN_REQUESTS, FAILURE_MIN_INSTANCES);
  static final Setting STDEV_FACTOR = decimal("stdev-factor", "0", 0, 100, "eject an instance whose success rate "
      + "in an `interval` is below the mean of the instances' rates minus this many standard deviations (Envoy: "
      + "1.9); `0`: off");
  static final Setting SUCCESS_MIN_REQUESTS = integer("min-requests", "100", 1, 1_000_000,
      "calls an instance needs in an interval to be judged");
  static final Setting SUCCESS_MIN_INSTANCES = integer("min-instances", "5", 2, 1_000_000,
      "instances with `min-requests` calls needed to judge any");
  static final Setting SUCCESS_RATE = block("success-rate", "eject instances whose success rate is far below their "
      + "peers' (Envoy's success-rate ejection; off unless `stdev-factor` is set)", STDEV_FACTOR,
      SUCCESS_MIN_REQUESTS, SUCCESS_MIN_INSTANCES);
  static final Setting OUTLIER = block("outlier-detection", "passive health checking", OUTLIER_ENABLED, CONSECUTIVE,
      CONSECUTIVE_GATEWAY, BASE_EJECTION, MAX_EJECTION, MAX_EJECTED, PANIC, SLOW_EJECTION, RATE_INTERVAL,
      FAILURE_PERCENTAGE, SUCCESS_RATE);

  static final Setting TLS = block("tls", "mutual TLS to the instances",
      bool("enabled", true, "`false`: plain HTTP (under `subset-policies`: for the subset's calls even when the "
          + "service has `tls`)"),
      text("trust", null, "PEM CA bundle the instances' certificates must chain to (`file:`, `classpath:` or a "
          + "path), or `system`: the JVM's default trust store, with `peer-identity` required; required with `tls`"),
      text("cert-chain", null, "PEM client certificate chain, leaf first (mTLS); may also hold the key"),
      text("private-key", null, "PEM private key: PKCS#8 (RSA, EC or Ed25519), PKCS#1 RSA "
          + "(`BEGIN RSA PRIVATE KEY`) or SEC1 EC (`BEGIN EC PRIVATE KEY`, naming its curve), the forms Istio's agent "
          + "writes; default: in `cert-chain`"),
      text("peer-identity", null, "`spiffe://trust-domain/path` or a DNS name (`dns:reviews.prod.svc`)"));

  static final Setting MATCH = block("match", "the conditions; all must hold",
      text("path", null, "`{ exact: /a }` (or a bare `/a`), `{ prefix: /api/ }` or `{ regex: \"/items/[0-9]+\" }` "
          + "(whole path)"),
      textList("method", null, "a method or a list: `[GET, HEAD]`"),
      labels("headers", "<name>", "`{ exact: v }` (or a bare `v`), `{ prefix: v }`, `{ regex: v }` or `{ present: "
          + "true }` on the header's first value"),
      labels("query-params", "<name>", "`{ exact: v }` (or a bare `v`), `{ prefix: v }`, `{ regex: v }` or `{ present: "
          + "true }` on the query parameter's first decoded value"),
      labels("without-headers", "<name>", "a header match that must not hold, as under `headers`"),
      bool("ignore-uri-case", false, "exact and prefix `path` matches ignore case"));
  static final Setting WEIGHT = integer("weight", null, 0, 1_000_000, "").expecting("a weight >= 0");
  static final Setting DELAY_PERCENT = text("percent", "0", "share of requests delayed, 0–100 (decimals allowed)");
  static final Setting DELAY_DURATION = duration("duration", null, Duration.ofNanos(1), MAX_DURATION,
      "how long; required with `delay`").expecting("a positive duration up to 596h");
  static final Setting ABORT_STATUS = integer("status", null, 200, 599, "their status; required with `abort`")
      .expecting("an HTTP status from 200 to 599");
  static final Setting FAULT = block("fault", "faults injected into the route's requests",
      block("delay", "delayed requests", DELAY_PERCENT, DELAY_DURATION),
      block("abort", "requests answered without being sent",
          text("percent", "0", "share of requests aborted, 0–100"), ABORT_STATUS),
      text("header", null, "only requests carrying this header are subject to faults"));
  static final Setting MIRROR_MAX = integer("max-concurrent", "64", 1, 100_000,
      "copies in flight at most; more are dropped and counted").expecting(">= 1");
  static final Setting MIRROR = block("mirror", "copies of a share of the route's requests",
      text("to", null, "a subset of the same service to send copies to (this or `service`)"),
      text("service", null, "another service to send copies to"),
      text("percent", "100", "share of the route's requests copied, 0–100"), MIRROR_MAX);

  static final Setting DESTINATION_SERVICE = text("service", null, "another service (default: this route's own)");
  static final Setting DESTINATION_SUBSET = text("subset", null, "a subset of that service (default: all its instances)");
  static final Setting TO = text("to", null, "the destination: a subset of this service, or `{ service: ratings, "
      + "subset: v1 }` (this, `split` or `destinations`)").with(DESTINATION_SERVICE, DESTINATION_SUBSET);
  static final Setting DESTINATIONS = list("destinations", "a weighted split that may cross services: `[{ service: "
      + "ratings, subset: v1, weight: 80 }, ...]` (this, `to` or `split`)", DESTINATION_SERVICE, DESTINATION_SUBSET,
      integer("weight", "1", 0, 1_000_000, "relative weight; the weights sum to > 0").expecting("a weight >= 0"));

  private static Setting headerOps(String name, String doc) {
    return block(name, doc,
        labels("set", "<header>", "value replacing every value the header has"),
        labels("add", "<header>", "value added to those the header has"),
        textList("remove", null, "headers removed"));
  }

  static final Setting HEADERS = block("headers", "header changes, applied as Envoy does: remove, then set, then add",
      headerOps("request", "of the request sent"), headerOps("response", "of the response returned to the caller"));
  static final Setting REWRITE = block("rewrite", "a rewrite of the request sent",
      text("uri", null, "path replacing the matched `prefix`, or the whole path when the route did not match a "
          + "prefix; starts with `/`"),
      text("authority", null, "the `Host` header sent, such as `ratings.internal:8080`"));

  static final Setting HEDGE_FALLBACK = duration("fallback", "50ms", MS, MAX_DURATION,
      "the delay used until the route has `min-samples` latencies").expecting("a positive duration up to 596h");
  /**
   * At most the samples a route's latency histogram keeps ({@link io.meshclient.core.internal.RouteLatency#WINDOW}):
   * it halves its counts at twice that, so a larger minimum was never reached and the percentile never used.
   */
  static final Setting HEDGE_MIN_SAMPLES = integer("min-samples", "100", 1,
      io.meshclient.core.internal.RouteLatency.WINDOW, "latencies recorded before a percentile delay is used "
      + "(a route keeps about its last 5000)").expecting("1..5000");
  static final Setting HEDGE_MAX_EXTRA = integer("max-extra", "1", 1, 3, "hedges sent at most per attempt")
      .expecting("1..3");
  /** The range of a fixed hedge delay ({@code after} is text in the schema: a duration or a percentile). */
  static final Setting HEDGE_DELAY = timeout("after", null, "the fixed hedge delay");
  static final Setting HEDGE = block("hedge", "hedged requests (idempotent methods, replayable bodies): a copy to "
      + "another instance when no response came in time; the first response wins, the rest are cancelled; "
      + "hedges are taken from the retry budget",
      text("after", null, "`50ms`, or a percentile of the route's recent attempt latency such as `p95` (p50 to "
          + "p99.9); required"), HEDGE_FALLBACK, HEDGE_MAX_EXTRA, HEDGE_MIN_SAMPLES);

  static final Setting ROUTES = list("routes", "the rules, tried in order; the first match wins",
      text("name", "route-<i>", "name in meters and limiter names (`<service>/<name>`)"), MATCH, TO,
      labels("split", "<subset>", "weight of a subset in a weighted split, 0 to 1000000, summing to > 0"),
      DESTINATIONS, HEADERS, REWRITE, RATE_LIMIT, TIMEOUT, CONNECT_TIMEOUT, RETRY, HEDGE, FAULT, MIRROR);

  static final Setting SLOW_START = block("slow-start", "new and returning instances ramp up, as Envoy's "
      + "`slow_start_config` (round-robin, weighted-round-robin, least-request only)",
      duration("window", null, MS, Duration.ofHours(1), "how long the ramp lasts; required")
          .expecting("between 1ms and 1h"),
      text("aggression", "1", "the curve's exponent, above 0 up to 10; 1 ramps linearly"),
      percent("min-weight-percent", "10%", 0, 100, "the least share of its weight a warming instance gets"));
  static final Setting LOCALITY = block("locality", "zone-aware routing, as Istio's `localityLbSetting`",
      bool("enabled", true, "`false`: none (under `subset-policies`: none for the subset's calls even when the "
          + "service has `locality`)"),
      text("zone", null, "the caller's zone; default: the `MESH_ZONE` environment variable, else the discovery's `callerZone()` (kubernetes: the label `topology.kubernetes.io/zone` of the Node `NODE_NAME` names); required from one of them"),
      text("region", null, "the caller's region; instances name theirs in metadata "
          + "`topology.kubernetes.io/region` or `region`"),
      text("mode", "failover", "`failover` (priority levels zone, failover zones or region, rest; each takes "
          + "min(100, healthy% × 1.4)) or `distribute`"),
      textList("failover", null, "zones to fail over to, in order, after the caller's"),
      labels("distribute", "<zone>", "percent of calls per zone, summing to 100 (`mode: distribute`)"),
      labels("failover-regions", "<region>", "the region a caller in `<region>` fails over to once its own "
          + "region has no healthy instance, as Istio's `failover[{from, to}]`; needs `region`"));

  /** A subset's cap: unset, the service's cap and count. */
  static final Setting SUBSET_MAX_CONCURRENT = integer("max-concurrent-requests", null, 1, 1_000_000,
      "calls routed to the subset in flight at once, counted apart from the service's (default: the service's cap, "
      + "counted with the service's calls)").expecting("> 0");
  static final Setting SUBSET_CONNECT_TIMEOUT = timeout("connect-timeout", null, "TCP (and TLS) connect timeout "
      + "of calls routed to the subset (default: the service's; a route's own `connect-timeout` wins)");
  static final Setting SUBSET_POLICIES = map("subset-policies", "<subset>", "what calls routed to a subset of "
      + "`subsets` do differently, as Istio's `subsets[].trafficPolicy`; a key left out is the service's, except "
      + "that an own `load-balancer` has only the subset's own `slow-start`. With "
      + "its own `outlier-detection` (keys and defaults as the service's block) the subset has its own detector: "
      + "calls routed to it are recorded there only, its ejections apply to them only and `max-ejected` is a share "
      + "of the subset's instances, as Envoy's cluster per subset; the service's detector serves the other calls. "
      + "With its own `tls` the subset's calls go over their own TLS client (https to its instances, its trust, "
      + "client certificate and `peer-identity`), on connections pooled apart from any other subset's and the "
      + "service's; `tls: { enabled: false }` sends them in plain HTTP. Its own `locality` replaces the service's "
      + "for its calls; `locality: { enabled: false }` turns zone-aware routing off for them",
      LOAD_BALANCER, SUBSET_MAX_CONCURRENT, SUBSET_CONNECT_TIMEOUT, OUTLIER, SLOW_START, TLS, LOCALITY);

  static final Setting SERVICES = map("services", "<service>", "a service, by the host name used in URLs "
      + "(lower-case letters, digits, `-`, `.`)",
      text("discovery", null, "which discovery lists its instances (default: the only one configured)"),
      LOAD_BALANCER, TIMEOUT, CONNECT_TIMEOUT, MAX_CONCURRENT, ALLOWED_ADDRESSES,
      labels("subsets", "<subset>", "metadata every instance of the subset must carry, e.g. `{ version: v2 }`"),
      SUBSET_POLICIES, ROUTES, RATE_LIMIT, BREAKER, RETRY, OUTLIER, TLS, SLOW_START, LOCALITY);

  static final Setting UNKNOWN_HOSTS = text("unknown-hosts", "refuse", "a call to a single-label host (no dot) "
      + "that is not a mesh service: `refuse` (`UnknownServiceException`, no I/O, suggesting the closest service) "
      + "or `pass-through` (to DNS); `localhost`, IP literals and dotted names always pass");

  /**
   * Istio's own resources laid over this configuration ({@link IstioOptions}); read by the starter only,
   * refused in a mesh.yaml ({@code MeshConfigLoader.fileRoot}).
   */
  static final Setting ISTIO = block("istio", "Istio VirtualService, DestinationRule and ServiceEntry YAML laid over "
      + "this configuration, watched for changes",
      textList("files", null, "YAML files or directories of Istio resources (multi-document); Spring Boot "
          + "properties only: in a mesh.yaml the `istio` block is refused (without Spring, "
          + "`Mesh.builder().istioConfig(...)` and `istioOptions(...)`)"),
      bool("strict", false, "refuse files that use a field the mesh does not implement (default: list them in the "
          + "load report)"),
      text("namespace", "default", "the namespace of short host names and of resources without one"),
      text("domain", "cluster.local", "the cluster's DNS domain (`reviews.default.svc.<domain>`)"),
      text("root-namespace", IstioOptions.DEFAULT_ROOT_NAMESPACE, "Istio's `meshConfig.rootNamespace`: the namespace "
          + "whose DestinationRules apply to a service when neither `namespace` nor the service's namespace has one "
          + "for it; a Kubernetes namespace name"),
      duration("check-every", "1s", Duration.ofMillis(100), Duration.ofDays(1), "how often the files are checked "
          + "for changes").expecting("between 100ms and 1d"),
      labels("labels", "<label>", "the application's own labels (its pod's, such as `app: productpage`), which "
          + "VirtualService `sourceLabels` matches are compared with; without them such match blocks are left out "
          + "(reported)"));

  /** The root: everything under {@code mesh}. */
  public static final Setting ROOT = block(MeshConfig.PREFIX, "the mesh configuration",
      labels("discovery", "<provider>", "settings of a discovery provider, found by name (`static`, `consul`, `kubernetes`, `xds`)"),
      DEFAULTS, SERVICES, UNKNOWN_HOSTS, ISTIO);
}
