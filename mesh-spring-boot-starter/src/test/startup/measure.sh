#!/usr/bin/env bash
# Start-up overhead of the starter. The same minimal Boot web app (StartupProbe) is started RUNS times
# as an empty Boot app, on a classpath of spring-boot-starter-webmvc and spring-boot-starter-actuator
# only, and RUNS times with mesh-spring-boot-starter added as a dependency (installed in ~/.m2 first),
# configured with a mesh of three services, an 80/20 split, a rate limit and one @MeshClient. The runs
# alternate which goes first, each in a fresh JVM. Prints the medians of the time from JVM start to
# ApplicationReadyEvent and of the process CPU time then, the median and the mean of the paired
# differences with bootstrap 90% intervals, the main thread's CPU time, and the main-thread time spent
# creating the starter's own beans.
#   usage: mesh-spring-boot-starter/src/test/startup/measure.sh [RUNS]   (from anywhere)
#   PROBE_SAVE_CP=PREFIX only writes the two classpaths to PREFIX.without and PREFIX.with, for runs by hand.
#   MAVEN_ARGS (space-separated) is added to every mvn command, as Maven 3.9 does by itself: with
#   MAVEN_ARGS=-Dmaven.repo.local=DIR the starter is installed into, and both applications resolved from, DIR.
set -euo pipefail
RUNS=${1:-15}
ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
read -r -a MVN <<<"mvn ${MAVEN_ARGS:-}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"
BOOT=$(sed -n "s:.*<spring-boot.version>\(.*\)</spring-boot.version>.*:\1:p" pom.xml)
VERSION=$(sed -n '/<artifactId>mesh-client-parent<\/artifactId>/{n;s:.*<version>\(.*\)</version>.*:\1:p;}' pom.xml)

# The starter goes to the local repository (~/.m2, or MAVEN_ARGS' maven.repo.local) so that the "with"
# application below resolves it as a user's build would: its dependencies, not its optional ones (Boot's
# RestClient support, actuator).
echo "installing the starter and compiling the probe (offline)..." >&2
"${MVN[@]}" -B -q -o -pl mesh-spring-boot-starter -am install -DskipTests >/dev/null

# Two throwaway projects on Boot's BOM (as an application with spring-boot-starter-parent has): the
# empty Boot app (webmvc and actuator) and the same with the starter; Maven resolves both classpaths.
app_pom() { # DIR EXTRA-DEPENDENCY
  mkdir -p "$1"
  cat >"$1/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>probe</groupId><artifactId>$(basename "$1")</artifactId><version>1</version>
  <dependencyManagement><dependencies><dependency>
    <groupId>org.springframework.boot</groupId><artifactId>spring-boot-dependencies</artifactId>
    <version>$BOOT</version><type>pom</type><scope>import</scope>
  </dependency></dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-webmvc</artifactId></dependency>
    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-actuator</artifactId></dependency>
    $2
  </dependencies>
</project>
EOF
  # Offline first; online when Boot's BOM names a version not cached yet (it pins its own Micrometer).
  local resolve=("${MVN[@]}" -B -q -f "$1/pom.xml" dependency:build-classpath -Dmdep.outputFile="$1/classpath.txt")
  "${resolve[@]}" -o >/dev/null 2>&1 || "${resolve[@]}" >"$1/resolve.log" 2>&1 || { cat "$1/resolve.log" >&2; exit 1; }
}
app_pom "$WORK/empty-boot-app" ""
app_pom "$WORK/with-starter" "<dependency><groupId>io.meshclient</groupId><artifactId>mesh-spring-boot-starter</artifactId><version>$VERSION</version></dependency>"
PROBE=mesh-spring-boot-starter/target/test-classes
WITHOUT_CP="$PROBE:$(cat "$WORK/empty-boot-app/classpath.txt")"
WITH_CP="$PROBE:$(cat "$WORK/with-starter/classpath.txt")"
if [[ -n "${PROBE_SAVE_CP:-}" ]]; then echo "$WITHOUT_CP" >"$PROBE_SAVE_CP.without"; echo "$WITH_CP" >"$PROBE_SAVE_CP.with"; exit 0; fi
echo "empty app: $(tr ':' '\n' <<<"$WITHOUT_CP" | wc -l) classpath entries; with the starter: $(tr ':' '\n' <<<"$WITH_CP" | wc -l)" >&2

