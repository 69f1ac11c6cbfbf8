#!/usr/bin/env bash
# Regenerates tickets.example/ by driving the real `tickets` binary through
# three and a half weeks of a support desk (November 2026), one command at a
# time, with TICKETS_NOW set to each command's instant.
#
#   bash scripts/make-example-store.sh        # rewrites tickets.example/
#
# Case IDs are random by design (two clones never collide), so the script
# renames each case to a fixed ID at the end; everything else in the files is
# exactly what the binary wrote. Re-running it reproduces the committed files
# byte for byte.
#
# The README pins `--now 2026-11-26T12:00:00Z`: at that instant two waiting
# cases are past the 7-day rule (the sweep --dry-run example prints them) and
# two are not.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --quiet --bin tickets
BIN="${CARGO_TARGET_DIR:-target}/debug/tickets"

OUT=tickets.example
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
STORE="$WORK/store"

# Only what the script sets reaches the binary.
unset TICKETS_DIR TICKETS_NOW TICKETS_ACTOR TICKETS_LOCK_TIMEOUT
export TICKETS_DIR="$STORE"

t() { "$BIN" "$@"; }
at() { export TICKETS_NOW="$1"; }

ORDER=()   # variable names of the cases, in the order they were opened

# open VAR ACTOR ARGS...: opens a case and stores its ID in $VAR.
open_case() {
    local var=$1 actor=$2
    shift 2
    local id
    id=$(t --as "$actor" open "$@")
    printf -v "$var" '%s' "$id"
    ORDER+=("$var")
}

field() { sed -n "s/^$2: //p" "$STORE/$1.yaml"; }

# analyst COMMAND ID ARGS...: the case's current assignee acts on it.
analyst() {
    local command=$1 id=$2
    shift 2
    t --as "$(field "$id" assignee)" "$command" "$id" "$@" >/dev/null
}

# as WHO COMMAND ID ARGS...: someone else acts (a lead assigning, R&D).
as() {
    local who=$1
    shift
    t --as "$who" "$@" >/dev/null
}

# customer ID MESSAGE: the customer's contact answered.
customer() {
    t --as "$(field "$1" email)" reply "$1" --message "$2" >/dev/null
}

t init >/dev/null
cat >"$STORE/config.yaml" <<'EOF'
# The example store of `tickets`: a small support desk in November 2026.
# Case files (<ID>.yaml) sit beside this file; see the README.

id_prefix: RC

# Cases waiting for the customer are auto-closed by `tickets sweep` after
# this many days without a response.
auto_close_after_days: 7

# The roster. Routing picks the available analyst of the right level whose
# skills best match the words of a case's summary and description; ties go
# to the fewest active cases, then to roster order.
analysts:
  - id: alice
    name: Alice Souza
    level: l1
    available: true
    skills: [mobile, push, ios, android, notifications]
  - id: bruno
    name: Bruno Lima
    level: l1
    available: true
    skills: [ldap, sso, saml, login, oauth, 2fa]
  - id: fernanda
    name: Fernanda Alves
    level: l1
    available: true
    skills: [livechat, omnichannel, whatsapp, email, widget]
  - id: gabriel
    name: Gabriel Nunes
    level: l1
    available: false     # on parental leave until January
    skills: [billing, license, upgrade, invoice]
  - id: helena
    name: Helena Prado
    level: l1
    available: true
    skills: [install, upgrade, docker, server, license]
  - id: carla
    name: Carla Mendes
    level: l2
    available: true
    skills: [database, mongodb, performance, search, slow, audit]
  - id: joao
    name: João Ferreira
    level: l2
    available: true
    skills: [push, mobile, federation, matrix, webhook, whatsapp, apps]
  - id: diego
    name: Diego Rocha
    level: rnd
    available: true
    skills: [server, api, crash, mongodb, push]
  - id: kenji
    name: Kenji Sato
    level: rnd
    available: true
    skills: [apps, marketplace, mobile, android, ios, omnichannel]

# Customers and their plans: standard (12x5 business hours), plus (24x7),
# mission-critical (24x7). `domains` lets `open --from-email` recognise a
# customer's people.
customers:
  - name: Acme Corp
    plan: mission-critical
    domains: [acme.example]
  - name: Umbrella Health
    plan: mission-critical
    domains: [umbrella-health.example]
  - name: Globex
    plan: plus
    domains: [globex.example]
  - name: Stark Logistics
    plan: plus
    domains: [stark-logistics.example]
  - name: Initech
    plan: standard
    domains: [initech.example]
  - name: Wayne Foods
    plan: standard
    domains: [waynefoods.example]

