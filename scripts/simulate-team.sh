#!/usr/bin/env bash
# A support team's deployment on one machine, on a simulated clock, then the
# invariants it must keep. Every tickets command gets the simulated instant
# (TICKETS_NOW); the run is deterministic for a seed (bash RANDOM and Python's
# random, seeded from it), up to the random case IDs.
#
#   scripts/simulate-team.sh [--days N] [--cases N] [--seed S] [--bin PATH] [--keep]
#                            (defaults: 30 days, 2000 cases, seed 1)
#
# The deployment: a bare origin; three analysts' clones (alice: L1, carla:
# L2, diego: R&D, each working its level's cases); the portal host's clone,
# which runs `tickets serve`, takes customers' mail through the wrapper of
# docs/mail.md and is THE MAIL HOST (only its environment has
# TICKETS_SMTP_URL, pointing at a real aiosmtpd); a cron clone running
# examples/cron-sweep.sh hourly (and `remind` daily). Customers mail in, use
# the portal with curl, and answer (or not); analysts pull, work, push.
#
# The day-one features, in the same deployment: config.yaml has `tags:` and
# a `chat:` handle per analyst, and templates/answers/ two canned answers,
# committed at setup. Analysts tag cases (`tag ID +x -y`; in every sync the
# desks may tag one same case from their three clones, which the merge
# driver joins), add and remove CC addresses of the customer's domain,
# answer with `request-info --template` and close with `close --template`,
# and merge a duplicate (`merge SRC --into TARGET`, two open cases of one
# customer) now and then. Customers' mails sometimes copy a colleague (intake
# copies them on the case) and someone of another company (ignored), and
# reply by mail to merged cases (the reply lands on the target). The team
# chat is a webhook the script serves on 127.0.0.1 (sim.py's `webhook`,
# every POST a line): only the mail host has TICKETS_WEBHOOK_URL, set by the
# crontab docs/chat.md gives, so its `deliver` posts.
#
# At the end every clone is synced, the mail host delivers once more, and
# the invariants are printed as `ok: N NAME (figures)` or `BROKEN: N NAME:
# detail`; the exit status is 1 if any broke:
#   1 every clone holds the same store      2 `tickets check` passes everywhere
#   3 every attachment reads back           4 every support event mailed once, nothing internal
#   5 no customer saw another's case        6 no work tree left dirty
#   7 no cron job stopped                   8 no command or request failed
#   9 each case's tags and CC are what a replay, in time order, of every
#     clone's tag and cc commands and of intake's Cc: gives (cases whose file
#     a person resolved after a conflict are left out, and counted)
#  10 every message went To the contact and Cc (headers and envelope) the
#     case's CC at the moment it was sent
#  11 no mail and no portal page shows a tag
#  12 every merged case is closed, merged into a case of its customer, and
#     each mail reply to it landed on the end of its chain (or, that one
#     closed, on a follow-up of it)
#  13 every chat notification was posted once (the POSTs are the sent
#     ledger's chat lines, no key twice), every routed, assigned, escalated
#     and replied event posted (the mail host runs at least every 4 hours,
#     so each is within the 24-hour window), and no post holds an address,
#     a link, a sign-in or an internal note's marker
# Needs git, curl, /usr/bin/python3 with aiosmtpd (Debian: python3-aiosmtpd),
# flock, coreutils. No network but 127.0.0.1.
set -Eeuo pipefail

days=30 cases=2000 seed=1 bin= keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --days) days=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--days N] [--cases N] [--seed S] [--bin PATH] [--keep]" >&2; exit 2 ;;
  esac
done
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "$bin" ]; then
  bin=$repo/target/debug/tickets
  [ -x "$repo/target/release/tickets" ] && bin=$repo/target/release/tickets
fi
[ -x "$bin" ] || { echo "simulate-team: no tickets binary at $bin (cargo build)" >&2; exit 2; }
bin=$(realpath "$bin")
if ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
  echo "simulate-team: /usr/bin/python3 has no aiosmtpd: install python3-aiosmtpd (apt-get install python3-aiosmtpd)" >&2
  exit 2
fi

# Nothing of the caller's environment may pick a store, an actor or a mail
# transport: only the mail host gets one, below.
unset TICKETS_DIR TICKETS_NOW TICKETS_ACTOR TICKETS_SMTP_URL TICKETS_SMTP_USER \
  TICKETS_SMTP_PASSWORD TICKETS_SENDMAIL TICKETS_PORTAL_URL TICKETS_LOCK_TIMEOUT TICKETS_WEBHOOK_URL
export TZ=UTC LC_ALL=C GIT_CONFIG_NOSYSTEM=1 GIT_MERGE_AUTOEDIT=no GIT_TERMINAL_PROMPT=0
W=$(mktemp -d "${TMPDIR:-/tmp}/simulate-team.XXXXXX")
export GIT_CONFIG_GLOBAL=$W/gitconfig
mkdir -p "$W/bin" "$W/logs" "$W/tmp" "$W/files" "$W/mailq" "$W/shows"
ln -s "$bin" "$W/bin/tickets"           # `tickets` on PATH, as the docs assume
export PATH=$W/bin:$PATH
git config --file "$GIT_CONFIG_GLOBAL" init.defaultBranch main
git config --file "$GIT_CONFIG_GLOBAL" user.email sim@desk.example
git config --file "$GIT_CONFIG_GLOBAL" user.name sim
: >"$W/broken"; : >"$W/conflicts"; : >"$W/fields.log"; : >"$W/merged-replies.tsv"; : >"$W/posts"