COMMON=(--spring.config.name=startup-probe --server.port=0 --spring.main.banner-mode=off --logging.level.root=WARN)
WITH=('--mesh.discovery.static.services.reviews[0].url=http://127.0.0.1:9081'
      '--mesh.discovery.static.services.reviews[0].metadata.version=v1'
      '--mesh.discovery.static.services.reviews[1].url=http://127.0.0.1:9082'
      '--mesh.discovery.static.services.reviews[1].metadata.version=v3'
      '--mesh.discovery.static.services.details[0].url=http://127.0.0.1:9083'
      '--mesh.discovery.static.services.ratings[0].url=http://127.0.0.1:9084'
      '--mesh.services.reviews.subsets.v1.version=v1' '--mesh.services.reviews.subsets.v3.version=v3'
      '--mesh.services.reviews.routes[0].split.v1=80' '--mesh.services.reviews.routes[0].split.v3=20'
      '--mesh.services.ratings.rate-limit.rate=100/s')
probe() { local cp=$1; shift; java -cp "$cp" io.meshclient.spring.boot.startup.StartupProbe "${COMMON[@]}" "$@" | grep '^ready-ms='; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
probe "$WITHOUT_CP" >/dev/null   # warm the file cache
probe "$WITH_CP" "${WITH[@]}" >/dev/null
for i in $(seq "$RUNS"); do
  # Alternate which goes first (ABBA), so a machine slowing down or speeding up favours neither.
  if (( i % 2 )); then
    probe "$WITHOUT_CP" >>"$WORK/without"; probe "$WITH_CP" "${WITH[@]}" >>"$WORK/with"
  else
    probe "$WITH_CP" "${WITH[@]}" >>"$WORK/with"; probe "$WITHOUT_CP" >>"$WORK/without"
  fi
  echo "run $i/$RUNS: without $(tail -1 "$WORK/without" | cut -d' ' -f1), with $(tail -1 "$WORK/with" | cut -d' ' -f1)" >&2
done
field() { sed -n "s/.*\(^\| \)$1=\([0-9]*\).*/\2/p" "$2"; } # KEY FILE: the values of KEY=N
for f in ready-ms cpu-ms; do
  a=$(field $f "$WORK/without" | median); b=$(field $f "$WORK/with" | median)
  echo "$f: empty Boot app  $(field $f "$WORK/without" | tr '\n' ' ')-> median $a"
  echo "$f: with starter    $(field $f "$WORK/with" | tr '\n' ' ')-> median $b   (difference $(awk "BEGIN {print $b - $a}") ms)"
done
# Paired differences (run i with minus run i without, started one after the other): less exposed to
# the machine's load drifting over the whole measurement than the difference of the medians.
paste <(field ready-ms "$WORK/with") <(field ready-ms "$WORK/without") | awk '{print $1 - $2}' >"$WORK/pairs"
echo "ready-ms paired differences: $(tr '\n' ' ' <"$WORK/pairs")-> median $(median <"$WORK/pairs")"
# 90% intervals for the median and the mean paired difference (bootstrap, 2000 resamples, fixed seed).
python3 - "$WORK/pairs" <<'PY'
import random, statistics, sys
d = [float(x) for x in open(sys.argv[1]) if x.strip()]
for name, f in (("median", statistics.median), ("mean", statistics.mean)):
    rng = random.Random(42)
    m = sorted(f(rng.choices(d, k=len(d))) for _ in range(2000))
    print(f"ready-ms paired difference, {name}: {f(d):.0f} ms, 90% interval {m[100]:.0f} to {m[1899]:.0f} ms (bootstrap, {len(d)} pairs)")
PY
a=$(field main-cpu-ms "$WORK/without" | median); b=$(field main-cpu-ms "$WORK/with" | median)
echo "main-cpu-ms (CPU time of the main thread): empty Boot app median $a, with starter median $b (difference $(awk "BEGIN {print $b - $a}") ms)"
echo "mesh-beans-ms (main thread creating the starter's beans): $(field mesh-beans-ms "$WORK/with" | tr '\n' ' ')-> median $(field mesh-beans-ms "$WORK/with" | median)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