# The covered hours of the standard plan (a business day is one such day).
business_hours:
  timezone: America/Sao_Paulo
  start: "08:00"
  end: "20:00"
  holidays: [2026-11-02, 2026-11-20, 2026-12-25, 2027-01-01]

# The tags analysts may put on a case (`tickets tag ID +billing -ios`):
# internal, never shown to customers; `list --tag`, `stats --by tag`.
tags: [billing, ios, android, sso, upgrade]
EOF

# ---- Mon 2 Nov ---------------------------------------------------------------
at 2026-11-02T12:10:00Z
open_case RETENTION portal --customer "Acme Corp" --channel portal --severity low \
    --email compliance@acme.example \
    --summary "Where is the message retention policy setting?" \
    --description "Legal asks us to keep messages for 90 days only.
Where do we configure that in 7.x? We could not find it under Accounts."
at 2026-11-02T12:35:00Z
analyst request-info "$RETENTION" --message "It is under Administration > Workspace > Settings > Retention Policy.
Enable it, set 'Maximum message age in channels' (and groups, DMs) to 90 days.
Does that cover what Legal needs?"

at 2026-11-02T14:02:00Z
open_case SAML mailbox --customer Globex --channel email --email it-ops@globex.example \
    --summary "SSO login loop after SAML certificate rotation" \
    --description "Since we rotated the IdP signing certificate this morning, every user
bounces between Okta and the Rocket.Chat login page. Local admin login works."
at 2026-11-02T14:30:00Z
analyst investigate "$SAML" --note "Reproduced with a test user: the SAML response is rejected as unsigned."
at 2026-11-02T15:10:00Z
analyst request-info "$SAML" --message "Please send a SAML trace of one login and the certificate fingerprint
shown in Administration > SAML > Certificate."

# ---- Tue 3 Nov ---------------------------------------------------------------
at 2026-11-03T09:20:00Z
customer "$RETENTION" "Found it, retention is running. Thanks!"
at 2026-11-03T09:45:00Z
analyst close "$RETENTION" --resolution "Pointed the customer to the Retention Policy settings; confirmed working."

at 2026-11-03T11:00:00Z
customer "$SAML" "Trace attached. The fingerprint in the admin still shows the old certificate."
at 2026-11-03T11:30:00Z
analyst request-info "$SAML" --message "The old certificate is still in SAML_Custom_Default_cert. Paste the rotated
certificate (PEM) there, save, and try to log in again."

at 2026-11-03T16:00:00Z
open_case WHATSAPP mailbox --customer "Umbrella Health" --channel email --severity high \
    --email helpdesk@umbrella-health.example \
    --summary "WhatsApp omnichannel messages delivered twice" \
    --description "Since Friday every inbound WhatsApp message shows up twice in the agent's room,
and patients receive two answers. About 40 agents are affected."
at 2026-11-03T16:20:00Z
analyst investigate "$WHATSAPP"

# ---- Wed 4 Nov ---------------------------------------------------------------
at 2026-11-04T10:15:00Z
customer "$SAML" "New certificate saved; everybody can log in again. You can close this."
at 2026-11-04T10:30:00Z
analyst close "$SAML" --resolution "Stale IdP certificate in SAML_Custom_Default_cert. The customer pasted the
rotated certificate; login confirmed for all users."

at 2026-11-04T13:00:00Z
analyst escalate "$WHATSAPP" --note "Duplicates reproduced on staging with the WhatsApp Cloud connector"
at 2026-11-04T17:00:00Z
analyst request-info "$WHATSAPP" --message "Which connector version do you run? Please export 10 minutes of webhook
deliveries from the Meta developer dashboard."

# ---- Thu 5 Nov ---------------------------------------------------------------
at 2026-11-05T12:00:00Z
customer "$WHATSAPP" "Connector 2.3.0. Export attached: Meta retries every webhook because our
server answers after about 12 seconds."
at 2026-11-05T12:45:00Z
analyst escalate "$WHATSAPP" --impact medium --note "The webhook handler acknowledges after processing, so Meta retries and we
insert twice. Affects every workspace using the WhatsApp Cloud connector."

# ---- Fri 6 Nov ---------------------------------------------------------------
at 2026-11-06T09:00:00Z
as carla assign "$WHATSAPP" kenji --note "Omnichannel apps belong to Kenji's team"
at 2026-11-06T09:05:00Z
analyst investigate "$WHATSAPP" --note "Picked up by R&D; fix planned for 7.1.3."

