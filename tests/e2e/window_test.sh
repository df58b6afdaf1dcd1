#!/usr/bin/env bash
# End-to-end: `opsgate window` and the window rules of `opsgate check` on real git repositories:
# open/closed with why and when, deny windows, pack freezes and holidays, environments, the
# Argo CD and GitLab forms, daylight saving, invalid windows, revisions, --emergency and --wait.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

D1="2026-10-01T12:00:00+02:00"
D2="2026-10-15T12:00:00+02:00"
THU_EVENING="2026-11-26T21:30:00+01:00"
THU_MORNING="2026-11-26T10:00:00+01:00"

# A pack with no rule about windows themselves, one organisation freeze and the French holidays.
setup() {
PACK="${E2E_TMP}/pack"
write_file "${PACK}/pack.toml" <<'EOF'
[pack]
name = "acme"
version = "1.0.0"
environments = ["production", "staging"]
holidays = "FR"

[[freeze]]
from = 2026-08-03T00:00:00+02:00
to = 2026-08-10T00:00:00+02:00
reason = "summer change freeze"
environments = ["production"]

[[holiday]]
date = 2026-12-24
name = "Christmas Eve"

[[rule]]
id = "WIN-900"
area = "release_window"
title = "Releases happen inside an open window"
severity = "error"
level = 1
help = "Wait for the window."
check = [ { key = "release_window", window_open = true } ]
EOF
R="$(service_repo billing "${WINDOWS}")"
}

WINDOWS='[release_window]
timezone = "Europe/Paris"
[[release_window.allow]]
days = ["mon", "tue", "wed", "thu"]
start = "20:00"
end = "23:30"
environments = ["production"]
[[release_window.deny]]
from = 2026-12-18T00:00:00
to = 2027-01-04T08:00:00
reason = "year-end invoicing freeze"'

# service_repo NAME RELEASE_WINDOW: a repository whose manifest has that [release_window].
service_repo() {
  local repo
  repo="$(new_repo "$1")"
  write_file "${repo}/operability.toml" <<EOF
schema = 1

[service]
name = "billing-api"
owner = "team-payments"

$2
EOF
  commit_all "${repo}" "${D1}" "service"
  printf '%s\n' "${repo}"
}

window() {
  local repo="$1"
  shift
  run_in "${repo}" window --rules "${PACK}" "$@"
}

# --- open and closed ------------------------------------------------------------------------

scenario "open and closed, with why and when" scenario_open_and_closed_with_why_and
scenario_open_and_closed_with_why_and() {
window "${R}" --at "${THU_EVENING}"
assert_exit "thursday 21:30 Paris: open, exit 0" 0
assert_matches "open: first word" "${OUT}" "^open: release window of billing-api for production \(Europe/Paris\)"
assert_contains "open: names the window" "${OUT}" "inside allow window mon,tue,wed,thu 20:00-23:30"
assert_contains "open: closes at 23:30 local and UTC" "${OUT}" \
  "closes at   Thu 2026-11-26 23:30 CET (2026-11-26T22:30:00Z)"

window "${R}" --at "${THU_MORNING}"
assert_exit "thursday 10:00 Paris: closed, exit 1" 1
assert_matches "closed: first word" "${OUT}" "^closed: "
assert_contains "closed: outside every window" "${OUT}" "outside every allow window"
assert_contains "closed: next opening local and UTC" "${OUT}" \
  "next opens  Thu 2026-11-26 20:00 CET (2026-11-26T19:00:00Z)"

window "${R}" --at "${THU_MORNING}" --format json
assert_exit "json closed: exit 1" 1
assert_json "json: the contract's fields" \
  "d['open'] is False and d['next_open'] == '2026-11-26T19:00:00Z' and d['closes_at'] is None and d['timezone'] == 'Europe/Paris' and 'outside' in d['reason']"
assert_json "json: cause, local times, service" \
  "d['cause'] == 'outside' and d['local']['next_open'] == '2026-11-26T20:00:00+01:00' and d['service'] == 'billing-api' and len(d['revision']) == 40"

window "${R}" --at "${THU_EVENING}" --format json
assert_json "json open: closes_at" "d['open'] is True and d['closes_at'] == '2026-11-26T22:30:00Z' and d['next_open'] is None and d['cause'] == 'allow'"

window "${R}" --at "2026-11-26T22:30:00Z"
assert_exit "23:30 Paris is the end of the half-open window: closed" 1
window "${R}" --at "2026-11-26T19:00:00Z"
assert_exit "20:00 Paris is the start: open" 0

window "${R}" --at "2026-11-27T21:00:00+01:00" --format json
assert_json "friday evening: next opening is monday 20:00" "d['next_open'] == '2026-11-30T19:00:00Z'"

window "${R}" --at "${THU_MORNING}" --quiet
assert_eq "--quiet: the verdict line only" "closed: release window of billing-api for production (Europe/Paris)" "${OUT}"
}