SMTP_PID= PORTAL_PID= HOOK_PID=
cleanup() {
  trap - ERR
  [ -z "$HOOK_PID" ] || { kill "$HOOK_PID"; wait "$HOOK_PID"; } 2>/dev/null || true
  [ -z "$PORTAL_PID" ] || { kill "$PORTAL_PID"; wait "$PORTAL_PID"; } 2>/dev/null || true
  [ -z "$SMTP_PID" ] || { kill "$SMTP_PID"; wait "$SMTP_PID"; } 2>/dev/null || true
  if [ "$keep" = 1 ]; then echo "work directory kept: $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
# set -e stops silently; say where (a bug of this script, not a finding).
trap 'echo "simulate-team: stopped at line $LINENO: $BASH_COMMAND" >&2' ERR
RANDOM=$seed

# ---------------------------------------------------------------- helpers
# The Python half: plans drawn from the store's JSON, mail parsing, checks.
cat >"$W/sim.py" <<'PY'
import sys, json, random, zlib, os, re   # (email is imported where needed: start-up time)
SUPPORT_MAIL = {"open", "request-info", "close", "remind", "auto-close", "merge"}
TAG = re.compile(r"\[([A-Z]+-[0-9A-Z]{4,})\]")
# config.yaml's tags (internal: never in a mail or a portal page), and the
# words that would show one.
TAGS = ["vip", "churn-risk", "needs-docs", "hotfix-candidate", "billing-dispute"]
TAG_SHOWN = re.compile(r"\b(" + "|".join(TAGS) + r")\b", re.I)
DESK_TAG = {"l1": "vip", "l2": "churn-risk", "rnd": "needs-docs"}
COLLEAGUES = ["it-lead", "ops", "cto"]
def hot_case(cases, seed, before):
    """The case every desk may tag in this sync (the same in every clone:
    drawn from the cases all of them pulled), so that the merge driver
    joins tags from several clones."""
    cand = [c for c in cases if c["status"] != "closed" and c["created_at"] < before]
    if not cand:
        return None
    return min(cand, key=lambda c: zlib.crc32(f"{seed} {c['summary']} {c['created_at']}".encode()))["id"]
def tag_changes(rnd, tags, prefer=None):
    """Changes that each change something in this clone's view."""
    tags = set(tags or [])
    if prefer and prefer not in tags:
        return [f"+{prefer}"]
    if tags and rnd.random() < 0.4:
        return [f"-{sorted(tags)[rnd.randrange(len(tags))]}"]
    free = [t for t in TAGS if t not in tags]
    out = [f"+{free[rnd.randrange(len(free))]}"] if free else []
    if tags and rnd.random() < 0.5:
        out.append(f"-{sorted(tags)[rnd.randrange(len(tags))]}")
    return out
def cases_in():
    return sorted(json.load(sys.stdin), key=lambda c: (c["created_at"], c["summary"], c["id"]))
def stubborn(case):
    # A customer who never answers this case, decided by its text (not its
    # random ID), so that a seed always gives the same run.
    return zlib.crc32(case["summary"].encode()) % 100 < 18
def plan(level, seed, cap, overlap, hot_seed, before):
    """A desk's work for one sync: `ACTION ID ASSIGNEE EXTRA` lines (EXTRA:
    a canned answer's name, tag changes, an address, a merge target, or -)."""
    rnd, out, cases = random.Random(int(seed)), [], cases_in()
    hot = hot_case(cases, hot_seed, before)
    # A duplicate now and then: two open cases of one customer at this
    # level, the newer merged into the older.
    src = None
    if rnd.random() < 0.3:
        by = {}
        for c in cases:
            if c["level"] == level and c["status"] in ("open", "at-investigation") and c["id"] != hot:
                by.setdefault(c["customer"], []).append(c)
        pairs = [(g[-1], g[0]) for _, g in sorted(by.items()) if len(g) >= 2]
        if pairs:
            src, target = pairs[rnd.randrange(len(pairs))]
            out.append(("merge", src["id"], src["assignee"] or "-", target["id"]))
            src = src["id"]
    for c in cases:
        if c["id"] == src:
            continue
        if c["id"] == hot and rnd.random() < 0.6:
            out.append(("tag", c["id"], "-", " ".join(tag_changes(rnd, c.get("tags"), DESK_TAG[level]))))
        if len(out) >= int(cap) or c["level"] != level:
            continue
        if c["status"] != "closed" and c["id"] != hot:
            if rnd.random() < 0.06:
                ch = tag_changes(rnd, c.get("tags"))
                if ch:
                    out.append(("tag", c["id"], c["assignee"] or "-", " ".join(ch)))
            if c.get("email") and rnd.random() < 0.05:
                cc, dom = set(c.get("cc") or []), c["email"].lower().split("@")[1]
                free = [f"{n}@{dom}" for n in COLLEAGUES if f"{n}@{dom}" not in cc]
                if cc and (rnd.random() < 0.4 or not free):
                    out.append(("cc-remove", c["id"], c["assignee"] or "-", sorted(cc)[rnd.randrange(len(cc))]))
                elif free:
                    out.append(("cc-add", c["id"], c["assignee"] or "-", free[rnd.randrange(len(free))]))
        s, r = c["status"], rnd.random()
        a = None
        if s == "open":
            a = "investigate" if r < 0.8 else None
        elif s == "at-investigation":
            a = ("request-info" if r < 0.35 else "close" if r < 0.55 else
                 ("escalate" if level != "rnd" else "close") if r < 0.65 else "note" if r < 0.8 else None)
        elif s == "escalated":
            a = "investigate" if r < 0.5 else "close" if r < 0.7 else None
        elif s == "waiting-for-customer":
            a = "note" if r < 0.05 else "reply" if r < 0.09 else None   # (reply: the customer phoned)
        if a is None and s == "at-investigation" and rnd.random() < 0.1:
            a = "assign"   # (to a colleague of the desk: act picks whom)
        if a == "close" and c["id"] == hot:
            a = None   # (closed while another clone tags it: a conflict, by design)
        if a:
            extra = "-"
            if a == "request-info" and rnd.random() < 0.4:
                extra = "logs-please"
            elif a == "close" and rnd.random() < 0.3:
                extra = "fixed-in-release"
            out.append((a, c["id"], c["assignee"] or "-", extra))
    # Another desk's case, touched here too before the next sync: the merge
    # driver has to join the two sides.
    others = [c for c in cases if c["level"] != level and c["status"] != "closed"]
    if others and rnd.random() < float(overlap):
        out.append(("note", rnd.choice(others)["id"], "-", "-"))
    for a, i, who, extra in out:
        print(f"{a}\t{i}\t{who}\t{extra}")
def chain_end(by_id, i):
    seen = 0
    while by_id.get(i, {}).get("merged_into") and seen < 32:
        i, seen = by_id[i]["merged_into"], seen + 1
    return i
def customers(seed, p_reply, p_back, p_merged, listing):
    """The customers' answers this hour: `MODE ID EMAIL CUSTOMER TARGET
    TARGET-STATUS` lines (the end of a merged case's chain, or - -); the
    listing (`ID CUSTOMER EMAIL CC...`) for the portal's checks."""
    rnd, cases = random.Random(int(seed)), cases_in()
    by_id = {c["id"]: c for c in cases}
    with open(listing, "w") as out:
        out.writelines(f"{c['id']}\t{c['customer']}\t{(c['email'] or '-').lower()}\t{' '.join(c.get('cc') or [])}\t{','.join(c.get('tags') or []) or '-'}\n"
                       for c in cases)
    for c in cases:
        em = c["email"] or "-"
        if c.get("merged_into"):
            # (its page redirects to the target: only mail comes back to it)
            if em != "-" and rnd.random() < float(p_merged):
                t = chain_end(by_id, c["id"])
                print(f"mail-merged\t{c['id']}\t{em}\t{c['customer']}\t{t}\t{by_id.get(t, {}).get('status', '-')}")
        elif c["status"] == "waiting-for-customer" and not stubborn(c) and rnd.random() < float(p_reply):
            r = rnd.random()
            mode = ("portal" if em == "-" or r < 0.35 else "mail-tag" if r < 0.65 else
                    "mail-thread" if r < 0.88 else "out-of-office")
            print(f"{mode}\t{c['id']}\t{em}\t{c['customer']}\t-\t-")
        elif c["status"] == "closed" and rnd.random() < float(p_back):
            mode = "portal-follow-up" if em == "-" or rnd.random() < 0.5 else "mail-closed"
            print(f"{mode}\t{c['id']}\t{em}\t{c['customer']}\t-\t-")
def mails(maildir):
    import email, email.policy
    d = os.path.join(maildir, "new")
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        with open(os.path.join(d, f), "rb") as fh:
            yield f, email.message_from_binary_file(fh, policy=email.policy.default)
def thread(maildir, index, case):
    """A Message-ID the customer received about CASE (indexing new mail)."""
    seen = {l.split("\t")[0] for l in open(index)} if os.path.exists(index) else set()
    with open(index, "a") as out:
        for f, m in mails(maildir):
            if f not in seen:
                tag = TAG.search(str(m.get("Subject", "")))
                out.write(f"{f}\t{str(m.get('Message-ID', '')).strip()}\t{tag.group(1) if tag else '-'}\n")
    ids = sorted(l.split("\t")[1] for l in open(index) if l.rstrip("\n").split("\t")[2] == case)
    print(ids[0] if ids else "")
def text_of(m):
    out = []
    for p in m.walk():
        if p.get_content_maintype() == "text":
            try:
                out.append(p.get_content())
            except Exception:
                out.append(str(p.get_payload(decode=True)))
    return "\n".join(out)
def shows(d):
    for f in sorted(os.listdir(d)):
        yield json.load(open(os.path.join(d, f)))
def check_mail(maildir, d, ledger):
    """Invariant 4: each support event's message went out exactly once, but
    for those the sent ledger withholds by design (a second acknowledgement
    to one sender within a day, RFC 3834)."""
    expected, got, ids, problems, total = {}, {}, {}, [], 0
    for c in shows(d):
        # (a case without a contact address gets no mail at all)
        expected[c["id"]] = sum(1 for e in c["history"] if c.get("email") and e["action"] in SUPPORT_MAIL
                                and e["visibility"] == "public")
    withheld = 0
    for f in sorted(os.listdir(ledger)) if os.path.isdir(ledger) else []:
        if not f.endswith(".log"):
            continue
        for line in open(os.path.join(ledger, f)):
            entry = json.loads(line)
            if "second acknowledgement" in (entry.get("withheld") or "") and entry["case"] in expected:
                expected[entry["case"]] -= 1
                withheld += 1
    for f, m in mails(maildir):
        total += 1
        mid = str(m.get("Message-ID", "")).strip()
        ids.setdefault(mid, []).append(f)
        tag = TAG.search(str(m.get("Subject", "")))
        if tag:
            got[tag.group(1)] = got.get(tag.group(1), 0) + 1
        if "INTERNAL-NOTE-" in text_of(m):
            problems.append(f"an internal note went out in {mid}")
    problems += [f"{mid} sent {len(fs)} times" for mid, fs in ids.items() if len(fs) > 1]
    short = [i for i in expected if got.get(i, 0) < expected[i]]
    extra = sorted(i for i in set(expected) | set(got) if got.get(i, 0) > expected.get(i, 0))
    if short:
        problems.append(f"{sum(expected[i] - got.get(i, 0) for i in short)} message(s) never sent, on "
                        f"{len(short)} case(s), e.g. " + ", ".join(f"{i} {got.get(i, 0)}/{expected[i]}" for i in short[:4]))
    if extra:
        problems.append(f"{len(extra)} case(s) got more mail than events, e.g. "
                        + ", ".join(f"{i} {got.get(i, 0)}/{expected.get(i, 0)}" for i in extra[:4]))
    print(f"{total} sent, {sum(expected.values())} expected, {withheld} second acknowledgements withheld")
    for p in problems[:12]:
        print(p)
def attachments(d):
    """`ID NAME-OR-SHA SHA256` for every attachment of every event."""
    for c in shows(d):
        files = {}
        for e in c["history"]:
            for a in e.get("attachments") or []:
                files.setdefault(a["name"], set()).add(a["sha256"])
        for name, shas in sorted(files.items()):
            for sha in sorted(shas):
                ref = name if len(shas) == 1 and "\t" not in name else sha
                print(f"{c['id']}\t{ref}\t{sha}")
def events(d):
    print(sum(len(c["history"]) for c in shows(d)))
def instant(text):
    from datetime import datetime
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
def conflicted(conflicts):
    return {m.group(0) for l in open(conflicts) for m in re.finditer(r"RC-[0-9A-Z]{8}", l.split("\t")[2])}
def replay(entries, contact, tags=None, cc=None):
    """Tags and CC after `+x`/`-x` changes in time order (the contact is
    never copied)."""
    tags, cc = set(tags or ()), set(cc or ())
    for kind, change in entries:
        s = tags if kind == "tag" else cc
        v = change[1:].lower() if kind == "cc" else change[1:]
        if kind == "cc" and v == (contact or "").lower():
            continue
        (s.add if change[0] == "+" else s.discard)(v)
    return tags, cc
def check_fields(d, log, conflicts):
    """Invariant 9: each case's tags and CC are what a replay of every
    clone's commands (and intake's Cc:) in time order gives."""
    by, problems, n, skipped = {}, [], 0, conflicted(conflicts)
    for l in open(log):
        at, case, kind, changes = l.rstrip("\n").split("\t")
        by.setdefault(case, []).extend((at, kind, ch) for ch in changes.split())
    adds = sum(1 for v in by.values() for _, k, ch in v if k == "tag" and ch[0] == "+")
    for c in shows(d):
        if c["id"] in skipped:
            continue
        n += 1
        tags, cc = replay([(k, ch) for _, k, ch in sorted(by.get(c["id"], []))], c.get("email"))
        got_tags, got_cc = set(c.get("tags") or []), {a.lower() for a in c.get("cc") or []}
        if tags != got_tags:
            problems.append(f"{c['id']} has tags {sorted(got_tags)}, the commands give {sorted(tags)}")
        if cc != got_cc:
            problems.append(f"{c['id']} copies {sorted(got_cc)}, the commands give {sorted(cc)}")
    print(f"{n} cases, {sum(len(v) for v in by.values())} changes, {adds} tags added, "
          f"{len(skipped & set(by))} changed case(s) left out after a conflict")
    for p in problems[:10]:
        print(p)
def cc_at(case, when):
    """The case's CC after its events up to `when` (from its history)."""
    entries = [("cc", ch) for e in case["history"] if instant(e["at"]) <= when for ch in e.get("cc") or []]
    return replay(entries, case.get("email"))[1]
def check_recipients(maildir, d, conflicts):
    """Invariants 10 and 11 (mail): To the contact, Cc (and the envelope)
    the case's CC when it was sent; no tag in any message."""
    from email.utils import getaddresses, parsedate_to_datetime
    cases, problems, n, with_cc, tagged = {c["id"]: c for c in shows(d)}, [], 0, 0, []
    skipped = conflicted(conflicts)
    for f, m in mails(maildir):
        tag = TAG.search(str(m.get("Subject", "")))
        shown = TAG_SHOWN.search(str(m.get("Subject", "")) + "\n" + text_of(m))
        if shown:
            tagged.append(f"{m.get('Message-ID')} shows the tag {shown.group(0)}")
        c = cases.get(tag.group(1)) if tag else None
        if c is None or c["id"] in skipped:
            continue
        n += 1
        to = {a.lower() for _, a in getaddresses(m.get_all("To", []))}
        cc = {a.lower() for _, a in getaddresses(m.get_all("Cc", []))}
        rcpt = {a.strip().lower() for a in str(m.get("X-RcptTo", "")).split(",") if a.strip()}
        want = cc_at(c, parsedate_to_datetime(str(m["Date"])))
        with_cc += bool(cc)
        if to != {(c.get("email") or "").lower()}:
            problems.append(f"{m.get('Message-ID')} about {c['id']} went to {sorted(to)}, its contact is {c.get('email')}")
        if cc != want:
            problems.append(f"{m.get('Message-ID')} about {c['id']} ({m['Date']}) was copied to {sorted(cc)}, "
                            f"the case copied {sorted(want)}")
        if rcpt and rcpt != to | cc:
            problems.append(f"{m.get('Message-ID')} about {c['id']}: envelope {sorted(rcpt)}, headers {sorted(to | cc)}")
    print(f"{n} messages, {with_cc} with Cc")
    for p in problems[:10]:
        print(p)
    with open(os.path.join(maildir, "..", "tags-in-mail"), "w") as out:
        out.writelines(t + "\n" for t in tagged)
def check_merges(d, replies):
    """Invariant 12: a merged case is closed into a case of its customer,
    and mail replies to it landed on the end of its chain (or, that one
    closed, on a follow-up of it)."""
    cases, problems, merged = {c["id"]: c for c in shows(d)}, [], 0
    for c in cases.values():
        t = c.get("merged_into")
        if not t:
            continue
        merged += 1
        if c["status"] != "closed":
            problems.append(f"{c['id']} was merged into {t} but is {c['status']}")
        if t not in cases or cases[t]["customer"] != c["customer"]:
            problems.append(f"{c['id']} ({c['customer']}) was merged into {t} "
                            f"({cases.get(t, {}).get('customer', 'no such case')})")
    n = 0
    for l in open(replies):
        at, src, target, got = l.rstrip("\n").split("\t")
        n += 1
        g = cases.get(got)
        if g is None:
            problems.append(f"a reply to merged {src} at {at} landed on {got or 'nothing'}")
        elif got == target:
            if not any(e["action"] == "reply" and e["at"] == at for e in g["history"]):
                problems.append(f"{target} has no reply at {at} (a mail reply to merged {src})")
        elif g.get("follow_up_of") != target:
            problems.append(f"a reply to merged {src} at {at} opened {got}, not a follow-up of {target}")
    print(f"{merged} merged cases, {n} mail replies to them")
    for p in problems[:10]:
        print(p)
CHAT_REASONS = ("routed", "assigned", "escalated-l2", "escalated-rnd", "replied")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+")
PRIVATE = re.compile(r"https?:|127\.0\.0\.1|\bsign[- ]?in\b|INTERNAL-NOTE-", re.I)   # a link, a sign-in, a note
def check_chat(posts, ledger, d, url, handles):
    """Invariant 13: each notification posted once, each event that
    notifies posted, nothing private in a post."""
    from collections import Counter
    problems, texts = [], []
    for l in open(posts) if os.path.exists(posts) else []:
        p = json.loads(l)
        if p["path"] != url:
            problems.append(f"a POST to {p['path']}")
        texts.append(json.loads(p["body"])["text"])
    entries = []
    for f in sorted(os.listdir(ledger)) if os.path.isdir(ledger) else []:
        if f.endswith(".log"):
            entries += [e for e in map(json.loads, open(os.path.join(ledger, f))) if e.get("to") == "chat"]
    keys = Counter((e["case"], e["key"]) for e in entries)
    problems += [f"{c} {k} is in the sent ledger {n} times" for (c, k), n in keys.items() if n > 1][:5]
    posted, recorded = Counter(texts), Counter(e["subject"] for e in entries)
    problems += [f"posted {posted[t]} time(s), recorded {recorded[t]}: {t}" for t in sorted(set(posted) | set(recorded))
                 if posted[t] != recorded[t]][:5]
    expected, got = Counter(), Counter((e["case"], e["event"]) for e in entries)
    for c in shows(d):
        for e in c["history"]:
            r = {"open": "routed" if e.get("assignee") else None,
                 "assign": "assigned" if e.get("assignee") else None,
                 "escalate": ("escalated-l2" if e.get("level") == "l2" and e.get("assignee") else
                              "escalated-rnd" if e.get("level") == "rnd" else None),
                 "reply": "replied"}.get(e["action"])
            if r:
                expected[(c["id"], r)] += 1
    short = [(k, expected[k] - got[k]) for k in sorted(expected) if got[k] < expected[k]]
    extra = [(k, got[k] - expected[k]) for k in sorted(got) if k[1] in CHAT_REASONS and got[k] > expected[k]]
    if short:
        problems.append(f"{sum(n for _, n in short)} notification(s) never posted, e.g. "
                        + ", ".join(f"{c} {r} x{n}" for (c, r), n in short[:4]))
    if extra:
        problems.append(f"{sum(n for _, n in extra)} notification(s) more than events, e.g. "
                        + ", ".join(f"{c} {r} x{n}" for (c, r), n in extra[:4]))
    known = handles.split(",")
    for t in texts:
        if EMAIL.search(t) or PRIVATE.search(t):
            problems.append(f"a post holds an address, a link or a note: {t}")
        if t.split(" ")[0] not in known:
            problems.append(f"a post names no analyst's handle: {t}")
    by = Counter(e["event"] for e in entries)
    print(f"{len(texts)} posts, {sum(expected.values())} events that notify, "
          + ", ".join(f"{r} {by[r]}" for r in sorted(by)))
    for p in problems[:10]:
        print(p)
def webhook(port, out):
    """The team chat's incoming webhook: each POST, a line of `out`."""
    from http.server import HTTPServer, BaseHTTPRequestHandler
    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8", "replace")
            with open(out, "a") as f:
                f.write(json.dumps({"path": self.path, "body": body}) + "\n")
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        def log_message(self, *args):
            pass
    HTTPServer(("127.0.0.1", int(port)), Hook).serve_forever()
globals()[sys.argv[1].replace("-", "_")](*sys.argv[2:])
PY
py() { /usr/bin/python3 "$W/sim.py" "$@"; }

chance() { (( RANDOM % 100 < $1 )); }            # PERCENT
# (RANDOM is never read in a subshell: bash reseeds it there, and the run
# would no longer follow the seed.)
pick() { local a=("$@"); PICK=${a[RANDOM % $#]}; }   # ITEMS...: one of them in PICK
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
count() { COUNT[$1]=$(( ${COUNT[$1]:-0} + ${2:-1} )); }   # NAME [N]
declare -A COUNT
broken() { printf '%s\t%s\n' "$1" "$2" >>"$W/broken"; }   # INVARIANT DETAIL

# The simulated clock: NOW_S only moves forward, NOW is its RFC 3339 form.
NOW_S=$(date -u -d 2026-03-02T00:00:00Z +%s) NOW=
at() { (( $1 > NOW_S )) && NOW_S=$1; printf -v NOW '%(%Y-%m-%dT%H:%M:%SZ)T' "$NOW_S"; }
later() { at $(( NOW_S + $1 )); }                   # SECONDS
at "$NOW_S"

g() { local c=$1; shift; git -C "$W/$c" "$@"; }     # CLONE GIT-ARGS...

# Invariant 6: a product command leaves the work tree clean.
SETUP=1   # init and git-setup leave files for a person to commit: not checked
dirty_check() {                                     # CLONE WHAT
  [ "$SETUP" = 0 ] || return 0
  local s; s=$(g "$1" status --porcelain 2>&1 | head -n 3)
  [ -z "$s" ] || broken dirty-tree "$1 after \`$2\` at $NOW: ${s//$'\n'/; }"
}

# Only the mail host's environment has a transport and the chat's webhook.
SMTP_URL= BASE= HOOK_URL=
host_env() { [ "$1" = portal ] && echo "TICKETS_SMTP_URL=$SMTP_URL TICKETS_WEBHOOK_URL=$HOOK_URL TICKETS_PORTAL_URL=$BASE" || true; }

# tk CLONE ACTOR ARGS...: one tickets command in a clone at the simulated
# instant; stdout in $W/out. An exit status not in TK_OK (default 0) is a
# failure of the product (invariant 8), with its stderr.
tk() {
  local c=$1 actor=$2 rc=0; shift 2
  env $(host_env "$c") TICKETS_DIR="$W/$c/tickets" TICKETS_NOW="$NOW" TICKETS_ACTOR="$actor" \
    tickets "$@" >"$W/out" 2>"$W/err" || rc=$?
  dirty_check "$c" "tickets $*"
  if [[ " ${TK_OK:-0} " != *" $rc "* ]]; then
    broken command-failed "$c: tickets $* at $NOW exited $rc: $(head -c 300 "$W/err" | tr '\n' ' ')"
  fi
  return $rc
}

# ---------------------------------------------------------------- git
# A pull that merges (docs/git.md: pull.rebase=false), counting merges, the
# case files both sides changed (the merge driver's work) and conflicts.
# A conflict is resolved as a person would, keeping origin's version.
pull() {                                            # CLONE
  local c=$1 before rc=0 heads
  before=$(g "$c" rev-parse HEAD)
  g "$c" pull --no-rebase origin main >"$W/git.out" 2>&1 || rc=$?
  if [ $rc -ne 0 ]; then resolve "$c" "git pull"; return 1; fi
  heads=$(g "$c" rev-parse HEAD origin/main)
  if [ "${heads%%$'\n'*}" != "$before" ] && [ "${heads%%$'\n'*}" != "${heads#*$'\n'}" ]; then   # a merge commit of ours
    local base both
    base=$(g "$c" merge-base HEAD^1 HEAD^2)
    both=$(comm -12 <(g "$c" diff --name-only "$base" HEAD^1 | sort) <(g "$c" diff --name-only "$base" HEAD^2 | sort) | wc -l)
    count merges; count driver-merged-files "$both"
  fi
}
resolve() {                                         # CLONE WHAT
  local c=$1 files f
  files=$(g "$c" diff --name-only --diff-filter=U)
  if [ -z "$files" ]; then
    broken command-failed "$c: $2 at $NOW failed: $(tail -n 3 "$W/git.out" | tr '\n' ' ')"
    g "$c" rebase --abort 2>/dev/null || g "$c" merge --abort 2>/dev/null || true
    return
  fi
  for f in $files; do
    count conflicts
    printf '%s\t%s\t%s\t%s\n' "$NOW" "$c" "$f" "$({ grep -E 'CONFLICT|merge-driver|error' "$W/git.out" | grep -F "$(basename "$f" .yaml)" | head -n 2 | tr '\n' ' '; } || true)" >>"$W/conflicts"
    g "$c" checkout --theirs -- "$f" && g "$c" add -- "$f"
  done
  g "$c" commit --quiet --no-edit
}
push() {                                            # CLONE: push, pulling again when refused
  local c=$1 n
  for n in 1 2 3 4 5 6; do
    [ "$(g "$c" rev-list --count origin/main..HEAD)" = 0 ] && return 0
    g "$c" push --quiet origin HEAD:main 2>"$W/git.out" && return 0
    count push-refused
    pull "$c" || true
  done
  broken command-failed "$c could not push in 6 attempts at $NOW"
}

# ---------------------------------------------------------------- cron
# A cron job: its exit status is recorded; any but 0 means it stopped
# (invariant 7), except 6 (store busy), retried.
cron() {                                            # NAME CLONE COMMAND...
  local name=$1 c=$2 rc try; shift 2
  for try in 1 2 3; do
    rc=0; echo "== $NOW" >>"$W/logs/$name.log"
    "$@" >>"$W/logs/$name.log" 2>&1 || rc=$?
    [ $rc -eq 6 ] || break
    count busy-retries; later 60
  done
  count "cron-$name"
  dirty_check "$c" "$name"
  if [ $rc -ne 0 ]; then
    broken cron "$name at $NOW exited $rc: $(tail -n 2 "$W/logs/$name.log" | tr '\n' ' ')"
    # A person puts the clone back in step: conflicts resolved keeping origin's side.
    if [ -n "$(g "$c" diff --name-only --diff-filter=U)" ]; then cp "$W/logs/$name.log" "$W/git.out"; resolve "$c" "$name"; fi
    pull "$c" || true; push "$c"
  fi
}
cron_sweep() { (cd "$W/cron" && TICKETS=$W/bin/tickets TICKETS_NOW=$NOW "$repo/examples/cron-sweep.sh" "$W/cron" tickets); }
cron_remind() { (cd "$W/cron" && TICKETS=$W/bin/tickets TICKETS_NOW=$NOW "$repo/examples/cron-sweep.sh" "$W/cron" tickets remind); }
# The mail host's crontab exactly as docs/chat.md gives it, with the chat's
# webhook beside the mail transport (its variable lines and its job;
# /srv/support is the portal host's clone, our SMTP server its transport,
# our webhook its chat), run as cron runs it: sh, a bare environment.
doc_block() {                                       # FILE LANGUAGE WORD WORD: the file's first such code block
  awk -v lang="$2" -v w1="$3" -v w2="$4" '$0 ~ "^ *```" lang "$" { b = 1; buf = ""; next }
    /^ *```/ { if (b && index(buf, w1) && index(buf, w2) && !done) { printf "%s", buf; done = 1 } b = 0; next }
    b { sub(/^ +/, ""); buf = buf $0 "\n" }' "$1"
}
CRON_VARS=() CRON_JOB=
read_crontab() {
  local line
  while IFS= read -r line; do
    if [[ $line =~ ^([A-Z_]+)=(.*)$ ]]; then
      [ "${BASH_REMATCH[1]}" = TICKETS_SMTP_URL ] && line=TICKETS_SMTP_URL=$SMTP_URL
      [ "${BASH_REMATCH[1]}" = TICKETS_WEBHOOK_URL ] && line=TICKETS_WEBHOOK_URL=$HOOK_URL
      CRON_VARS+=("${line//\/srv\/support/$W/portal}")
    elif [[ $line =~ ^[^[:space:]]+[[:space:]]+[^[:space:]]+[[:space:]]+[^[:space:]]+[[:space:]]+[^[:space:]]+[[:space:]]+[^[:space:]]+[[:space:]]+(.*)$ ]]; then
      CRON_JOB=${BASH_REMATCH[1]//\/srv\/support/$W/portal}
      CRON_JOB=${CRON_JOB//\/opt\/tickets\//$repo/examples/}
      CRON_JOB=$(sed -E 's# *>>? */var/log/[^ ;&|]*##g; s# *2>&1##g' <<<"$CRON_JOB")
    fi
  done < <(doc_block "$repo/docs/chat.md" crontab 'cron-mail-host' 'TICKETS_WEBHOOK_URL')
  [ -n "$CRON_JOB" ] || { echo "simulate-team: no mail host crontab in docs/chat.md" >&2; exit 2; }
  [[ " ${CRON_VARS[*]} " == *" TICKETS_WEBHOOK_URL=$HOOK_URL "* && " ${CRON_VARS[*]} " == *" TICKETS_SMTP_URL=$SMTP_URL "* ]] ||
    { echo "simulate-team: docs/chat.md's crontab sets no TICKETS_SMTP_URL and TICKETS_WEBHOOK_URL" >&2; exit 2; }
}
portal_line() {
  env -i PATH="$PATH" HOME="$W" LOGNAME=portal SHELL=/bin/sh TZ=UTC GIT_CONFIG_GLOBAL="$GIT_CONFIG_GLOBAL" \
    GIT_CONFIG_NOSYSTEM=1 TICKETS_NOW="$NOW" "${CRON_VARS[@]}" sh -c "cd \"\$HOME\" && $CRON_JOB"
}
# The line's pull is counted like any other, so its merges count too.
mail_host_cron() {
  pull portal || broken cron "portal-line at $NOW: its git pull stopped on a conflict (resolved by hand, keeping origin's side)"
  cron portal-line portal portal_line
}

# ---------------------------------------------------------------- the team
ROSTER_L1=(alice bruno eva) ROSTER_L2=(carla felipe) ROSTER_RND=(diego gabi)
declare -A LEVEL=([alice]=l1 [carla]=l2 [diego]=rnd)
declare -A CONTACTS=([Acme Corp]="ana@acme.example joao@acme.example"
  [Globex]="hank@globex.example lisa@globex.example" [Initech]="peter@initech.example milton@initech.example"
  [Umbrella]="jill@umbrella.example chris@eu.umbrella.example")
declare -A MODE=([Acme Corp]=organisation [Globex]=organisation [Initech]=own [Umbrella]=organisation)
CUSTOMERS=("Acme Corp" "Globex" "Initech" "Umbrella")
TOPICS=("Push notifications delayed on Android" "SSO login loop with SAML" "MongoDB replica lag slows reports"
  "API returns 500 on bulk export" "iOS app crashes at start" "LDAP sync drops users" "Server upgrade to 7.2 fails"
  "Database performance after migration" "Login page times out" "Webhook retries flood the server")
CLONES=(alice carla diego portal cron)

setup() {
  git init --quiet --bare "$W/origin.git"
  git clone --quiet "$W/origin.git" "$W/alice" 2>/dev/null
  tk alice alice init >/dev/null
  cat >"$W/alice/tickets/config.yaml" <<'YAML'
id_prefix: RC
auto_close_after_days: 7
remind_after_days: 5
tags: [vip, churn-risk, needs-docs, hotfix-candidate, billing-dispute]
analysts:
  - {id: alice, name: Alice Souza, level: l1, available: true, skills: [mobile, push, ios, android], chat: alice.souza}
  - {id: bruno, name: Bruno Lima, level: l1, available: true, skills: [ldap, sso, login, saml], chat: bruno.lima}
  - {id: eva, name: Eva Costa, level: l1, available: true, skills: [webhook, api, export], chat: eva}
  - {id: carla, name: Carla Mendes, level: l2, available: true, skills: [database, performance, mongodb], chat: carla.mendes}
  - {id: felipe, name: Felipe Dias, level: l2, available: true, skills: [server, upgrade, login], chat: felipe_dias}
  - {id: diego, name: Diego Rocha, level: rnd, available: true, skills: [server, api], chat: diego-rocha}
  - {id: gabi, name: Gabriela Reis, level: rnd, available: true, skills: [mobile, database], chat: gabi.reis}
customers:
  - {name: Acme Corp, plan: mission-critical, domains: [acme.example], portal: organisation}
  - {name: Globex, plan: plus, domains: [globex.example], portal: organisation}
  - {name: Initech, plan: standard, domains: [initech.example], portal: own}
  - {name: Umbrella, plan: plus, domains: [umbrella.example, eu.umbrella.example], portal: organisation}
git:
  commit: true
mail:
  from: "Support <support@desk.example>"
YAML
  # The team's canned answers, reviewed and committed with the store.
  mkdir -p "$W/alice/tickets/templates/answers"
  cp "$repo/tickets.example/templates/answers/logs-please.md" "$repo/tickets.example/templates/answers/fixed-in-release.md" \
    "$W/alice/tickets/templates/answers/"
  tk alice alice git-setup >/dev/null
  g alice add -A && g alice commit --quiet -m "tickets store" && g alice push --quiet -u origin main
  local c
  for c in carla diego portal cron; do
    git clone --quiet "$W/origin.git" "$W/$c"
    tk "$c" "$c" git-setup >/dev/null
  done
  SETUP=0
  for c in "${CLONES[@]}"; do g "$c" config user.name "$c"; g "$c" config user.email "$c@desk.example"; done

  # The mail server, then the portal (restarted whenever the clock moved:
  # `serve` takes its clock at start).
  local port; port=$(free_port)
  /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$W/mbox" >"$W/logs/smtp.log" 2>&1 &
  SMTP_PID=$!
  SMTP_URL=smtp://127.0.0.1:$port
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "simulate-team: aiosmtpd did not start (see $W/logs/smtp.log)" >&2; exit 2; }
  # The team chat's incoming webhook: every POST recorded as a line.
  local hport; hport=$(free_port)
  py webhook "$hport" "$W/posts" >"$W/logs/webhook.log" 2>&1 &
  HOOK_PID=$!
  HOOK_URL=http://127.0.0.1:$hport/hooks/sim/T0KEN$seed
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$hport") 2>/dev/null && break; sleep 0.05; done
  (exec 3<>"/dev/tcp/127.0.0.1/$hport") 2>/dev/null || { echo "simulate-team: the webhook did not start (see $W/logs/webhook.log)" >&2; exit 2; }
  PPORT=$(free_port); BASE=http://127.0.0.1:$PPORT
  read_crontab

  # The mail server's alias exactly as docs/mail.md gives it, on the mail
  # host (/srv/support is its clone).
  local alias
  alias=$(sed -n 's/^support: *"|\(.*intake\)"$/\1/p' "$repo/docs/mail.md" | head -n 1)
  [ -n "$alias" ] || { echo "simulate-team: no intake alias in docs/mail.md" >&2; exit 2; }
  printf '#!/bin/sh\nexec %s 2>>"%s"\n' \
    "$(printf '%s' "$alias" | sed -e "s|/srv/support|$W/portal|g" -e "s|/usr/local/bin/tickets|tickets|")" \
    "$W/logs/mail-errors.log" >"$W/bin/tickets-mail"
  chmod +x "$W/bin/tickets-mail"
}

portal_start() {
  portal_stop
  env $(host_env portal) TICKETS_DIR="$W/portal/tickets" TICKETS_NOW="$NOW" \
    tickets serve --listen "127.0.0.1:$PPORT" --base-url "$BASE" >>"$W/logs/portal.log" 2>&1 &
  PORTAL_PID=$!
  for _ in $(seq 200); do curl -s -o /dev/null "$BASE/" && return 0; sleep 0.05; done
  broken command-failed "tickets serve did not answer at $NOW: $(tail -n 2 "$W/logs/portal.log")"
}
portal_stop() {
  [ -n "$PORTAL_PID" ] || return 0
  local rc=0
  kill -0 "$PORTAL_PID" 2>/dev/null || broken command-failed "tickets serve died before $NOW"
  kill "$PORTAL_PID" 2>/dev/null; wait "$PORTAL_PID" || rc=$?
  [ $rc -eq 0 ] || [ $rc -eq 143 ] || broken command-failed "tickets serve exited $rc on SIGTERM"
  PORTAL_PID=
}

# http METHOD PATH CURL-ARGS...: CODE and LOCATION set, the body in $W/body.
http() {
  local m=$1 p=$2 r; shift 2
  r=$(curl -s -m 30 -X "$m" -b "$W/jar" -c "$W/jar" -H "Origin: $BASE" -o "$W/body" -w '%{http_code} %{redirect_url}' "$@" "$BASE$p") || r="000 "
  CODE=${r%% *} LOCATION=${r#* }
  count http-requests
}
expect() {                                          # CODES WHAT
  if [[ " $1 " != *" $CODE "* ]]; then broken command-failed "portal $2 at $NOW answered $CODE"; return 1; fi
  dirty_check portal "portal $2"
}

# Invariant 11: no page shows a tag (the words of config.yaml's tags).
TAG_WORDS='\b(vip|churn-risk|needs-docs|hotfix-candidate|billing-dispute)\b'
no_tags() {                                         # WHAT
  count pages-checked
  local w; w=$(grep -oiE "$TAG_WORDS" "$W/body" | head -n 1) || true
  [ -z "$w" ] || broken tag-shown "the portal's $1 at $NOW shows the tag $w"
}
# Invariant 5: the IDs the pages named ($W/ids) against the hour's listing;
# then one case the contact must not see, for a 404.
portal_check() {                                    # CONTACT CUSTOMER SEED
  awk -F'\t' -v who="$1" -v cust="$2" -v own="${MODE[$2]}" -v r="$3" '
    FILENAME == ARGV[1] { shown[$1] = 1; next }
    { mine = $2 == cust && (own != "own" || $3 == who || index(" " $4 " ", " " who " ")) }
    ($1 in shown) && !mine { printf "%s (%s, portal: %s) was shown %s of %s <%s>\t\n", who, cust, own, $1, $2, $3 }
    !mine { foreign[n++] = $1 }
    mine && $5 != "-" { tagged[t++] = $1 }
    END { if (n) print "foreign\t" foreign[r % n]; if (t) print "tagged\t" tagged[r % t] }' "$W/ids" "$W/listing.tsv"
}
# A customer's portal visit: sign in with a link from `tickets portal link`,
# check the case list and a case page (invariant 5), then do the errand.
portal_visit() {                                    # CONTACT CUSTOMER ERRAND [ID]
  local who=$1 cust=$2 errand=$3 id=${4:-} link path foreign
  rm -f "$W/jar"
  tk portal portal portal link --email "$who" --base-url "$BASE" || return 0
  link=$(<"$W/out"); path=${link#"$BASE"}
  http GET "$path"
  if [ "$CODE" = 200 ]; then http POST "$path"; fi  # a page with a button (SPEC section 8)
  expect "302 303" "sign-in" || return 0
  http GET /; expect 200 "GET /" || return 0
  no_tags "GET / for $who"
  grep -qi 'sign in' "$W/body" && ! grep -q 'Your cases' "$W/body" && { broken command-failed "portal: $who not signed in at $NOW"; return 0; }
  count portal-visits
  { grep -oE 'RC-[0-9A-Z]{8}' "$W/body" || true; } | sort -u >"$W/ids"
  local probe s=$RANDOM
  [ -n "$id" ] && { http GET "/cases/$id"; expect 200 "GET /cases/$id" && { no_tags "GET /cases/$id"; grep -oE 'RC-[0-9A-Z]{8}' "$W/body" >>"$W/ids" || true; }; }
  while IFS=$'\t' read -r probe foreign; do
    if [ "$probe" = foreign ]; then
      http GET "/cases/$foreign"
      [ "$CODE" = 404 ] || broken portal-isolation "$who ($cust) got $CODE for $foreign, a case it may not see, at $NOW"
    elif [ "$probe" = tagged ]; then                # (a merged one redirects)
      http GET "/cases/$foreign"
      if [ "$CODE" = 200 ]; then count tagged-pages; no_tags "GET /cases/$foreign (tagged)"; else expect 303 "GET /cases/$foreign" || true; fi
    else broken portal-isolation "$probe$foreign"; fi
  done < <(portal_check "$who" "$cust" "$s")
  local n=$((++SERIAL)) file=() topic sev
  pick "${TOPICS[@]}"; topic=$PICK; pick low medium medium high; sev=$PICK
  if chance 30; then printf 'screenshot text %s\n' "$n" >"$W/files/portal-$n.txt"; file=(-F "attachment=@$W/files/portal-$n.txt;type=text/plain"); fi
  case $errand in
    reply) http POST "/cases/$id/reply" -F "message=Here is what you asked for (p$n)" "${file[@]}"
           expect "303 302" "reply to $id" && count portal-replies ;;
    new) http POST /cases -F "summary=$topic (s$n)" -F "description=Seen since this morning (s$n)" \
           -F "severity=$sev" "${file[@]}"
         expect "303 302" "new case" && count opened-portal ;;
    follow-up) http POST "/cases/$id/follow-up" --data-urlencode "summary=It is back (s$n)" \
                 --data-urlencode "description=The problem of $id came back (s$n)"
               expect "303 302" "follow-up of $id" && count follow-ups-portal ;;
  esac
  return 0
}

# ---------------------------------------------------------------- mail in
# eml FILE FROM SUBJECT BODY [EXTRA-HEADERS] [ATTACHMENT-NAME]
eml() {
  local date; printf -v date '%(%a, %d %b %Y %H:%M:%S +0000)T' "$NOW_S"
  {
    printf 'From: %s\r\nTo: support@desk.example\r\nSubject: %s\r\nMessage-ID: <sim%s.%s@%s>\r\nDate: %s\r\n' \
      "$2" "$3" "$SERIAL" "$seed" "${2#*@}" "$date"
    [ -n "${5:-}" ] && printf '%s\r\n' "$5"
    printf 'MIME-Version: 1.0\r\n'
    if [ -n "${6:-}" ]; then
      printf 'Content-Type: multipart/mixed; boundary="b%s"\r\n\r\n--b%s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n' "$SERIAL" "$SERIAL" "$4"
      printf -- '--b%s\r\nContent-Type: text/plain; name="%s"\r\nContent-Disposition: attachment; filename="%s"\r\nContent-Transfer-Encoding: base64\r\n\r\n' "$SERIAL" "$6" "$6"
      printf 'log line %s of seed %s\nerror: something failed\n' "$SERIAL" "$seed" | base64
      printf -- '--b%s--\r\n' "$SERIAL"
    else
      printf 'Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n' "$4"
    fi
  } >"$1"
}
# The mail server pipes a message to `tickets intake`: 0 taken, 65 or 67
# bounced, 75 kept for a retry (none is expected: nothing here runs
# concurrently).
mail_in() {                                         # FILE
  local rc=0
  env $(host_env portal) TICKETS_NOW="$NOW" tickets-mail <"$1" >"$W/out" 2>>"$W/logs/mail-bounces.log" || rc=$?
  dirty_check portal "tickets-mail < $(basename "$1")"
  count mails-in
  case $rc in
    0) ;;
    65|67) count bounced ;;
    *) broken command-failed "tickets-mail < $(basename "$1") at $NOW exited $rc: $(tail -n 1 "$W/logs/mail-errors.log" 2>/dev/null)"
       cp "$1" "$W/mailq/$SERIAL.eml"; return 1 ;;
  esac
}
# A customer's mail sometimes copies a colleague (intake copies them on the
# case) and someone of another company (ignored): COPIED is the colleague.
COPIED=
cc_header() {                                       # SENDER: the header in CC_HEADER, or nothing
  CC_HEADER= COPIED=
  chance 25 || return 0
  local colleagues=("it-lead@${1#*@}" "ops@${1#*@}") other
  pick "${colleagues[@]}"; COPIED=$PICK
  pick "eve@evil.example" "Partner <help@partner.example>" "${CONTACTS[Globex]%% *}"
  other=$PICK; [[ "$other" == *"@${1#*@}" ]] && other="help@partner.example"
  CC_HEADER="Cc: Colleague <$COPIED>, $other"
  count mail-cc
}
copied_on() { [ -z "$COPIED" ] || field_change cc "$1" "+$COPIED"; }   # CASE: intake copied COPIED on it
mail_new() {                                        # a customer mails in a new case
  local cust who n=$((++SERIAL)) att= topic
  pick "${CUSTOMERS[@]}"; cust=$PICK; pick ${CONTACTS[$cust]}; who=$PICK
  chance 30 && att="log-$n.txt"
  pick "${TOPICS[@]}"; topic=$PICK
  cc_header "$who"
  eml "$W/tmp/m.eml" "$who" "$topic (s$n)" "Hello, since today it does not work (s$n)." "$CC_HEADER" "$att"
  if mail_in "$W/tmp/m.eml"; then
    count opened-mail
    local got; got=$(head -n 1 "$W/out")
    [[ "$got" == RC-???????? ]] && copied_on "$got"
  fi
  return 0
}
mail_answer() {                                     # MODE ID EMAIL [TARGET TARGET-STATUS]
  local mode=$1 id=$2 who=$3 target=${4:--} tstatus=${5:--} n=$((++SERIAL)) mid att=
  chance 40 && att=answer-$n.txt
  COPIED= CC_HEADER=
  case $mode in
    mail-tag) cc_header "$who"
      eml "$W/tmp/m.eml" "$who" "Re: [$id] your question" "Version 7.2.$n, log attached.
> Which version?" "$CC_HEADER" "$att" ;;
    mail-thread) mid=$(py thread "$W/mbox" "$W/mbox.index" "$id")
      if [ -z "$mid" ]; then mail_answer mail-tag "$id" "$who"; return; fi
      count thread-replies; cc_header "$who"
      eml "$W/tmp/m.eml" "$who" "Re: your ticket" "Answering in the thread ($n)." "In-Reply-To: $mid"$'\r\n'"References: $mid${CC_HEADER:+$'\r\n'$CC_HEADER}" ;;
    mail-merged) count replies-to-merged
      eml "$W/tmp/m.eml" "$who" "Re: [$id] one more thing (s$n)" "One more detail about it (s$n)." ;;
    out-of-office) count out-of-office
      eml "$W/tmp/m.eml" "$who" "Out of office: Re: [$id]" "I am away until Monday ($n)." "Auto-Submitted: auto-replied" ;;
    mail-closed) count replies-to-closed
      eml "$W/tmp/m.eml" "$who" "Re: [$id] it is back (s$n)" "The problem is back (s$n)." ;;
  esac
  mail_in "$W/tmp/m.eml" || return 0
  # Where did it land? (the wrapper passes on what tickets prints: "ID: reply: ..." or a new ID)
  local got; got=$(head -n 1 "$W/out")
  case $mode in
    mail-tag|mail-thread) if [[ "$got" == "$id"* ]]; then copied_on "$id"
      else broken command-failed "$mode answer to $id at $NOW was recorded as: ${got:-nothing}"; fi ;;
    mail-merged) got=${got%%:*}   # (invariant 12 reads where it landed)
      printf '%s\t%s\t%s\t%s\n' "$NOW" "$id" "$target" "$got" >>"$W/merged-replies.tsv"
      [ "$tstatus" = closed ] || [ "$got" = "$target" ] || broken merge "a mail reply to $id (merged into $target) at $NOW gave: ${got:-nothing}" ;;
    out-of-office) [[ "$got" != RC-???????? ]] || broken command-failed "an out-of-office answer to $id opened $got at $NOW" ;;
    mail-closed) [[ "$got" == RC-???????? && "$got" != "$id" ]] || broken command-failed "a reply to closed $id at $NOW gave: ${got:-nothing}" ;;
  esac
}

# ---------------------------------------------------------------- analysts
NOTE=0
# A tag or CC change that took, for invariant 9's replay: TIME CASE KIND CHANGES.
field_change() { printf '%s\t%s\t%s\t%s\n' "$NOW" "$2" "$1" "$3" >>"$W/fields.log"; }   # KIND CASE CHANGES
act() {                                             # CLONE ACTION ID ASSIGNEE [EXTRA]
  local c=$1 a=$2 id=$3 who=$4 extra=${5:--} n=$((++SERIAL)) att=()
  [[ " ${ROSTER[*]} " == *" $who "* ]] || who=$c
  later $(( 10 + RANDOM % 30 ))
  case $a in
    investigate) tk "$c" "$who" investigate "$id" ;;
    request-info) if chance 15; then printf 'patch %s\n' "$n" >"$W/files/fix-$n.patch"; att=(--attach "$W/files/fix-$n.patch"); fi
      if [ "$extra" != - ]; then
        tk "$c" "$who" request-info "$id" --template "$extra" -m "Thanks, $who (q$n)" "${att[@]}" && count answers-used
      else
        tk "$c" "$who" request-info "$id" -m "Which version runs there, and can you send the log? (q$n)" "${att[@]}"
      fi ;;
    close) if [ "$extra" != - ]; then tk "$c" "$who" close "$id" --template "$extra" && count answers-used
      else tk "$c" "$who" close "$id" --resolution "Fixed by the configuration change $n"; fi ;;
    tag) local changes; read -ra changes <<<"$extra"
      if tk "$c" "$who" tag "$id" "${changes[@]}"; then field_change tag "$id" "$extra"; fi ;;
    cc-add) if tk "$c" "$who" cc "$id" --add "$extra"; then field_change cc "$id" "+$extra"; fi ;;
    cc-remove) if tk "$c" "$who" cc "$id" --remove "$extra"; then field_change cc "$id" "-$extra"; fi ;;
    assign) local i=$(( RANDOM % ${#ROSTER[@]} ))   # a colleague of the desk (chat: "assigned to you")
      [ "${ROSTER[i]}" != "$who" ] || i=$(( (i + 1) % ${#ROSTER[@]} ))
      tk "$c" "$who" assign "$id" "${ROSTER[i]}" ;;
    merge) if tk "$c" "$who" merge "$id" --into "$extra" -m "The same problem as $extra (m$n)"; then count merged; fi ;;
    escalate) pick low medium high
      if [ "$c" = alice ]; then tk "$c" "$who" escalate "$id"; else tk "$c" "$who" escalate "$id" --impact "$PICK"; fi ;;
    note) tk "$c" "$who" note "$id" -m "INTERNAL-NOTE-$((++NOTE)) checked the server logs" ;;
    reply) tk "$c" "$who" reply "$id" -m "The customer phoned: version 7.2.$n (r$n)" ;;
  esac
  count "analyst-$a"
}
phone_case() {                                      # the L1 desk takes a call
  local cust who n=$((++SERIAL)) args=() analyst sev
  pick "${CUSTOMERS[@]}"; cust=$PICK; pick ${CONTACTS[$cust]}; who=$PICK
  chance 70 && args+=(--email "$who")
  if chance 40; then printf 'phone log %s\n' "$n" >"$W/files/call-$n.log"; args+=(--attach "$W/files/call-$n.log"); fi
  pick "${ROSTER_L1[@]}"; analyst=$PICK; pick low medium high; sev=$PICK; pick "${TOPICS[@]}"
  later 60
  tk alice "$analyst" open --customer "$cust" --channel phone --severity "$sev" \
    --summary "$PICK (s$n)" --description "Called in (s$n)" "${args[@]}" && count opened-phone
  return 0
}
PHONE=0   # calls taken since the L1 desk's last sync
desk_work() {                                       # CLONE CAPACITY
  local c=$1 a id who
  if [ "$c" = alice ]; then while (( PHONE > 0 )); do phone_case; PHONE=$((PHONE - 1)); done; fi
  case $c in alice) ROSTER=("${ROSTER_L1[@]}") ;; carla) ROSTER=("${ROSTER_L2[@]}") ;; *) ROSTER=("${ROSTER_RND[@]}") ;; esac
  tk "$c" "$c" list --format json || return 0
  py plan "${LEVEL[$c]}" "$RANDOM" "$2" 0.25 "$SYNC_SEED" "$SYNC_AT" <"$W/out" >"$W/plan"
  while IFS=$'\t' read -r a id who extra; do
    TK_OK="0 4" act "$c" "$a" "$id" "$who" "$extra" || true
  done <"$W/plan"
}

# ---------------------------------------------------------------- a day
# Working hours 08-19: mail and portal traffic; every second hour the desks
# sync; the mail host's line at :55. Every hour: the sweep. 09:00: remind.
simulate_day() {                                    # DAY NEW-CASES
  local d=$1 q=$2 h i t0 mode id em cust
  local -a per_hour=(0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)
  for ((i = 0; i < q; i++)); do (( ++per_hour[8 + RANDOM % 12] )); done
  for h in $(seq 0 23); do
    t0=$(( START + d * 86400 + h * 3600 ))
    at "$t0"; cron sweep cron cron_sweep
    [ "$h" = 9 ] && { later 60; cron remind cron cron_remind; }
    if (( h < 8 || h > 19 )); then
      (( h % 4 == 0 )) && { later 300; mail_host_cron; }
      continue
    fi
    # Customers: new cases by mail (45%), portal (35%) and phone (20%), and answers.
    at $(( t0 + 300 ))
    local portal_new=0 f
    for f in "$W"/mailq/*; do [ -e "$f" ] || continue; mail_in "$f" || true; rm -f "$f"; done   # the mail server retries
    for ((i = 0; i < per_hour[h]; i++)); do
      if chance 45; then later 20; mail_new; elif chance 64; then portal_new=$((portal_new + 1)); else PHONE=$((PHONE + 1)); fi
    done
    tk portal portal list --all --format json && cp "$W/out" "$W/customers.json"
    local s=$RANDOM
    local visits=()
    local target tstatus
    while IFS=$'\t' read -r mode id em cust target tstatus; do
      case $mode in
        portal) visits+=("reply|$id|$em|$cust") ;;
        portal-follow-up) visits+=("follow-up|$id|$em|$cust") ;;
        *) later 20; mail_answer "$mode" "$id" "$em" "$target" "$tstatus" ;;
      esac
    done < <(py customers "$s" 0.12 0.004 0.05 "$W/listing.tsv" <"$W/customers.json")
    for ((i = 0; i < portal_new; i++)); do pick "${CUSTOMERS[@]}"; visits+=("new|-|-|$PICK"); done
    chance 30 && { pick "${CUSTOMERS[@]}"; visits+=("look|-|-|$PICK"); }
    if [ ${#visits[@]} -gt 0 ]; then
      later 60; portal_start
      local v errand
      for v in "${visits[@]}"; do
        IFS='|' read -r errand id em cust <<<"$v"
        # A contact of a `portal: own` customer sees only the cases opened with its address.
        [[ "${MODE[$cust]}" = own && "$em" = - && "$errand" != new && "$errand" != look ]] && continue
        [ "$em" = - ] && { pick ${CONTACTS[$cust]}; em=$PICK; }
        portal_visit "$em" "$cust" "$errand" "${id#-}"
      done
    fi
    # The desks: all pull, all work, then all push (a refused push pulls
    # again: merges, through the driver when both sides touched a case).
    if (( h % 2 == 0 )); then
      at $(( t0 + 1500 ))
      local c
      SYNC_SEED=$RANDOM SYNC_AT=$NOW   # the case every desk may tag this time (sim.py's hot_case)
      for c in alice carla diego; do pull "$c" || true; done
      for c in alice carla diego; do desk_work "$c" $(( 4 + q / 3 )); done
      for c in alice carla diego; do push "$c"; done
    fi
    at $(( t0 + 3300 )); mail_host_cron
  done
}

# ---------------------------------------------------------------- checks
final_sync() {
  local round c heads
  for round in 1 2 3 4; do
    for c in "${CLONES[@]}"; do pull "$c" >/dev/null || true; push "$c"; done
    heads=$(for c in "${CLONES[@]}"; do g "$c" rev-parse HEAD; done; git --git-dir="$W/origin.git" rev-parse HEAD)
    [ "$(sort -u <<<"$heads" | wc -l)" = 1 ] && return 0
  done
}
broken_of() {                                       # KIND: its lines of $W/broken in problems
  mapfile -t problems < <(awk -F'\t' -v k="$1" '$1 == k && ++n <= 10 { print $2 }
                                END { if (n > 10) print "... and " n - 10 " more" }' "$W/broken")
}
verdict() {                                         # NAME PROBLEMS...
  local name=$1; shift
  if [ $# -eq 0 ]; then echo "ok: $name"; else FAILED=1; local p; for p in "$@"; do echo "BROKEN: $name: $p"; done; fi
}
check_invariants() {
  local c problems=() tree id ref sha p
  git clone --quiet "$W/origin.git" "$W/fresh"
  local all=("${CLONES[@]}" fresh)
  tree=$(git --git-dir="$W/origin.git" rev-parse HEAD:tickets)
  for c in "${all[@]}"; do
    [ "$(g "$c" rev-parse HEAD:tickets)" = "$tree" ] || problems+=("$c holds tree $(g "$c" rev-parse HEAD:tickets), origin $tree")
    [ -z "$(g "$c" status --porcelain)" ] || problems+=("$c's work tree differs from its HEAD")
  done
  verdict "1 every clone holds the same store" "${problems[@]}"; problems=()
  for c in "${all[@]}"; do
    TICKETS_DIR=$W/$c/tickets TICKETS_NOW=$NOW tickets check >"$W/tmp/check" 2>&1 || problems+=("$c: $(head -n 3 "$W/tmp/check" | tr '\n' ' ')")
  done
  verdict "2 tickets check passes on every clone and a fresh clone" "${problems[@]}"; problems=()
  TICKETS_DIR=$W/portal/tickets tickets list --all --format json >"$W/all.json"
  /usr/bin/python3 -c 'import json,sys; [print(c["id"]) for c in json.load(open(sys.argv[1]))]' "$W/all.json" >"$W/ids.all"
  while read -r id; do TICKETS_DIR=$W/portal/tickets tickets show "$id" --format json >"$W/shows/$id.json"; done <"$W/ids.all"
  py attachments "$W/shows" >"$W/attachments.tsv"
  while IFS=$'\t' read -r id ref sha; do
    for c in "${all[@]}"; do
      if ! TICKETS_DIR=$W/$c/tickets tickets attachment "$id" "$ref" --output "$W/tmp/att" 2>"$W/tmp/att.err"; then
        problems+=("$c: $id $ref: $(head -n 1 "$W/tmp/att.err")")
      elif [ "$(sha256sum <"$W/tmp/att" | cut -d' ' -f1)" != "$sha" ]; then problems+=("$c: $id $ref: bytes differ from sha256 $sha"); fi
    done
  done <"$W/attachments.tsv"
  verdict "3 every attachment reads back on every clone ($(wc -l <"$W/attachments.tsv") files)" "${problems[@]:0:10}"
  local figures; mapfile -t problems < <(py check-mail "$W/mbox" "$W/shows" "$W/portal/tickets/sent")
  figures=${problems[0]}; problems=("${problems[@]:1}")
  verdict "4 every support event mailed exactly once, nothing internal (messages: $figures)" "${problems[@]}"
  for name in "portal-isolation:5 no customer saw another's case" "dirty-tree:6 no work tree left dirty" \
              "cron:7 no cron job stopped" "command-failed:8 no command or request failed"; do
    broken_of "${name%%:*}"
    verdict "${name#*:}" "${problems[@]}"
  done
  MAILS=${figures%% *}
  mapfile -t problems < <(py check-fields "$W/shows" "$W/fields.log" "$W/conflicts")
  FIELDS=${problems[0]}; problems=("${problems[@]:1}")
  verdict "9 tags and CC are what every clone's commands and intake's Cc: give ($FIELDS)" "${problems[@]}"
  mapfile -t problems < <(py check-recipients "$W/mbox" "$W/shows" "$W/conflicts")
  figures=${problems[0]}; problems=("${problems[@]:1}")
  verdict "10 every message went To the contact and Cc the case's CC of the moment ($figures)" "${problems[@]}"
  broken_of tag-shown
  while IFS= read -r p; do problems+=("$p"); done <"$W/tags-in-mail"
  verdict "11 no mail and no portal page shows a tag (${COUNT[pages-checked]:-0} pages, ${COUNT[tagged-pages]:-0} of tagged cases)" "${problems[@]:0:10}"
  broken_of merge
  local more; mapfile -t more < <(py check-merges "$W/shows" "$W/merged-replies.tsv")
  MERGED=${more[0]}
  verdict "12 every merged case is closed into its customer's case, and mail to it lands there ($MERGED)" "${problems[@]}" "${more[@]:1}"
  local handles; handles=$(sed -n 's/.*chat: \([^}]*\)}$/@\1/p' "$W/portal/tickets/config.yaml" | paste -sd, -)
  mapfile -t problems < <(py check-chat "$W/posts" "$W/portal/tickets/sent" "$W/shows" "/${HOOK_URL#http://127.0.0.1:*/}" "$handles,(unassigned)")
  POSTS=${problems[0]}; problems=("${problems[@]:1}")
  verdict "13 every chat notification posted once, each event that notifies posted, nothing private ($POSTS)" "${problems[@]}"
}

# ---------------------------------------------------------------- run
START=$NOW_S
T_START=$EPOCHREALTIME
setup
echo "simulate-team: $days day(s), $cases case(s), seed $seed, $bin, in $W"
echo "mail host's crontab (docs/chat.md): ${CRON_VARS[*]} $CRON_JOB"
declare -a DAY_TIMES=()
SERIAL=0 FAILED=0
# On a terminal, a progress line on stderr (day, and the time left at the
# pace so far), cleared at the end; nothing in a pipe, cron or CI.
progress() {                                        # DONE
  [ -t 2 ] || return 0
  local done=$1 left=""
  if (( done > 0 )); then
    left=$(awk -v a="$T_START" -v b="$EPOCHREALTIME" -v d="$done" -v n="$days" \
      'BEGIN { printf ", about %d s left", (b - a) / d * (n - d) }')
  fi
  printf '\rsimulating day %d of %d%s\033[K' "$(( done + 1 > days ? days : done + 1 ))" "$days" "$left" >&2
}
for ((d = 0; d < days; d++)); do
  progress "$d"
  t=$EPOCHREALTIME
  simulate_day "$d" $(( cases / days + (d < cases % days ? 1 : 0) ))
  DAY_TIMES+=("$(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')")
done
if [ -t 2 ]; then printf '\r\033[K' >&2; fi
at $(( START + days * 86400 ))
portal_stop
final_sync; mail_host_cron; final_sync
echo "invariants:"
check_invariants
echo "figures:"
printf '  cases %s (opened by mail %s, portal %s, phone %s; follow-ups by portal %s, replies to closed cases %s)\n' \
  "$(wc -l <"$W/ids.all")" "${COUNT[opened-mail]:-0}" "${COUNT[opened-portal]:-0}" "${COUNT[opened-phone]:-0}" \
  "${COUNT[follow-ups-portal]:-0}" "${COUNT[replies-to-closed]:-0}"
printf '  events %s; messages sent %s; mails in %s (bounced %s, out-of-office %s, thread replies %s)\n' \
  "$(py events "$W/shows")" "$MAILS" "${COUNT[mails-in]:-0}" "${COUNT[bounced]:-0}" "${COUNT[out-of-office]:-0}" "${COUNT[thread-replies]:-0}"
printf '  portal visits %s, requests %s; cron runs: sweep %s, remind %s, mail host %s (busy retries %s)\n' \
  "${COUNT[portal-visits]:-0}" "${COUNT[http-requests]:-0}" "${COUNT[cron-sweep]:-0}" "${COUNT[cron-remind]:-0}" \
  "${COUNT[cron-portal-line]:-0}" "${COUNT[busy-retries]:-0}"
printf '  day-one features: tag commands %s, cc changes %s, mails with Cc: %s, canned answers used %s, duplicates merged %s (mail replies to them %s), chat posts %s\n' \
  "${COUNT[analyst-tag]:-0}" "$(( ${COUNT[analyst-cc-add]:-0} + ${COUNT[analyst-cc-remove]:-0} ))" "${COUNT[mail-cc]:-0}" \
  "${COUNT[answers-used]:-0}" "${COUNT[merged]:-0}" "${COUNT[replies-to-merged]:-0}" "$(wc -l <"$W/posts")"
printf '  merges %s (case files merged by the driver %s), refused pushes %s, conflicts %s\n' \
  "${COUNT[merges]:-0}" "${COUNT[driver-merged-files]:-0}" "${COUNT[push-refused]:-0}" "${COUNT[conflicts]:-0}"
[ -s "$W/conflicts" ] && awk -F'\t' '{ printf "    conflict %s in %s: %s %s\n", $1, $2, $3, $4 }' "$W/conflicts" | head -n 10
printf '  wall time per simulated day: %s s (total %.0f s)\n' "${DAY_TIMES[*]}" "$(awk -v a="$T_START" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
printf '  disk: origin %s, clones %s\n' "$(du -sh "$W/origin.git" | cut -f1)" \
  "$(for c in "${CLONES[@]}"; do printf '%s %s  ' "$c" "$(du -sh "$W/$c" | cut -f1)"; done)"
exit "$FAILED"