# ---- Mon 9 Nov ---------------------------------------------------------------
at 2026-11-09T14:00:00Z
analyst request-info "$WHATSAPP" --message "The fix is in 7.1.3-rc.1. Could you try it on your staging workspace?"

# ---- Tue 10 Nov --------------------------------------------------------------
at 2026-11-10T11:00:00Z
customer "$WHATSAPP" "Staging on 7.1.3-rc.1: 200 test messages, no duplicates."
at 2026-11-10T11:30:00Z
analyst close "$WHATSAPP" --resolution "Fixed in 7.1.3: the WhatsApp Cloud webhook is acknowledged before
processing, so Meta no longer retries. Verified by the customer on staging."

at 2026-11-10T12:00:00Z
open_case EXPORT portal --customer Initech --channel portal --severity low \
    --email maria.souza@initech.example \
    --summary "How do I export a channel's history?" \
    --description "Our auditors want the history of #finance for October as a file."
at 2026-11-10T12:20:00Z
analyst request-info "$EXPORT" --message "Open the room, then the kebab menu > Export messages, choose 'File' and
the date range. Does that give your auditors what they need?"

# ---- Wed 11 Nov --------------------------------------------------------------
at 2026-11-11T10:00:00Z
open_case PUSH hotline --customer "Acme Corp" --channel phone --email noc@acme.example \
    --summary "Push notifications stopped on iOS" \
    --description "No push on any iPhone since this morning; Android is fine.
About 2,000 field engineers rely on push to get dispatched."
at 2026-11-11T10:12:00Z
analyst investigate "$PUSH"
at 2026-11-11T11:00:00Z
analyst escalate "$PUSH" --note "Push gateway answers BadDeviceToken for every iOS token; not a configuration issue"
at 2026-11-11T15:00:00Z
analyst request-info "$PUSH" --message "Did you renew the APNs certificate or change the bundle ID recently?"

# ---- Thu 12 Nov --------------------------------------------------------------
at 2026-11-12T08:30:00Z
customer "$PUSH" "No changes on our side. Our MDM rolled out iOS 26.2 to all phones two days ago."
at 2026-11-12T09:00:00Z
analyst escalate "$PUSH" --impact high --note "iOS 26.2 hands out sandbox APNs tokens to release builds; the gateway sends
them to production. Every iOS user on 26.2 loses push, across all customers."
at 2026-11-12T09:30:00Z
as joao assign "$PUSH" diego --note "The push gateway is the server team's"

at 2026-11-12T13:00:00Z
open_case CRASH hotline --customer "Umbrella Health" --channel phone --email infra@umbrella-health.example \
    --summary "Server crashes under load" \
    --description "The workspace restarts every ~30 minutes at peak (8,000 concurrent users).
Logs show MongoServerError on the change stream before each restart."
at 2026-11-12T13:10:00Z
analyst investigate "$CRASH"
at 2026-11-12T14:00:00Z
analyst escalate "$CRASH" --note "MongoDB change stream errors before each restart"
at 2026-11-12T16:00:00Z
analyst request-info "$CRASH" --message "Please download the support dump (Administration > Workspace > Info) and run
db.serverStatus() on the primary during the next peak."

# ---- Fri 13 Nov --------------------------------------------------------------
at 2026-11-13T10:00:00Z
customer "$CRASH" "Dump and serverStatus attached; replica set lag was 50 ms at the time."
at 2026-11-13T14:00:00Z
analyst escalate "$CRASH" --impact medium --note "Change streams on a lagging 3-node replica set exhaust the oplog cursor and
the server exits. Reproducible in the lab; any large self-hosted install is exposed."
at 2026-11-13T14:30:00Z
as carla assign "$CRASH" diego --note "Server team"

# ---- Mon 16 Nov --------------------------------------------------------------
at 2026-11-16T09:00:00Z
analyst investigate "$CRASH" --note "Reproduced with 5,000 simulated users; working on a cursor resume fix."

at 2026-11-16T11:30:00Z
open_case SEARCH mailbox --customer "Acme Corp" --channel email --email ops@acme.example \
    --summary "Message search takes 40 seconds in large channels" \
    --description "Searching #general (1.2 million messages) takes 40 s and sometimes times out.
Small channels are fine."
at 2026-11-16T11:45:00Z
analyst investigate "$SEARCH"
at 2026-11-16T13:00:00Z
analyst escalate "$SEARCH" --note "Slow on our lab copy too; looks like a missing index"

at 2026-11-16T17:00:00Z
open_case MARKETPLACE portal --customer "Stark Logistics" --channel portal --severity low \
    --email admin@stark-logistics.example \
    --summary "Marketplace app install fails with error 500" \
    --description "Installing the Jira app from the Marketplace fails with 'Internal server error'.