# --- deny windows, freezes, holidays -----------------------------------------------------------

scenario "deny windows, freezes and holidays" scenario_deny_windows_freezes_and_holidays
scenario_deny_windows_freezes_and_holidays() {
window "${R}" --at "2026-12-21T21:00:00+01:00" --format json
assert_exit "inside the manifest's deny window: closed" 1
assert_json "deny: reason and next opening after it" \
  "d['cause'] == 'deny' and 'year-end invoicing freeze' in d['reason'] and d['next_open'] == '2027-01-04T19:00:00Z'"

window "${R}" --at "2026-08-04T21:00:00+02:00" --format json
assert_exit "inside the pack's summer freeze: closed" 1
assert_json "freeze: reason names it and the pack" \
  "d['cause'] == 'freeze' and 'summer change freeze' in d['reason'] and 'acme' in d['reason'] and d['next_open'] == '2026-08-10T18:00:00Z'"

window "${R}" --at "2026-05-25T21:00:00+02:00" --format json
assert_exit "Whit Monday (FR calendar): closed" 1
assert_json "holiday: Lundi de Pentecôte, next opening the day after" \
  "d['cause'] == 'holiday' and 'Lundi de Pentecôte' in d['reason'] and d['next_open'] == '2026-05-26T18:00:00Z'"

window "${R}" --at "2027-03-29T21:00:00+02:00" --format json
assert_json "Easter Monday 2027 is computed too" "d['cause'] == 'holiday' and 'Pâques' in d['reason']"

R2="$(service_repo no-deny '[release_window]
timezone = "Europe/Paris"
[[release_window.allow]]
days = ["thu"]
start = "20:00"
end = "23:30"')"
window "${R2}" --at "2026-12-24T21:00:00+01:00" --format json
assert_json "a [[holiday]] date of the pack closes the local day" \
  "d['cause'] == 'holiday' and 'Christmas Eve' in d['reason']"
window "${R2}" --at "2026-08-06T21:00:00+02:00" --env staging
assert_exit "the freeze is for production only: staging is open" 0
}

# --- environments ------------------------------------------------------------------------------

scenario "environments" scenario_environments
scenario_environments() {
window "${R}" --at "${THU_EVENING}" --env staging --format json
assert_exit "no allow window for staging: closed" 1
assert_json "no allow window: never opens, answered at once" \
  "d['cause'] == 'no_allow' and d['next_open'] is None and 'staging' in d['reason']"

window "${R}" --at "${THU_EVENING}" --env prod
assert_exit "unknown --env: exit 2" 2
assert_contains "unknown --env: names it" "${ERR}" "unknown environment 'prod'"
}

# --- emergency ---------------------------------------------------------------------------------

scenario "emergency" scenario_emergency
scenario_emergency() {
window "${R}" --at "${THU_MORNING}" --emergency "INC-4711 card payments down" --format json
assert_exit "--emergency: exit 0 although closed" 0
assert_json "--emergency: recorded, the truth kept" \
  "d['open'] is False and d['emergency'] == 'INC-4711 card payments down'"
}

# --- Argo CD and GitLab forms, daylight saving ----------------------------------------------------

scenario "Argo CD and GitLab forms" scenario_argo_cd_and_gitlab_forms
scenario_argo_cd_and_gitlab_forms() {
R3="$(service_repo cron-forms '[release_window]
timezone = "Europe/Paris"
[[release_window.allow]]
cron = "0 20 * * 1-4"
duration = "3h30m"
[[release_window.deny]]
freeze_start = "0 0 21 12 *"
freeze_end = "0 8 4 1 *"
reason = "year-end"')"
window "${R3}" --at "${THU_EVENING}"
assert_exit "Argo CD cron window: open thursday 21:30" 0
assert_contains "Argo CD cron window: named" "${OUT}" 'inside allow window cron "0 20 * * 1-4" for 3h30m'
window "${R3}" --at "2026-12-22T21:00:00+01:00" --format json
assert_json "GitLab freeze: closed until its freeze_end, next opening after it" \
  "d['cause'] == 'deny' and d['next_open'] == '2027-01-04T19:00:00Z'"
}

