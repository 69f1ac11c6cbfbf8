#!/usr/bin/env bash
# Sweep a git-versioned tickets store from cron: pull, sweep, commit, push.
# The same for reminders, with `remind` as the third argument.
#
#   crontab:  5 * * * *  /opt/tickets/cron-sweep.sh /srv/support/desk >>/var/log/tickets-sweep.log 2>&1
#             0 9 * * 1-5  /opt/tickets/cron-sweep.sh /srv/support/desk tickets remind >>/var/log/tickets-remind.log 2>&1
#
# Mail is not sent here: the mail host's `tickets deliver` sends every
# clone's messages once it has pulled what this pushed.
#
# Run it in a clone of its own (not an analyst's working copy), where
# `tickets git-setup` has been run once so that rebases merge case files with
# the tickets merge driver. Exit status: 0 done (or skipped because the
# previous run still holds the lock), 1 something needs a person (conflict,
# push refused three times, dirty clone), 5 a case file in the store is bad
# (the sweep still closed the others and they were pushed).
set -euo pipefail

clone=${1:?usage: cron-sweep.sh CLONE [STORE-DIRECTORY-IN-CLONE] [sweep|remind]}
store=${2:-tickets}
command=${3:-sweep}
case "$command" in
    sweep|remind) ;;
    *) echo "cron-sweep: the command is sweep or remind, not $command" >&2; exit 2 ;;
esac
tickets=${TICKETS:-tickets}

cd "$clone"

# One run at a time: a slow pull or push must not overlap the next run.
exec 9>"$(git rev-parse --git-dir)/tickets-cron-$command.lock"
if ! flock --nonblock 9; then
    echo "cron-sweep: the previous run is still going; skipping this one"
    exit 0
fi

# git runs under the store's own lock (`.tickets/lock`, which every tickets
# write holds; flock(1) and tickets lock it alike): a sweep and a remind run
# at the same minute, or a person's tickets command, never meet git halfway
# through the work tree or the index.
# A `.tickets` or lock committed as a link (anyone who can push could)
# would have flock create its target outside the store: refused.
if [ -L "$store/.tickets" ] || [ -L "$store/.tickets/lock" ] || { [ -e "$store/.tickets/lock" ] && [ ! -f "$store/.tickets/lock" ]; }; then
    echo "cron-sweep: $store/.tickets or its lock is a link or a special file; refusing to lock through it" >&2
    exit 1
fi
mkdir -p "$store/.tickets"
under_store_lock() {
    flock --wait "${TICKETS_LOCK_TIMEOUT:-60}" "$store/.tickets/lock" "$@"
}

if [ -n "$(under_store_lock git status --porcelain)" ]; then
    echo "cron-sweep: $clone has uncommitted changes; refusing to pull over them" >&2
    exit 1
fi

remote=origin
branch=$(git rev-parse --abbrev-ref HEAD)

pull() {
    # Case files rebase through the merge driver; a real conflict stops here
    # and the clone is put back as it was, for a person to look at.
    if ! under_store_lock git pull --rebase --quiet "$remote" "$branch"; then
        under_store_lock git rebase --abort 2>/dev/null || true
        echo "cron-sweep: pulling $remote/$branch needs a person (see the conflict above)" >&2
        exit 1
    fi
}

# Sweep the team's latest state, so replies pushed since the last run count.
pull

status=0
"$tickets" --dir "$store" "$command" || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 5 ]; then
    echo "cron-sweep: tickets $command failed with exit code $status" >&2
    exit "$status"
fi

# With `git: {commit: true}` in config.yaml the command committed already;
# otherwise commit its changes here, and only the store's.
under_store_lock git add --all -- "$store"
if ! git diff --cached --quiet -- "$store"; then
    changed=$(git diff --cached --name-only -- "$store" | wc -l)
    if [ "$command" = sweep ]; then
        under_store_lock git commit --quiet -m "sweep: auto-closed $changed case(s)" -- "$store"
    else
        under_store_lock git commit --quiet -m "remind: reminded $changed case(s)" -- "$store"
    fi
fi

# Someone may push between our pull and our push: rebase and try again.
for attempt in 1 2 3; do
    if [ "$(git rev-list --count "$remote/$branch..HEAD" 2>/dev/null || echo 1)" -eq 0 ]; then
        break
    fi
    if under_store_lock git push --quiet "$remote" "HEAD:$branch"; then
        break
    fi
    if [ "$attempt" -eq 3 ]; then
        echo "cron-sweep: push refused three times; the sweep is committed locally and goes out next run" >&2
        exit 1
    fi
    pull
done

exit "$status"
