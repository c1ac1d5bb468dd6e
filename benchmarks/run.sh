#!/usr/bin/env bash
# mesh-client benchmarks. Usage: benchmarks/run.sh <scenario> [args]   (from any directory)
#
#   jmh [jmh args]      the JMH jar (target/benchmarks.jar), e.g. jmh -prof gc BalancerPickBenchmark
#   ratelimit [args]    issue 2's real-time token-bucket check: 200/s, burst 20, 8 threads, 10 s
#   load [args]         issue 5's load harness: --duration 10s --threads 8 --modes okhttp,mesh,...
#                       --warmup 10s --rewarm 2s --repeats 3 --jfr mesh --nginx /usr/sbin/nginx|none
#   smoke               what CI runs: every JMH benchmark once, briefly, and a 2 s okhttp+mesh load run
#   hedge [args]        issue 19: p99 with and without hedging (one backend 5% 50x slower), extra load, POSTs
#   tail [args]         issue 20: p99 with one bad instance of 3 (10x slower; then 20% 503s), mesh vs sidecars
#                       --duration 10s --warmup 10s --repeats 3 --base-ms 1 --slow-factor 10 --fail-percent 20
#   spring [args]       issue 20: the Spring user's path, mesh-restclient/-webclient vs their plain twins and
#                       Spring Cloud LoadBalancer on the JDK client, Apache HttpClient 5 and Reactor Netty
#   jfr FILE.jfr        where a load worker recorded with `load --jfr MODE` spent its time
#   chaos [s] [threads] issue 3's kill test (a backend killed, then black-holed; 20 s, 8 threads each)
#   rotation [s] [rps]  issue 7's certificate rotation under load (30 s at 200 req/s)
#   consul-scale [n] [changes]  issue 21: a mesh over the emulated Consul agent, 1,000 services x 3
#   churn [args]        issue 21: caller p99 with and without 10 updates/s of 1% of 10,000 instances
#
# Builds the benchmarks module and what it needs from the reactor (never `mvn install`), unless
# BENCH_SKIP_BUILD=1. The load harness installs nginx from Debian when it is missing and it can
# (root + apt-get); otherwise it falls back to an embedded server and skips the sidecar mode.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
TARGET="$HERE/target"
JAVA="${JAVA:-java}"

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

build() {
  if [[ "${BENCH_SKIP_BUILD:-0}" == 1 && -f "$TARGET/benchmarks.jar" && -f "$TARGET/classpath.txt" ]]; then
    return
  fi
  echo "building benchmarks (mvn -pl benchmarks -am package -DskipTests)..." >&2
  local mvn=(mvn -B -q -f "$ROOT/pom.xml" -pl benchmarks -am package -DskipTests)
  local log
  log="$(mktemp)"
  # Offline first: every dependency is normally cached already; go online only if something is missing.
  if ! "${mvn[@]}" -o >"$log" 2>&1; then
    if ! "${mvn[@]}" >"$log" 2>&1; then
      cat "$log" >&2
      rm -f "$log"
      echo "build failed" >&2
      exit 1
    fi
  fi
  rm -f "$log"
}

harness_cp() {
  echo "$TARGET/classes:$(cat "$TARGET/classpath.txt")"
}

# Prints the path of the program $1 (nginx, haproxy) if it is installed, nothing if not.
find_program() {
  if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
  for dir in /usr/sbin /usr/local/sbin "/usr/local/$1/sbin"; do
    if [[ -x "$dir/$1" ]]; then echo "$dir/$1"; return; fi
  done
}

find_nginx() { find_program nginx; }
find_haproxy() { find_program haproxy; }