scenario "daylight saving transitions" scenario_daylight_saving_transitions
scenario_daylight_saving_transitions() {
R4="$(service_repo dst '[release_window]
timezone = "Europe/Paris"
[[release_window.allow]]
days = ["sun"]
start = "02:30"
end = "04:00"')"
window "${R4}" --at "2026-03-29T00:59:59Z"
assert_exit "spring forward: before the transition, closed" 1
window "${R4}" --at "2026-03-29T01:00:00Z" --format json
assert_exit "spring forward: a start in the skipped hour opens at the transition" 0
assert_json "spring forward: closes at 04:00 CEST" "d['closes_at'] == '2026-03-29T02:00:00Z'"
window "${R4}" --at "2026-10-25T00:30:00Z"
assert_exit "fall back: an ambiguous start is the earlier 02:30" 0
}

# --- check uses the same windows ---------------------------------------------------------------

scenario "check uses the same windows" scenario_check_uses_the_same_windows
scenario_check_uses_the_same_windows() {
run_in "${R}" check --rules "${PACK}" --at "${THU_EVENING}"
assert_exit "check: inside the window passes" 0
run_in "${R}" check --rules "${PACK}" --at "${THU_MORNING}" --format json
assert_exit "check: outside the window fails" 1
assert_json "check: the window rule fails with when it opens" \
  "st('WIN-900') == 'fail' and 'next opens at Thu 2026-11-26 20:00 CET' in f('WIN-900')['message']"
run_in "${R}" check --rules "${PACK}" --at "${THU_MORNING}" --emergency "INC-4711" --format json
assert_exit "check --emergency: passes" 0
assert_json "check --emergency: the window rule is waived, the reason recorded" \
  "st('WIN-900') == 'waived' and d['emergency'] == 'INC-4711'"
}

# --- invalid windows ---------------------------------------------------------------------------

scenario "invalid windows" scenario_invalid_windows
scenario_invalid_windows() {
R5="$(service_repo invalid '[release_window]
timezone = "Europe/Pariss"
[[release_window.allow]]
days = ["mon"]
start = "25:00"
end = "23:00"
[[release_window.allow]]
cron = "0 20 * * 1-9"
duration = "3h"')"
run_in "${R5}" check --rules "${PACK}" --at "${THU_EVENING}" --format json
assert_exit "invalid windows: check fails (exit 1, not 2)" 1
assert_json "invalid windows: GATE-SCHEMA at the timezone's line:column" \
  "any(x['rule'] == 'GATE-SCHEMA' and x['status'] == 'fail' and x['location']['line'] == 8 and x['location']['column'] == 12 and 'IANA' in x['message'] for x in m()['findings'])"
assert_json "invalid windows: GATE-SCHEMA at 25:00" \
  "any(x['rule'] == 'GATE-SCHEMA' and x['location']['line'] == 11 and '25:00' in x['message'] for x in m()['findings'])"
assert_json "invalid windows: GATE-SCHEMA at the bad cron" \
  "any(x['rule'] == 'GATE-SCHEMA' and x['location']['line'] == 14 and 'day of week 9' in x['message'] for x in m()['findings'])"
window "${R5}" --at "${THU_EVENING}" --format json
assert_exit "invalid windows: window says closed (exit 1)" 1
assert_json "invalid windows: cause invalid, problems listed with positions" \
  "d['cause'] == 'invalid' and 'operability.toml:8:12' in d['reason'] and len(d['problems']) == 3"

BAD_PACK="${E2E_TMP}/bad-pack"
write_file "${BAD_PACK}/pack.toml" <<'EOF'
[pack]
name = "bad"
holidays = "ZZ"
EOF
window "${R}" --rules "${BAD_PACK}" --at "${THU_EVENING}"
assert_exit "unknown holiday calendar in a pack: exit 2" 2
assert_contains "unknown holiday calendar: file:line:column" "${ERR}" "pack.toml:3:12: unknown holiday calendar \"ZZ\""
}

# --- revisions, work tree, manifests -------------------------------------------------------------

scenario "revisions and the work tree" scenario_revisions_and_the_work_tree
scenario_revisions_and_the_work_tree() {
R6="$(service_repo revs "${WINDOWS}")"
sed -i 's/start = "20:00"/start = "09:00"/' "${R6}/operability.toml"
commit_all "${R6}" "${D2}" "move the window to the morning"
window "${R6}" --at "${THU_MORNING}"
assert_exit "HEAD: the morning window is open" 0
window "${R6}" --at "${THU_MORNING}" --rev HEAD~1
assert_exit "--rev HEAD~1: the evening window, closed in the morning" 1
sed -i 's/start = "09:00"/start = "11:00"/' "${R6}/operability.toml"
window "${R6}" --at "${THU_MORNING}"
assert_exit "an uncommitted edit is not read without --worktree" 0
window "${R6}" --at "${THU_MORNING}" --worktree
assert_exit "--worktree reads the edit" 1
}

