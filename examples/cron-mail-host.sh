#!/usr/bin/env bash
# The mail host's minute (the portal host, in the documented deployment):
# pull every clone's events, push the portal's writes and the sent ledger,
# then send what no clone's event has had sent yet.
#
#   crontab:  TICKETS_SMTP_URL=smtp://mail.example:587?tls=required
#             * * * * *  /opt/tickets/cron-mail-host.sh /srv/support tickets >>/var/log/tickets-deliver.log 2>&1
#
# Run it in the mail host's own clone, where `tickets git-setup` has been
# run once and config.yaml has `git: {commit: true}`. git pull and push run
# under the store's own lock (`.tickets/lock`, the one every tickets write
# holds, flock(1) and tickets lock it alike): the portal's writes and their
# auto-commits wait for it, so git and tickets never change the work tree or
# the index at the same moment.
#
# Exit status: 0 done (or skipped because the previous run still goes), 1 a
# pull that needs a person (the merge was aborted; mail was still sent),
# and `tickets deliver`'s own status otherwise (1 a message failed and
# stays queued, 5 a bad file, 6 another deliver runs).
set -euo pipefail

clone=${1:?usage: cron-mail-host.sh CLONE [STORE-DIRECTORY-IN-CLONE]}
store=${2:-tickets}
tickets=${TICKETS:-tickets}
# How long git waits for a tickets write to finish, and the other way round.
wait_seconds=${TICKETS_LOCK_TIMEOUT:-60}

cd "$clone"

# One run at a time: a slow pull or a slow mail server must not overlap the next run.
exec 9>"$(git rev-parse --git-dir)/tickets-cron-mail-host.lock"
if ! flock --nonblock 9; then
    echo "cron-mail-host: the previous run is still going; skipping this one"
    exit 0
fi

remote=origin
branch=$(git rev-parse --abbrev-ref HEAD)
# A `.tickets` or lock committed as a link (anyone who can push could)
# would have flock create its target outside the store: refused.
if [ -L "$store/.tickets" ] || [ -L "$store/.tickets/lock" ] || { [ -e "$store/.tickets/lock" ] && [ ! -f "$store/.tickets/lock" ]; }; then
    echo "cron-mail-host: $store/.tickets or its lock is a link or a special file; refusing to lock through it" >&2
    exit 1
fi
mkdir -p "$store/.tickets"
under_store_lock() {
    flock --wait "$wait_seconds" "$store/.tickets/lock" "$@"
}

status=0
# Merging runs the tickets merge driver on case files; a real conflict is
# aborted, so the portal keeps working on what it has, and a person looks.
if ! under_store_lock git pull --quiet --no-rebase "$remote" "$branch"; then
    under_store_lock git merge --abort 2>/dev/null || true
    echo "cron-mail-host: pulling $remote/$branch needs a person (see the conflict above); mail is still sent" >&2
    status=1
fi
# A refused push (someone pushed meanwhile) goes out with the next run.
if [ "$(git rev-list --count "$remote/$branch..HEAD" 2>/dev/null || echo 1)" -gt 0 ]; then
    under_store_lock git push --quiet "$remote" "HEAD:$branch" || echo "cron-mail-host: push refused; it goes out with the next run" >&2
fi

deliver=0
"$tickets" --dir "$store" deliver || deliver=$?
if [ "$deliver" -ne 0 ]; then
    exit "$deliver"
fi
exit "$status"
