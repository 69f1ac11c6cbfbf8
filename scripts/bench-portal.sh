#!/usr/bin/env bash
# Benchmark of the portal (SPEC section 6): a signed-in customer's case list
# (`GET /`: its first page, a later page, a search) and one case page
# (`GET /cases/ID`) under a real load generator (wrk) with 32 concurrent
# clients, against `tickets serve` (release build) over a generated store of
# N cases. Prints p50/p99 latency, requests per second and the server's peak
# memory (VmHWM). Figures, not assertions. BENCH_GIT=0 leaves the generated
# store out of git (a million cases: git would take longer than the rest).
#
#   scripts/bench-portal.sh [--count N] [--seconds S] [--connections C]
#                                   (defaults: 100000 cases, 10 s, 32 clients)
#
# Needs: cargo, git, jq, curl, python3, wrk (installed with apt-get when
# missing and root or sudo is at hand). Uses $BENCH_DIR (default a new temp
# dir) and leaves the store there, so repeated runs reuse it. Traffic goes to
# 127.0.0.1 only, for a bounded time.
set -euo pipefail
N=100000
SECONDS_EACH=10
CONNECTIONS=32
while [ $# -gt 0 ]; do
  case $1 in
    --count) N=$2; shift 2 ;;
    --seconds) SECONDS_EACH=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    *) echo "usage: $0 [--count N] [--seconds S] [--connections C]" >&2; exit 2 ;;
  esac
done
NOW=2026-11-26T12:00:00Z
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-$(mktemp -d /tmp/tickets-bench.XXXXXX)}
STORE=$WORK/portal-store-$N
# The generator's customers are "Customer 00".."Customer 39", each with the
# domain customerNN.example; this contact sees Customer 07's cases.
CUSTOMER="Customer 07"
CONTACT=bench@customer07.example

if ! command -v wrk >/dev/null; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "installing: wrk" >&2
  $sudo apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends wrk >&2
  echo "installed: wrk" >&2
fi

cd "$ROOT"
cargo build --release --quiet --bin tickets --example gen_store
BIN=$ROOT/target/release/tickets
GEN=$ROOT/target/release/examples/gen_store

if [ ! -f "$STORE/config.yaml" ]; then
  echo "generating $N cases in $STORE ..." >&2
  "$GEN" --dir "$STORE" --count "$N" --now "$NOW" --seed 42 >&2
  # Sign-in links travel through the outbox: the store needs a sender.
  if ! grep -q '^mail:' "$STORE/config.yaml"; then
    printf 'mail:\n  from: "Support <support@example.com>"\n' >>"$STORE/config.yaml"
  fi
  if [ "${BENCH_GIT:-1}" != 0 ]; then
    (cd "$STORE" && git init -q && git add -A && git -c user.name=bench -c user.email=bench@example.invalid commit -qm "generated store") >&2
  fi
  sleep 2.1   # let fresh files age out of the index's racy window, as they would in real use
fi

# A case page of the contact's customer: a waiting one (its question, its close date).
CASE=$("$BIN" --dir "$STORE" --now "$NOW" list --status waiting-for-customer --format json |
  jq -r --arg c "$CUSTOMER" 'map(select(.customer == $c)) | .[0].id // empty')
if [ -z "$CASE" ]; then
  echo "no waiting case of $CUSTOMER in $STORE" >&2
  exit 1
fi
VISIBLE=$("$BIN" --dir "$STORE" --now "$NOW" list --all --format json |
  jq --arg c "$CUSTOMER" 'map(select(.customer == $c)) | length')

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
LOG=$WORK/portal-serve.log
"$BIN" --dir "$STORE" serve --listen "127.0.0.1:$PORT" --base-url "$BASE" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT

for _ in $(seq 600); do
  if curl -s -o /dev/null "$BASE/"; then break; fi
  if ! kill -0 "$SERVER" 2>/dev/null; then
    echo "tickets serve exited:" >&2
    cat "$LOG" >&2
    exit 1
  fi
  sleep 0.1
done
idle_kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER/status")

# Sign in as a customer would: the analyst's link, its button pressed (a
# same-origin POST; opening the link alone spends nothing); keep the cookie.
LINK=$("$BIN" --dir "$STORE" portal link --email "$CONTACT" --base-url "$BASE" | tr -d '[:space:]')
LINK="$BASE/login/${LINK##*/login/}"
COOKIE=$(curl -s -o /dev/null -D - -X POST -H "Origin: $BASE" "$LINK" | awk 'tolower($1) == "set-cookie:" { gsub(/\r/, ""); split($2, kv, ";"); print kv[1]; exit }')
if [ -z "$COOKIE" ]; then
  echo "the sign-in link set no cookie: $LINK" >&2
  exit 1