scenario "several manifests, or none" scenario_several_manifests_or_none
scenario_several_manifests_or_none() {
MONO="$(new_repo mono)"
for svc in a b; do
  write_file "${MONO}/services/${svc}/operability.toml" <<EOF
schema = 1
[service]
name = "${svc}"
owner = "team-${svc}"
${WINDOWS}
EOF
done
commit_all "${MONO}" "${D1}" "two services"
window "${MONO}" --at "${THU_EVENING}"
assert_exit "several manifests without --manifest: exit 2" 2
assert_contains "several manifests: says to choose" "${ERR}" "choose one with --manifest"
window "${MONO}" --at "${THU_EVENING}" --manifest services/b/operability.toml
assert_exit "--manifest picks one service" 0
assert_contains "--manifest: that service" "${OUT}" "release window of b for production"

EMPTY="$(new_repo empty)"
printf 'x\n' | write_file "${EMPTY}/README.md"
commit_all "${EMPTY}" "${D1}" "no manifest"
window "${EMPTY}" --at "${THU_EVENING}" --format json
assert_exit "no manifest at the revision: closed (exit 1)" 1
assert_json "no manifest: cause" "d['cause'] == 'no_manifest'"
}

scenario "invalid options" scenario_invalid_options
scenario_invalid_options() {
window "${R}" --at "not-a-time"
assert_exit "invalid --at: exit 2" 2
window "${R}" --at "${THU_EVENING}" --format yaml
assert_exit "unknown --format: exit 2" 2
}

# --- --wait ------------------------------------------------------------------------------------

scenario "wait: usage errors" scenario_wait_usage_errors
scenario_wait_usage_errors() {
window "${R}" --at "${THU_MORNING}" --wait 1h
assert_exit "--wait with --at: exit 2" 2
window "${R}" --wait 3x
assert_exit "--wait with a bad duration: exit 2" 2
}

# A window that opens a few seconds from now (UTC), closed before.
scenario "wait: until the window opens" scenario_wait_until_the_window_opens
scenario_wait_until_the_window_opens() {
OPENS="$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%S)"
R7="$(service_repo wait "[release_window]
timezone = \"UTC\"
[[release_window.allow]]
start = \"00:00\"
end = \"00:00\"
[[release_window.deny]]
from = 2000-01-01T00:00:00
to = ${OPENS}")"
window "${R7}" --wait 1s
assert_exit "--wait shorter than the time to the opening: closed at once" 1
STARTED=$(date +%s)
window "${R7}" --wait 2m
ELAPSED=$(($(date +%s) - STARTED))
assert_exit "--wait: waits for the opening, then exit 0" 0
assert_contains "--wait: says what it waits for" "${ERR}" "waiting until"
if ((ELAPSED >= 1 && ELAPSED < 30)); then pass_ "--wait: waited about 3 seconds"; else fail_ "--wait: waited ${ELAPSED}s"; fi
}

# --- the examples, as examples/README.md says ------------------------------------------------------

scenario "the billing-api example, as examples/README.md says" scenario_the_billing_api_example_as_examples
scenario_the_billing_api_example_as_examples() {
EX="$(new_repo billing-example)"
cp -r "${OPSGATE_SOURCE_DIR}/examples/billing-api/." "${EX}/"
commit_all "${EX}" "${D1}" "import the example"
run_in "${EX}" check --rules "${BASELINE}" --at "${THU_EVENING}" --stage deploy --format json
assert_exit "billing-api example deployed at thursday 21:30: pass" 0
assert_json "billing-api: the window rules pass" "st('WIN-001') == 'pass' and st('WIN-002') == 'pass' and st('WIN-003') == 'pass'"
run_in "${EX}" check --rules "${BASELINE}" --at "${THU_MORNING}" --stage deploy --format json
assert_exit "billing-api example deployed at 10:00: fail" 1
assert_json "billing-api deployed at 10:00: only WIN-003 fails" \
  "[x['rule'] for x in m()['findings'] if x['status'] == 'fail'] == ['WIN-003']"
run_in "${EX}" check --rules "${BASELINE}" --at "${THU_MORNING}" --format json
assert_exit "billing-api example merged at 10:00: pass (a merge is not a release)" 0
assert_json "billing-api merged at 10:00: WIN-003 is skipped, at the merge stage" \
  "d['stage'] == 'merge' and st('WIN-003') == 'skipped' and 'only at stage deploy' in f('WIN-003')['message']"
run_in "${EX}" window --rules "${BASELINE}" --at "${THU_MORNING}"
assert_contains "opsgate window on the example says when it opens" "${OUT}" "next opens  Thu 2026-11-26 20:00 CET"
}

run_scenarios "$@"
