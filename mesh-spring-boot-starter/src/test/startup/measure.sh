#!/usr/bin/env bash
# Start-up overhead of the starter: a minimal Boot web app (webmvc + actuator on the test classpath),
# started RUNS times without the starter's auto-configuration and RUNS times with a mesh of three
# services, routes and a @MeshClient, alternating, each in a fresh JVM. Prints the medians of the
# time from JVM start to ApplicationReadyEvent, of the process CPU time at that point, and the time
# spent creating the starter's own beans.
#   usage: mesh-spring-boot-starter/src/test/startup/measure.sh [RUNS]   (from the repository root)
set -euo pipefail
RUNS=${1:-10}
ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"
mvn -B -q -o -pl mesh-spring-boot-starter -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
CP="mesh-spring-boot-starter/target/test-classes:mesh-spring-boot-starter/target/classes:$(cat "$WORK/cp.txt")"
COMMON=(--spring.config.name=startup-probe --server.port=0 --spring.main.banner-mode=off --logging.level.root=WARN)
WITHOUT=(--spring.autoconfigure.exclude=io.meshclient.spring.boot.autoconfigure.MeshAutoConfiguration,io.meshclient.spring.boot.autoconfigure.MeshEndpointAutoConfiguration,io.meshclient.spring.boot.autoconfigure.MeshHealthAutoConfiguration)
WITH=(--mesh.discovery.static.services.reviews[0].url=http://127.0.0.1:9081
      --mesh.discovery.static.services.reviews[0].metadata.version=v1
      --mesh.discovery.static.services.reviews[1].url=http://127.0.0.1:9082
      --mesh.discovery.static.services.reviews[1].metadata.version=v3
      --mesh.discovery.static.services.details[0].url=http://127.0.0.1:9083
      --mesh.discovery.static.services.ratings[0].url=http://127.0.0.1:9084
      --mesh.services.reviews.subsets.v1.version=v1 --mesh.services.reviews.subsets.v3.version=v3
      --mesh.services.reviews.routes[0].split.v1=80 --mesh.services.reviews.routes[0].split.v3=20
      --mesh.services.ratings.rate-limit.rate=100/s)
probe() { java -cp "$CP" io.meshclient.spring.boot.startup.StartupProbe "${COMMON[@]}" "$@" | grep '^ready-ms='; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
probe "${WITHOUT[@]}" >/dev/null   # warm the file cache
for i in $(seq "$RUNS"); do
  probe "${WITHOUT[@]}" >>"$WORK/without"
  probe "${WITH[@]}" >>"$WORK/with"
done
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" "$2"; }
for f in ready-ms cpu-ms; do
  a=$(field $f "$WORK/without" | median); b=$(field $f "$WORK/with" | median)
  echo "$f: without starter $(field $f "$WORK/without" | tr '\n' ' ')-> median $a"
  echo "$f: with starter    $(field $f "$WORK/with" | tr '\n' ' ')-> median $b   (difference $(awk "BEGIN {print $b - $a}") ms)"
done
echo "mesh-beans-ms (creating the starter's beans, with starter): $(field mesh-beans-ms "$WORK/with" | tr '\n' ' ')-> median $(field mesh-beans-ms "$WORK/with" | median)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