# Prints the binary of the Debian package $1 (nginx, haproxy), installing it if needed and possible (root
# + apt-get); prints nothing and says what is skipped ($2) if not.
ensure_program() {
  local bin
  bin="$(find_program "$1")"
  if [[ -z "$bin" && "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "$1 not found: installing it with apt-get..." >&2
    # RUNLEVEL=1 keeps the package's init script from starting a system service (nginx on port 80).
    if ! RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >&2; then
      apt-get update -q >&2 || true
      RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >&2 || true
    fi
    bin="$(find_program "$1")"
  fi
  if [[ -z "$bin" ]]; then
    echo "$1 is not available: $2" >&2
  fi
  echo "$bin"
}

ensure_nginx() { ensure_program nginx "embedded backends, no sidecar mode"; }
ensure_haproxy() { ensure_program haproxy "the haproxy mode is skipped"; }

run_tail() {
  local nginx haproxy
  nginx="$(ensure_nginx)"
  haproxy="$(ensure_haproxy)"
  mkdir -p "$HERE/results" "$TARGET/tail-work"
  "$JAVA" -Xms256m -Xmx256m -Djava.awt.headless=true -cp "$(harness_cp)" \
    io.meshclient.benchmarks.load.TailMain \
    --work-dir "$TARGET/tail-work" --results-dir "$HERE/results" \
    --nginx "${nginx:-none}" --haproxy "${haproxy:-none}" "$@"
}

run_spring() {
  local nginx
  nginx="$(ensure_nginx)"
  mkdir -p "$HERE/results" "$TARGET/spring-work"
  "$JAVA" -Xms256m -Xmx256m -Djava.awt.headless=true -cp "$(harness_cp)" \
    io.meshclient.benchmarks.load.SpringPathMain \
    --work-dir "$TARGET/spring-work" --results-dir "$HERE/results" --nginx "${nginx:-none}" "$@"
}

run_load() {
  local nginx_args=()
  local has_nginx_arg=0
  for a in "$@"; do [[ "$a" == "--nginx" ]] && has_nginx_arg=1; done
  if [[ $has_nginx_arg == 0 ]]; then
    nginx_args=(--nginx "$(ensure_nginx)")
    [[ "${nginx_args[1]}" == "" ]] && nginx_args=(--nginx none)
  fi
  mkdir -p "$HERE/results" "$TARGET/load-work"
  "$JAVA" -Xms256m -Xmx256m -Djava.awt.headless=true -cp "$(harness_cp)" \
    io.meshclient.benchmarks.load.LoadMain \
    --work-dir "$TARGET/load-work" --results-dir "$HERE/results" "${nginx_args[@]}" "$@"
}

scenario="${1:-}"
[[ -z "$scenario" ]] && usage
shift

case "$scenario" in
  jmh)
    build
    exec "$JAVA" -jar "$TARGET/benchmarks.jar" "$@"
    ;;
  ratelimit)
    build
    exec "$JAVA" -cp "$(harness_cp)" io.meshclient.benchmarks.ratelimit.RateLimitScenario "$@"
    ;;
  load)
    build
    run_load "$@"
    ;;
  smoke)
    build
    start=$SECONDS
    echo "== smoke: every JMH benchmark, one short iteration"
    "$JAVA" -jar "$TARGET/benchmarks.jar" -f 1 -wi 0 -i 1 -r 100ms -foe true -p instances=10,1000 \
      -rf json -rff "$TARGET/jmh-smoke.json" > "$TARGET/jmh-smoke.txt" 2>&1 || {
      tail -50 "$TARGET/jmh-smoke.txt"; echo "smoke: JMH failed" >&2; exit 1; }
    grep -E '^(Benchmark|[A-Za-z]+Benchmark\.)' "$TARGET/jmh-smoke.txt" | tail -n +1
    echo "== smoke: load harness, 2 s, okhttp and mesh"
    smoke_results="$TARGET/smoke-results"
    mkdir -p "$smoke_results" "$TARGET/load-work"
    "$JAVA" -Xms256m -Xmx256m -Djava.awt.headless=true -cp "$(harness_cp)" \
      io.meshclient.benchmarks.load.LoadMain --work-dir "$TARGET/load-work" --results-dir "$smoke_results" \
      --nginx "$(find_nginx)" --duration 2s --warmup 2s --rewarm 1s --repeats 2 --modes okhttp,mesh
    echo "== smoke: consul-scale, 100 services, 3 changes, no agent loss"
    "$JAVA" -cp "$TARGET/classes:$(cat "$TARGET/classpath-test.txt")" \
      io.meshclient.discovery.consul.ConsulScaleScenario 100 3 \
      "$TARGET/consul-scale-smoke.json" --smoke 2> "$TARGET/consul-scale-smoke.log" || {
      tail -20 "$TARGET/consul-scale-smoke.log"; echo "smoke: consul-scale failed" >&2; exit 1; }
    echo "== smoke: hedge, 300 calls"
    "$JAVA" -cp "$(harness_cp)" io.meshclient.benchmarks.hedge.HedgeScenario --calls 300 --smoke \
      > "$TARGET/hedge-smoke.log" 2>&1 || { tail -20 "$TARGET/hedge-smoke.log"; echo "smoke: hedge failed" >&2; exit 1; }
    tail -1 "$TARGET/hedge-smoke.log"
    echo "== smoke: tail, 2 s per mode, both runs (slow, 503)"
    haproxy_bin="$(find_haproxy)"
    [[ -z "$haproxy_bin" ]] && echo "haproxy is not installed: the tail smoke pass skips the haproxy mode"
    nginx_bin="$(find_nginx)"
    "$JAVA" -Xms256m -Xmx256m -Djava.awt.headless=true -cp "$(harness_cp)" io.meshclient.benchmarks.load.TailMain \
      --work-dir "$TARGET/tail-work" --results-dir "$smoke_results" --nginx "${nginx_bin:-none}" \
      --haproxy "${haproxy_bin:-none}" --duration 2s --warmup 2s --rewarm 1s --repeats 1 --threads 4 \
      > "$TARGET/tail-smoke.log" 2>&1 || { tail -30 "$TARGET/tail-smoke.log"; echo "smoke: tail failed" >&2; exit 1; }
    for run in slow 503; do
      grep -qE "^tail mesh_p99/sidecar_p99=.* scenario=$run " "$TARGET/tail-smoke.log" || {
        tail -30 "$TARGET/tail-smoke.log"; echo "smoke: tail printed no final line for the $run run" >&2; exit 1; }
    done
    grep -E '^(SKIPPED|tail mesh_p99)' "$TARGET/tail-smoke.log" | sort -u
    echo "== smoke: churn, 1 s rounds"
    "$JAVA" -Xmx1g -cp "$(harness_cp)" io.meshclient.benchmarks.churn.ChurnScenario --seconds 1 --rounds 1 --smoke \
      > "$TARGET/churn-smoke.log" 2>&1 || { tail -20 "$TARGET/churn-smoke.log"; echo "smoke: churn failed" >&2; exit 1; }
    tail -1 "$TARGET/churn-smoke.log"
    echo "== smoke: spring, 1 s per mode"
    "$JAVA" -Xms256m -Xmx256m -Djava.awt.headless=true -cp "$(harness_cp)" io.meshclient.benchmarks.load.SpringPathMain \
      --work-dir "$TARGET/spring-work" --results-dir "$smoke_results" --nginx "${nginx_bin:-none}" \
      --duration 1s --warmup 1s --rewarm 0s --repeats 1 --threads 4 \
      > "$TARGET/spring-smoke.log" 2>&1 || { tail -30 "$TARGET/spring-smoke.log"; echo "smoke: spring failed" >&2; exit 1; }
    grep -qE '^spring mesh-restclient_cpu_us_over_restclient-okhttp=' "$TARGET/spring-smoke.log" || {
      tail -30 "$TARGET/spring-smoke.log"; echo "smoke: spring printed no final line" >&2; exit 1; }
    tail -1 "$TARGET/spring-smoke.log"
    echo "smoke passed in $((SECONDS - start)) s (targets are not asserted in smoke)"
    ;;
  churn)
    # issue 21: 10,000 instances; p99 quiet vs 10 snapshots/s each replacing 1%, 3 interleaved rounds.
    # Arguments: [--instances N] [--seconds S] [--threads N] [--rounds N]. Ends with:
    # churn ... p99_ratio=... update_p50_ms=... failed_calls=...
    build
    exec "$JAVA" -Xms1g -Xmx1g -cp "$(harness_cp)" io.meshclient.benchmarks.churn.ChurnScenario "$@"
    ;;
  spring)
    # issue 20, the Spring user's path: the load harness's nginx backends and method over 7 Spring modes
    # (restclient-okhttp, mesh-restclient, mesh-webclient, webclient-okhttp, spring-lb, spring-lb-hc5,
    # spring-lb-netty). Arguments as for load. Writes results/spring.{json,png}; ends with:
    # spring mesh-restclient_cpu_us_over_restclient-okhttp=... mesh-restclient/best_sclb_throughput=... ...
    build
    run_spring "$@"
    ;;
  tail)
    # issue 20: 3 backends, one 10x slower, then (second run) one failing 20% of its calls with 503;
    # raw OkHttp, nginx, HAProxy and 3 mesh modes (each also against an all-healthy pool), interleaved.
    # Ends each run with: tail mesh_p99/sidecar_p99=... mesh_p99/healthy_p99=... failed=... scenario=...
    build
    run_tail "$@"
    ;;
  hedge)
    # issue 19: 3 backends, one answering 5% of calls 50x slower; unhedged vs hedge at p95 through a
    # least-request mesh. Arguments: [--calls N] [--threads N] [--base-ms N]. Ends with:
    # hedge p99_ratio=... extra_load=... duplicated_posts=...
    build
    exec "$JAVA" -cp "$(harness_cp)" io.meshclient.benchmarks.hedge.HedgeScenario "$@"
    ;;
  jfr)
    build
    exec "$JAVA" -cp "$(harness_cp)" io.meshclient.benchmarks.load.JfrSummary "$@"
    ;;
  chaos)
    # issue 3's kill test: 3 backends, 8 threads, 20 s; one backend killed, then (second run) black-holed.
    # Arguments: [seconds] [threads]. Ends with: chaos failed_gets=N duplicated_posts=N retries=N ejections=N
    build
    exec "$JAVA" -cp "$(harness_cp)" io.meshclient.core.KillScenario "${1:-20}" "${2:-8}"
    ;;
  rotation)
    # issue 7: client certificate rotation (and a corrupt file) under 200 req/s for 30 s; 0 requests lost.
    # Arguments: [seconds] [requests per second].
    build
    exec "$JAVA" -cp "$(harness_cp)" io.meshclient.core.internal.tls.RotationScenario "${1:-30}" "${2:-200}"
    ;;
  consul-scale)
    # issue 21: threads, agent connections, build() with 200 services, change follow time, agent loss at
    # wait 55s, failed calls. Arguments: [services=1000] [changes=30]. JSON: results/consul-scale.json
    build
    mkdir -p "$HERE/results"
    exec "$JAVA" -Xmx1g -cp "$TARGET/classes:$(cat "$TARGET/classpath-test.txt")" \
      io.meshclient.discovery.consul.ConsulScaleScenario \
      "${1:-1000}" "${2:-30}" "$HERE/results/consul-scale.json" 2> "$TARGET/consul-scale.log"
    ;;
  -h|--help|help)
    usage
    ;;
  *)
    echo "unknown scenario: $scenario (expected: jmh, ratelimit, load, smoke, hedge, tail, spring, jfr, chaos, rotation, consul-scale, churn)" >&2
    exit 2
    ;;
esac