Other apps install fine."

# ---- Tue 17 Nov --------------------------------------------------------------
at 2026-11-17T09:00:00Z
open_case WIDGET mailbox --customer "Stark Logistics" --channel email --email web@stark-logistics.example \
    --summary "LiveChat widget does not load on our website" \
    --description "The livechat widget stopped appearing on stark-logistics.example yesterday.
Nothing changed on our side as far as we know."
at 2026-11-17T09:30:00Z
analyst request-info "$WIDGET" --message "Please open the browser console on your site and send us the errors, and
check that your site is listed in Omnichannel > Livechat > Allowed domains."

at 2026-11-17T10:00:00Z
analyst investigate "$MARKETPLACE"
at 2026-11-17T11:00:00Z
analyst escalate "$MARKETPLACE" --note "Marketplace apps: install of Jira app fails server side"
at 2026-11-17T13:00:00Z
t sweep >/dev/null   # the hourly cron job: the export question waited 7 days
at 2026-11-17T15:00:00Z
analyst escalate "$MARKETPLACE" --impact low --note "The app bundle exceeds the 20 MB upload limit of the apps engine; only
this app is affected. Workaround: raise Apps_Framework_Source_Package_Size_Limit."
at 2026-11-17T15:20:00Z
as joao assign "$MARKETPLACE" kenji --note "Apps engine"

# ---- Wed 18 Nov --------------------------------------------------------------
at 2026-11-18T11:00:00Z
analyst request-info "$SEARCH" --message "Please send the output of db.rocketchat_message.getIndexes() and the
server version."

at 2026-11-18T14:00:00Z
open_case ANDROID hotline --customer "Wayne Foods" --channel phone --email it@waynefoods.example \
    --summary "Android app crashes at login" \
    --description "Since the app update yesterday, the Android app crashes right after
entering the password. Around 300 store managers cannot log in."
at 2026-11-18T14:10:00Z
analyst investigate "$ANDROID"
at 2026-11-18T15:00:00Z
analyst escalate "$ANDROID" --note "Crash reproduced on Android 15 with biometric unlock enabled"

# ---- Thu 19 Nov --------------------------------------------------------------
at 2026-11-19T10:00:00Z
analyst escalate "$ANDROID" --impact medium --note "Null pointer in the biometric prompt on Android 15; every customer with
biometric unlock on Android 15 is affected. Workaround: disable biometric unlock."
at 2026-11-19T10:30:00Z
as joao assign "$ANDROID" kenji --note "Mobile apps team"

# ---- Fri 20 Nov --------------------------------------------------------------
at 2026-11-20T12:00:00Z
open_case SAML_AGAIN mailbox --customer Globex --channel email --email it-ops@globex.example \
    --follow-up-of "$SAML" \
    --summary "SSO login loop is back after the upgrade to 7.2" \
    --description "Same symptom as two weeks ago: users bounce between Okta and the login page,
this time right after upgrading to 7.2. The certificate is the new one."
at 2026-11-20T12:30:00Z
analyst investigate "$SAML_AGAIN" --note "7.2 changed the default of SAML_Custom_Default_signature_validation_type."

at 2026-11-20T13:00:00Z
open_case RECEIPTS portal --customer "Wayne Foods" --channel portal --email it@waynefoods.example \
    --summary "Read receipts missing for some users" \
    --description "Some users never get read receipts, others do."
at 2026-11-20T13:30:00Z
analyst request-info "$RECEIPTS" --message "Is 'Read receipts' enabled under Administration > Message? Which users are
affected, and how do they connect (web, desktop, mobile)?"

# ---- Sat 21 Nov --------------------------------------------------------------
at 2026-11-21T10:00:00Z
customer "$RECEIPTS" "It is enabled. The affected users all use the mobile app."

# ---- Mon 23 Nov --------------------------------------------------------------
at 2026-11-23T12:00:00Z
analyst request-info "$RECEIPTS" --message "Mobile 4.51 had a receipts bug. Please ask one affected user to update
to 4.52 and tell us whether receipts appear."

at 2026-11-23T14:00:00Z
open_case FEDERATION portal --customer Globex --channel portal --email it-ops@globex.example \
    --summary "Federation with partner server fails" \
    --description "Rooms federated with chat.partner.example stopped syncing on Friday.
Our Matrix federation logs show 401 from their homeserver."
at 2026-11-23T14:20:00Z
analyst investigate "$FEDERATION"
at 2026-11-23T15:00:00Z
analyst escalate "$FEDERATION" --note "Matrix signing keys look rotated on the partner side"