fi

# Both pages answer 200 for the signed-in contact, and the list is the signed-in one.
check() {
  local url=$1 needle=$2 status body
  body=$(mktemp)
  status=$(curl -s -o "$body" -w '%{http_code}' -H "Cookie: $COOKIE" "$url")
  if [ "$status" != 200 ] || ! grep -qF "$needle" "$body"; then
    echo "$url answered $status without \"$needle\"" >&2
    head -c 2000 "$body" >&2
    rm -f "$body"
    exit 1
  fi
  wc -c <"$body"
  rm -f "$body"
}
# The list: its first page, a later page (page 40: the 976th to the 1,000th
# case), and a search over ID, summary and description (a product name of
# the generator's summaries, about one case in twelve).
LATER="$BASE/?page=40"
SEARCH="$BASE/?q=ldap"
cold_start=$(date +%s%N)
list_bytes=$(check "$BASE/" "(page 1 of")
cold_ms=$(( ($(date +%s%N) - cold_start) / 1000000 ))
later_bytes=$(check "$LATER" "page 40 of")
search_bytes=$(check "$SEARCH" "matching the search")
case_bytes=$(check "$BASE/cases/$CASE" "$CASE")

# load URL: wrk for SECONDS_EACH with CONNECTIONS clients; prints
# "p50_ms p99_ms requests_per_s errors". wrk's percentiles leave out requests
# that timed out, so its timeout is long (10 s) and the errors column counts
# timeouts and socket errors as well as non-2xx answers.
load() {
  local out
  out=$(wrk -t 2 -c "$CONNECTIONS" -d "${SECONDS_EACH}s" --timeout 10s --latency -H "Cookie: $COOKIE" "$1")
  echo "$out" >>"$WORK/portal-wrk.log"
  echo "$out" | awk '
    function ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
      if (v ~ /m$/) return substr(v, 1, length(v) - 1) * 60000
      return v
    }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    /Socket errors:/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
    END { printf "%.2f %.2f %.0f %d\n", p50, p99, rps, errors }'
}
# alone URL: one request on an idle server, in ms (after a settling pause, so
# requests of the previous run still working in the server do not count).
alone() {
  sleep 2
  curl -s -o /dev/null -w '%{time_total}' -H "Cookie: $COOKIE" "$1" | awk '{ printf "%.1f", $1 * 1000 }'
}
: >"$WORK/portal-wrk.log"
# The case page first: requests of a slow list run may still be working in
# the server after wrk stops, and would weigh on the next run.
case_alone=$(alone "$BASE/cases/$CASE")
read -r case_p50 case_p99 case_rps case_err < <(load "$BASE/cases/$CASE")
list_alone=$(alone "$BASE/")
read -r list_p50 list_p99 list_rps list_err < <(load "$BASE/")
later_alone=$(alone "$LATER")
read -r later_p50 later_p99 later_rps later_err < <(load "$LATER")
search_alone=$(alone "$SEARCH")
read -r search_p50 search_p99 search_rps search_err < <(load "$SEARCH")
peak_kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER/status")

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

cat <<REPORT

tickets portal benchmark: $N cases, the contact sees $VISIBLE ($CUSTOMER)
machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)
load: wrk, $CONNECTIONS connections, 2 threads, ${SECONDS_EACH} s per page, on the same machine as the server; "alone": one request on the idle server
target (SPEC section 6): p99 under 50 ms, server memory under 128 MiB

| page | bytes | alone ms | p50 ms | p99 ms | requests/s | errors |
| --- | --- | --- | --- | --- | --- | --- |
| case list, first page (GET /) | $list_bytes | $list_alone | $list_p50 | $list_p99 | $list_rps | $list_err |
| case list, page 40 (GET /?page=40) | $later_bytes | $later_alone | $later_p50 | $later_p99 | $later_rps | $later_err |
| case list, a search (GET /?q=ldap) | $search_bytes | $search_alone | $search_p50 | $search_p99 | $search_rps | $search_err |
| case page (GET /cases/$CASE) | $case_bytes | $case_alone | $case_p50 | $case_p99 | $case_rps | $case_err |

first list after start (reads which customer each case belongs to, then the contact's customer's cases): $cold_ms ms
server memory: $(mib "$idle_kib") MiB after start, $(mib "$peak_kib") MiB peak (VmHWM)
wrk output: $WORK/portal-wrk.log, server log: $LOG
REPORT
