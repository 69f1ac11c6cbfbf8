#!/usr/bin/env bash
# Benchmark of SPEC section 6: builds a store of N cases with the generator and
# prints whole-process medians (wall seconds) and peak memory, each beside the
# floor: reading every case file once in one process. Figures, not assertions.
#
#   scripts/bench.sh [N] [RUNS]                   (defaults: 100000 cases, 5 runs)
#   scripts/bench.sh --count N [--runs RUNS]      (the same, named)
#
# A million cases take about 4 GB of case files plus as much in .git, and a
# few minutes to generate and commit.
#
# Then the portal's part, scripts/bench-portal.sh --count N (wrk against
# `tickets serve`), in the same $BENCH_DIR; BENCH_PORTAL=0 leaves it out.
# BENCH_GIT=0 leaves git out (no commit of the generated store, no clone:
# "fresh clone" rows delete the store's .tickets/ instead, and the
# auto-commit row is skipped), which makes a million cases quick to set up.
#
# Needs: cargo, git, /usr/bin/time (GNU time). Uses $BENCH_DIR (default a new
# temp dir) and leaves it behind so repeated runs can reuse the store.
set -euo pipefail
N=100000
RUNS=5
positional=()
while [ $# -gt 0 ]; do
  case $1 in
    --count) N=$2; shift 2 ;;
    --count=*) N=${1#--count=}; shift ;;
    --runs) RUNS=$2; shift 2 ;;
    --runs=*) RUNS=${1#--runs=}; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ ${#positional[@]} -ge 1 ] && N=${positional[0]}
[ ${#positional[@]} -ge 2 ] && RUNS=${positional[1]}
NOW=2026-11-26T12:00:00Z
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-$(mktemp -d /tmp/tickets-bench.XXXXXX)}
STORE=$WORK/store-$N
CLONE=$WORK/clone-$N
GIT=${BENCH_GIT:-1}

cd "$ROOT"
cargo build --release --quiet --bin tickets --example gen_store --example read_all
BIN=$ROOT/target/release/tickets
GEN=$ROOT/target/release/examples/gen_store
FLOOR=$ROOT/target/release/examples/read_all

if [ ! -f "$STORE/config.yaml" ]; then
  echo "generating $N cases in $STORE ..." >&2
  "$GEN" --dir "$STORE" --count "$N" --now "$NOW" --seed 42 >&2
  if [ "$GIT" = 1 ]; then
    (cd "$STORE" && git init -q && git add -A && git -c user.name=bench -c user.email=bench@example.invalid commit -qm "generated store") >&2
  fi
fi
if [ "$GIT" = 1 ]; then
  rm -rf "$CLONE"
  git clone -q "$STORE" "$CLONE"
else
  CLONE=$STORE
fi
sleep 2.1   # let fresh files age out of the index's racy window, as they would in real use

TIMING=$WORK/timing
# timed CMD...: runs CMD once, prints "wall_seconds max_rss_kib" (wall from bash's
# microsecond clock, peak memory from GNU time).
timed() {
  local start end
  start=$EPOCHREALTIME
  /usr/bin/time -o "$TIMING" -f '%M' "$@" >/dev/null 2>/dev/null || true
  end=$EPOCHREALTIME
  echo "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }') $(tail -1 "$TIMING")"
}

# measure BEFORE CMD...: runs BEFORE then CMD, $RUNS times, prints
# "median_wall max_rss_kib". BEFORE is `warm` (one uncounted run first, the
# index then exists) or `fresh` (the clone's derived files deleted before
# every run, as on a fresh clone).
measure() {
  local before=$1 times=() rss=() out t m
  shift
  if [ "$before" = warm ]; then "$@" >/dev/null 2>&1 || true; fi
  for _ in $(seq "$RUNS"); do
    if [ "$before" = fresh ]; then rm -rf "$CLONE/.tickets"; fi
    out=$(timed "$@")
    times+=("${out% *}"); rss+=("${out#* }")
  done
  t=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  m=$(printf '%s\n' "${rss[@]}" | sort -g | tail -1)
  echo "$t $m"
}

read -r floor floor_rss < <(measure warm "$FLOOR" "$STORE")

# One transition: investigate a different open case each run.
mapfile -t OPEN < <("$BIN" --dir "$STORE" --now "$NOW" list --status open --format json | jq -r '.[].id' | head -n $((RUNS + 1)))
transition_times=()
transition_rss=0
for id in "${OPEN[@]}"; do
  out=$(timed "$BIN" --dir "$STORE" --now "$NOW" --as bench investigate "$id")
  transition_times+=("${out% *}")
  [ "${out#* }" -gt "$transition_rss" ] && transition_rss=${out#* }
done
transition=$(printf '%s\n' "${transition_times[@]:1}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')

# One transition with `git: {commit: true}`, in the clone (a 100,000-case work tree at 100k).
git_transition=- git_rss=
if [ "$GIT" = 1 ]; then
GITCOPY=$WORK/gitcopy-$N
rm -rf "$GITCOPY" && git clone -q "$STORE" "$GITCOPY"
sed -i 's/^  commit: false/  commit: true/' "$GITCOPY/config.yaml"
(cd "$GITCOPY" && git -c user.name=bench -c user.email=bench@example.invalid commit -qam "auto-commit on")
git -C "$GITCOPY" config user.name bench && git -C "$GITCOPY" config user.email bench@example.invalid
"$BIN" --dir "$GITCOPY" list >/dev/null 2>&1 || true
sleep 2.1
mapfile -t GOPEN < <("$BIN" --dir "$GITCOPY" --now "$NOW" list --status open --format json | jq -r '.[].id' | tail -n $((RUNS + 1)))
git_times=()
for id in "${GOPEN[@]}"; do
  out=$(timed "$BIN" --dir "$GITCOPY" --now "$NOW" --as bench investigate "$id")
  git_times+=("${out% *}"); git_rss=${out#* }
done
git_transition=$(printf '%s\n' "${git_times[@]:1}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
rm -rf "$GITCOPY"
fi

read -r check check_rss < <(measure warm "$BIN" --dir "$STORE" --now "$NOW" check)
read -r stats stats_rss < <(measure warm "$BIN" --dir "$STORE" --now "$NOW" stats)
read -r stats_json stats_json_rss < <(measure warm "$BIN" --dir "$STORE" --now "$NOW" --format json stats)
read -r all_table all_table_rss < <(measure warm "$BIN" --dir "$STORE" --now "$NOW" list --all)
read -r all_json all_json_rss < <(measure warm "$BIN" --dir "$STORE" --now "$NOW" --format json list --all)
read -r all_yaml all_yaml_rss < <(measure warm "$BIN" --dir "$STORE" --now "$NOW" --format yaml list --all)
read -r overdue overdue_rss < <(measure warm "$BIN" --dir "$STORE" --now "$NOW" list --overdue)
read -r sweep sweep_rss < <(measure warm "$BIN" --dir "$STORE" --now "$NOW" sweep --dry-run)
read -r waiting waiting_rss < <(measure warm "$BIN" --dir "$STORE" --now "$NOW" list --status waiting-for-customer)
read -r sweep_fresh sweep_fresh_rss < <(measure fresh "$BIN" --dir "$CLONE" --now "$NOW" sweep --dry-run)
read -r waiting_fresh waiting_fresh_rss < <(measure fresh "$BIN" --dir "$CLONE" --now "$NOW" list --status waiting-for-customer)

# Peak memory of a real sweep (on a copy of the clone, so the store stays as generated).
rm -rf "$WORK/sweep-copy" && cp -a "$CLONE" "$WORK/sweep-copy" && sleep 2.1
"$BIN" --dir "$WORK/sweep-copy" list >/dev/null 2>&1 || true   # the index, as an hourly cron finds it
sweep_real=$(timed "$BIN" --dir "$WORK/sweep-copy" --now "$NOW" sweep)
rm -rf "$WORK/sweep-copy"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "-") printf "%.2f", a / b; else print "-" }'; }
mib() { awk -v k="$1" 'BEGIN { if (k == "") print "-"; else printf "%.1f", k / 1024 }'; }

cat <<REPORT

tickets benchmark: $N cases, $RUNS runs each, medians of whole-process wall time
machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)
floor (read every case file once, one process): ${floor} s

| operation | median s | x floor | peak MiB |
| --- | --- | --- | --- |
| investigate ID (one transition) | $transition | $(ratio "$transition" "$floor") | $(mib "$transition_rss") |
| investigate ID, git auto-commit on | $git_transition | $(ratio "$git_transition" "$floor") | $(mib "$git_rss") |
| check | $check | $(ratio "$check" "$floor") | $(mib "$check_rss") |
| stats | $stats | $(ratio "$stats" "$floor") | $(mib "$stats_rss") |
| stats --format json | $stats_json | $(ratio "$stats_json" "$floor") | $(mib "$stats_json_rss") |
| list --all | $all_table | $(ratio "$all_table" "$floor") | $(mib "$all_table_rss") |
| list --all --format json | $all_json | $(ratio "$all_json" "$floor") | $(mib "$all_json_rss") |
| list --all --format yaml | $all_yaml | $(ratio "$all_yaml" "$floor") | $(mib "$all_yaml_rss") |
| list --overdue | $overdue | $(ratio "$overdue" "$floor") | $(mib "$overdue_rss") |
| sweep --dry-run | $sweep | $(ratio "$sweep" "$floor") | $(mib "$sweep_rss") |
| list --status waiting-for-customer | $waiting | $(ratio "$waiting" "$floor") | $(mib "$waiting_rss") |
| sweep --dry-run, fresh clone | $sweep_fresh | $(ratio "$sweep_fresh" "$floor") | $(mib "$sweep_fresh_rss") |
| list --status waiting-for-customer, fresh clone | $waiting_fresh | $(ratio "$waiting_fresh" "$floor") | $(mib "$waiting_fresh_rss") |
| sweep (closing $((N / 10)) cases), peak memory | ${sweep_real% *} | - | $(mib "${sweep_real#* }") |
REPORT

if [ "${BENCH_PORTAL:-1}" != 0 ]; then
  BENCH_DIR=$WORK "$ROOT/scripts/bench-portal.sh" --count "$N"
fi