# ---- Tue 24 Nov --------------------------------------------------------------
at 2026-11-24T11:00:00Z
open_case VIDEO hotline --customer "Stark Logistics" --channel phone --email ops@stark-logistics.example \
    --summary "Video calls drop after 10 minutes" \
    --description "Video calls in the dispatch room drop after exactly 10 minutes."
at 2026-11-24T11:20:00Z
analyst reassess "$VIDEO" --severity medium --note "Only the dispatch room's calls; other calls are fine. Not a hotline case."
at 2026-11-24T11:25:00Z
analyst investigate "$VIDEO"

at 2026-11-24T15:00:00Z
open_case LOGOUT mailbox --customer Globex --channel email --email it-ops@globex.example \
    --summary "Users logged out every hour" \
    --description "Since Monday users must login again every hour, on web and desktop."
at 2026-11-24T15:30:00Z
analyst request-info "$LOGOUT" --message "What is the value of Accounts_LoginExpiration in Administration > Accounts?"

# ---- Wed 25 Nov --------------------------------------------------------------
at 2026-11-25T09:00:00Z
customer "$LOGOUT" "It is 1 (day), but people are still logged out every hour."

at 2026-11-25T10:00:00Z
open_case AUDIT mailbox --customer "Umbrella Health" --channel email --email compliance@umbrella-health.example \
    --summary "Audit log export misses events" \
    --description "The audit log export for October has no entries for 12-14 October,
although we know admins changed permissions on those days."
at 2026-11-25T10:30:00Z
analyst escalate "$AUDIT" --note "Audit log gap confirmed in the database; needs L2"
at 2026-11-25T14:00:00Z
analyst request-info "$AUDIT" --message "Were there server restarts or upgrades between 12 and 14 October?"

at 2026-11-25T16:00:00Z
open_case LICENSE mailbox --customer Initech --channel email --email maria.souza@initech.example \
    --summary "License count wrong after upgrade" \
    --description "After the upgrade to 7.2 the admin says we use 480 of 300 seats,
but we only have 250 active users."

at 2026-11-25T17:00:00Z
open_case TWOFACTOR portal --customer Initech --channel portal --severity low \
    --email maria.souza@initech.example \
    --summary "Two-factor codes by email arrive 20 minutes late" \
    --description "2FA codes sent by email often arrive after they expired."
at 2026-11-25T17:30:00Z
analyst request-info "$TWOFACTOR" --message "Which SMTP relay do you use, and does other mail from the server arrive on time?"

# ---- Thu 26 Nov --------------------------------------------------------------
at 2026-11-26T09:00:00Z
customer "$AUDIT" "Yes: we upgraded to 7.1 on 12 October and rolled back on the 14th."

# ---- Fixed IDs, then copy into the repository ----------------------------------
# One fixed ID per case, in the order the cases were opened.
FIXED=(RC-2B7K9Q4M RC-3F8TNW6D RC-4H2XJR7C RC-5M9PZK3E RC-6Q4VDS8A RC-7K3QX9MT
    RC-8N5BGY2W RC-9R6CHT5P RC-A2J7MF9V RC-B8W3KX6N RC-C4Z9PD2R RC-D7T2QH8S
    RC-E3Y6NM4G RC-F9V5RB7J RC-G6K8WT3Z RC-H2P4SC9X RC-J5D7YA6Q RC-K8M3VE2T)
if [ "${#ORDER[@]}" -gt "${#FIXED[@]}" ]; then
    echo "make-example-store: ${#ORDER[@]} cases but only ${#FIXED[@]} fixed IDs" >&2
    exit 1
fi
sed_args=()
for i in "${!ORDER[@]}"; do
    sed_args+=(-e "s/${!ORDER[$i]}/${FIXED[$i]}/g")
done
for i in "${!ORDER[@]}"; do
    random="${!ORDER[$i]}"
    sed "${sed_args[@]}" "$STORE/$random.yaml" >"$STORE/${FIXED[$i]}.yaml.new"
    rm "$STORE/$random.yaml"
done
for file in "$STORE"/*.yaml.new; do
    mv "$file" "${file%.new}"
done

mkdir -p "$OUT"
rm -f "$OUT"/RC-*.yaml
cp "$STORE/config.yaml" "$STORE/.gitignore" "$OUT/"
cp "$STORE"/RC-*.yaml "$OUT/"
echo "wrote $(ls "$OUT"/RC-*.yaml | wc -l) cases to $OUT/"
