#!/usr/bin/env bash
# Issue 13's count: non-blank, non-comment lines of the main code that declares, reads, binds, validates
# or documents configuration keys, at one or more commits, per file and in total: all of it, and the part
# that reads sources which existed before the redesign (mesh.yaml, Spring properties, static, Consul), that
# is without the Istio, xDS and Kubernetes sources added since (Istio*, xds and kubernetes modules).
#   usage: benchmarks/config-lines.sh [-v] COMMIT...      e.g. benchmarks/config-lines.sh adde068 HEAD
#   -v lists every counted file with its count.
# A file counts when it is under some module's src/main (samples and benchmarks excluded) and it is the
# config package of core, or its name says it handles settings (Setting, Settings, Keys, Reader,
# Validator, Binder, Properties, SettingsRules, ConfigReference, ConfigNode), or it is the metadata JSON.
# Comments are lines starting with //, /*, * or */ once trimmed (Javadoc included); a JSON file counts its
# non-blank lines. Reads the commits from git, so no checkout is needed.
set -euo pipefail
verbose=0
if [[ "${1:-}" == -v ]]; then verbose=1; shift; fi
(( $# )) || { echo "usage: $0 [-v] COMMIT..." >&2; exit 2; }
cd "$(dirname "$0")/.."
PATTERN='(mesh-client-core/src/main/java/io/meshclient/core/config/|/src/main/.*(Setting|Settings|Keys|Reader|Validator|Binder|Properties|SettingsRules|SettingValues|ConfigReference|ConfigNode)[A-Za-z]*\.java$|/src/main/resources/META-INF/additional-spring-configuration-metadata\.json$)'
ncnb() { # reads a file on stdin, prints its count
  awk -v json="$1" '
    { line = $0; gsub(/^[ \t]+|[ \t]+$/, "", line) }
    line == "" { next }
    json == 1 { n++; next }
    incomment { if (index(line, "*/")) incomment = 0; next }
    line ~ /^\/\// { next }
    line ~ /^\/\*/ { if (!index(substr(line, 3), "*/")) incomment = 1; next }
    line ~ /^\*/ { next }
    { n++ }
    END { print n + 0 }'
}
NEW_SOURCES='(Istio[A-Za-z]*\.java$|^mesh-discovery-(xds|kubernetes)/)'
printf '%-12s %8s %6s %22s\n' commit lines files 'without new sources'
for commit in "$@"; do
  total=0; files=0; old=0
  while IFS= read -r path; do
    json=0; [[ "$path" == *.json ]] && json=1
    n=$(git show "$commit:$path" | ncnb "$json")
    total=$((total + n)); files=$((files + 1))
    [[ "$path" =~ $NEW_SOURCES ]] || old=$((old + n))
    (( verbose )) && printf '  %6d  %s\n' "$n" "$path"
  done < <(git ls-tree -r --name-only "$commit" | grep -v -E '^(samples|benchmarks)/' | grep -E "$PATTERN")
  printf '%-12s %8d %6d %22d\n' "$(git rev-parse --short "$commit")" "$total" "$files" "$old"
done
