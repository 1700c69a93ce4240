#!/usr/bin/env bash
# How long the README's two commands take for a new user, cold and warm, measured on a fresh clone.
#   cold: empty npm, Go and Temporal-CLI caches and no data (a new machine; includes the Go build)
#   warm: the same clone run again (dependencies installed, CLI cached, data kept)
# Usage: bench/startup.sh [cold_runs=2] [warm_runs=3]
# Prints one line per figure, then a summary with medians. Uses loopback only.
set -euo pipefail
COLD=${1:-2}
WARM=${2:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/cisflow-bench-XXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# start_once DIR: seconds from `npm start` to the printed URLs, then Ctrl-C (SIGINT to the group)
start_once() {
  local dir=$1 log="$1/start.log" t0 pid
  t0=$(now)
  (cd "$dir" && exec setsid npm start >"$log" 2>&1) &
  pid=$!
  until grep -q 'Press Ctrl-C' "$log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "npm start failed:" >&2; tail -30 "$log" >&2; exit 1; fi
    sleep 0.2
  done
  awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.1f\n", b-a}'
  kill -INT -- -"$(ps -o pgid= -p "$pid" | tr -d ' ')" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

test_once() {
  local dir=$1 t0
  t0=$(now)
  (cd "$dir" && npm test >"$dir/test.log" 2>&1) || { tail -30 "$dir/test.log" >&2; exit 1; }
  awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.1f\n", b-a}'
}

fresh() { # DIR -> a clone with its own empty caches
  git clone -q "$repo" "$1"
  mkdir -p "$1.cache"/{npm,gomod,gobuild,xdg}
}
cold_env() { export npm_config_cache="$1.cache/npm" GOMODCACHE="$1.cache/gomod" GOCACHE="$1.cache/gobuild" XDG_CACHE_HOME="$1.cache/xdg"; }

# measure NAME ONCE I COLD WARM: round I of NAME (run by ONCE) in a fresh clone, cold; in round 1 then WARM
# more runs in the same clone. The seconds go onto the arrays named COLD and WARM.
measure() {
  local name=$1 once=$2 i=$3 d="$work/$1-$3" s j
  local -n cold_runs=$4 warm_runs=$5
  fresh "$d"
  s=$( (cold_env "$d"; "$once" "$d") ); echo "$name cold run $i: ${s}s"; cold_runs+=("$s")
  for j in $(seq 1 "$WARM"); do
    [ "$i" = 1 ] || break
    s=$( (cold_env "$d"; "$once" "$d") ); echo "$name warm run $j: ${s}s"; warm_runs+=("$s")
  done
}

declare -a cs ws ct wt
for i in $(seq 1 "$COLD"); do
  measure start start_once "$i" cs ws
  measure test test_once "$i" ct wt
  rm -rf "$work"/start-"$i"* "$work"/test-"$i"*
done
echo "summary: cores=$(nproc) 'npm start' to URLs: cold median $(printf '%s\n' "${cs[@]}" | median)s, warm median $(printf '%s\n' "${ws[@]}" | median)s; 'npm test': cold median $(printf '%s\n' "${ct[@]}" | median)s, warm median $(printf '%s\n' "${wt[@]}" | median)s (commands: npm start, npm test on a fresh git clone)"
