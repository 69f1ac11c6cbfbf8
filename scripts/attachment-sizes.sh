#!/usr/bin/env bash
# Measures what attachments cost a store in git: N cases, 10% of them
# carrying one 1 MiB attachment (random bytes: a screenshot or a compressed
# log, which git cannot shrink; a plain-text log compresses, so this is the
# worst case).
#
#   bash scripts/attachment-sizes.sh 10000     # default 10,000 cases
#   KEEP=1 bash scripts/attachment-sizes.sh 2000   # keep the store (path printed)
#
# It generates 90% of the cases with the gen_store example, opens the other
# 10% with `tickets open --attach` (so the files go through the real path:
# staged, hashed, kept under the lock), commits the store to git, packs it
# (`git gc`), and prints the sizes: case files, attachments/, .git.
# Sizes grow linearly with the number of cases and attachments (each file is
# stored once, each case file is independent), so the figure for 100,000
# cases is the one at N times 100,000 / N; the script prints it, marked as
# an extrapolation.
#
# Needs about 2.2 x N x 0.1 MiB of disk (10,000 cases: 2.2 GB).
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT="${1:-10000}"
WITH=$((COUNT / 10))
BASE=$((COUNT - WITH))
cargo build --quiet --bin tickets --example gen_store
BIN="$PWD/${CARGO_TARGET_DIR:-target}/debug/tickets"
GEN="$PWD/${CARGO_TARGET_DIR:-target}/debug/examples/gen_store"

WORK="$(mktemp -d)"
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$WORK"' EXIT; fi
STORE="$WORK/store"
unset TICKETS_DIR TICKETS_NOW TICKETS_ACTOR TICKETS_LOCK_TIMEOUT
export TICKETS_DIR="$STORE" TICKETS_NOW=2026-11-26T12:00:00Z TICKETS_ACTOR=measure

"$GEN" --dir "$STORE" --count "$BASE" --now "$TICKETS_NOW" --seed 7 >/dev/null 2>&1
git -C "$STORE" init --quiet
git -C "$STORE" config user.name measure
git -C "$STORE" config user.email measure@example.com
CUSTOMER="$(sed -n 's/^- name: \(.*\)$/\1/p; s/^  - name: \(.*\)$/\1/p' "$STORE/config.yaml" | sed -n '1p')"
: "${CUSTOMER:=Acme Corp}"
FILE="$WORK/screen.png"
for i in $(seq 1 "$WITH"); do
  head -c 1048576 /dev/urandom >"$FILE"
  "$BIN" open --customer "$CUSTOMER" --summary "Screenshot $i" --description "See the screenshot." \
    --attach "$FILE" >/dev/null 2>&1
done
git -C "$STORE" add -A
git -C "$STORE" commit --quiet -m "store with attachments"
git -C "$STORE" gc --quiet

bytes() { du -sb "$@" | awk '{ s += $1 } END { print s }'; }
cases=$(find "$STORE" -maxdepth 1 -name '*.yaml' ! -name config.yaml | wc -l)
files=$(find "$STORE/attachments" -type f | wc -l)
case_bytes=$(find "$STORE" -maxdepth 1 -name '*.yaml' ! -name config.yaml -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
attachment_bytes=$(bytes "$STORE/attachments")
git_bytes=$(bytes "$STORE/.git")
# With git LFS, .git keeps a ~130-byte pointer per file instead of the file.
lfs_git_bytes=$((git_bytes - attachment_bytes + files * 130))

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
scale() { awk -v b="$1" -v n="$COUNT" 'BEGIN { printf "%.1f GiB", b * 100000 / n / 1073741824 }'; }
echo "measured at $cases cases, $files attachments of 1 MiB (store $STORE):"
printf '  case files      %s\n  attachments/    %s\n  .git (packed)   %s\n  .git with LFS   %s (estimate: pointers instead of files; the LFS server holds %s)\n' \
  "$(mib "$case_bytes")" "$(mib "$attachment_bytes")" "$(mib "$git_bytes")" "$(mib "$lfs_git_bytes")" "$(mib "$attachment_bytes")"
echo "linear extrapolation to 100,000 cases (10,000 attachments):"
printf '  case files      %s\n  attachments/    %s\n  .git (packed)   %s\n  .git with LFS   %s\n' \
  "$(scale "$case_bytes")" "$(scale "$attachment_bytes")" "$(scale "$git_bytes")" "$(scale "$lfs_git_bytes")"
