#!/usr/bin/env bash
# End-to-end: stages (--stage commit|push|merge|deploy, `stages` on rules and overrides), the
# maturity ratchet (GATE-LEVEL-DROP, GATE-EVIDENCE-REMOVED, GATE-SCOPE-CHANGED) and new findings
# (`"new"`, SARIF baselineState, --fail-on-new), on real repositories and real `git push`es.
#
# The release-window scenarios use the baseline pack and the billing-api example, as a new user
# would; the ratchet scenarios a small pack written into the temp dir. Every run pins --at.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SAT="2026-11-28T10:00:00+01:00"     # a Saturday morning: every baseline window is closed
MON_EVENING="2026-11-30T21:00:00+01:00"  # inside the billing-api window (mon-thu 20:00-23:30)
AT="2026-11-26T10:00:00+01:00"
D1="2026-10-01T12:00:00+02:00"
D2="2026-11-20T12:00:00+01:00"
D3="2026-11-21T12:00:00+01:00"
D4="2026-11-22T12:00:00+01:00"

# --- fixtures -----------------------------------------------------------------------------

# setup: PACK, the ratchet scenarios' rules. Level 1: an owner; level 2: backups kept a week
# (stateful services), a runbook with a Restore section, a recent restore test (critical and
# high tiers); level 3: a dashboard (a warning).
setup() {
PACK="${E2E_TMP}/pack"
write_file "${PACK}/rules.toml" <<'EOF'
[pack]
name = "stages-e2e"
version = "1.0.0"

[[rule]]
id = "STG-OWNER"
area = "service"
title = "The service has an owner"
severity = "error"
level = 1
help = "Set service.owner."
check = [ { key = "service.owner", present = true } ]

[[rule]]
id = "STG-BACKUP"
area = "backup"
title = "Backups are kept a week"
severity = "error"
level = 2
when = [ { key = "service.stateful", equals = true } ]
help = "Set backup.retention_days to 7 or more."
check = [ { key = "backup.retention_days", type = "integer", min = 7 } ]

[[rule]]
id = "STG-RESTORE"
area = "backup"
title = "Critical restores were tested this year"
severity = "error"
level = 2
tiers = ["critical", "high"]
help = "Rehearse a restore and set backup.last_restore_test."
check = [ { key = "backup.last_restore_test", max_age_days = 365 } ]

[[rule]]
id = "STG-RUNBOOK"
area = "runbook"
title = "The runbook says how to restore"
severity = "error"
level = 2
help = "Write docs/runbook.md with a Restore section."
check = [ { key = "runbook.path", path_exists = true, has_sections = ["Restore"] } ]

[[rule]]
id = "STG-DASHBOARD"
area = "monitoring"
title = "The service has a dashboard"
severity = "warning"
level = 3
help = "Set monitoring.dashboard to the dashboard's URL."
check = [ { key = "monitoring.dashboard", matches = 'https://\S+' } ]
EOF
# A pack that turns the level ratchet off, loaded after PACK.
NO_RATCHET="${E2E_TMP}/no-ratchet"
write_file "${NO_RATCHET}/pack.toml" <<'EOF'
[pack]
name = "no-ratchet"
ratchet = false
EOF
}

# pay_manifest: the pay service's manifest; TIER, STATEFUL, RETENTION, DASHBOARD and RESTORE
# (the whole last_restore_test line; set it empty to leave the key out) change it. The defaults
# pass every rule of PACK: level 3.
pay_manifest() {
  cat <<EOF
schema = 1

[service]
name = "pay"
owner = "team-pay"
tier = "${TIER:-critical}"
stateful = ${STATEFUL:-true}

[backup]
retention_days = ${RETENTION:-14}
${RESTORE-last_restore_test = 2026-11-01}

[monitoring]
dashboard = "${DASHBOARD:-https://grafana.example.org/d/pay}"

[runbook]
path = "docs/runbook.md"
EOF
}

RUNBOOK='# Runbook

## Restore

Restore the latest snapshot.
'

# pay_repo NAME [DIR]: a repository whose DIR (default: the root) holds the pay service at level
# 3, committed at D1; prints the repository's path. BASE is that commit.
pay_repo() {
  local repo dir
  repo="$(new_repo "$1")"
  dir="${repo}${2:+/$2}"
  pay_manifest | write_file "${dir}/operability.toml"
  printf '%s' "${RUNBOOK}" | write_file "${dir}/docs/runbook.md"
  commit_all "${repo}" "${D1}" "pay at level 3" >/dev/null
  printf '%s\n' "${repo}"
}

# billing_repo NAME: a repository holding the billing-api example (it passes the baseline; its
# release window is mon-thu 20:00-23:30, Paris time), committed at D1; prints its path.
billing_repo() {
  local repo
  repo="$(new_repo "$1")"
  cp -r "${OPSGATE_SOURCE_DIR}/examples/billing-api/." "${repo}/"
  commit_all "${repo}" "${D1}" "billing-api" >/dev/null
  printf '%s\n' "${repo}"
}

# push DIR ARGS...: `git push ARGS` in DIR; sets RC, OUT and ERR (git's output, with a remote's
# lines; a pre-push hook's stdout lands in OUT).
push() {
  local dir="$1"
  shift
  (cd "${dir}" && git push "$@" >"${E2E_TMP}/.stdout" 2>"${E2E_TMP}/.stderr")
  RC=$?
  OUT="$(cat "${E2E_TMP}/.stdout")"
  ERR="$(cat "${E2E_TMP}/.stderr")"
}

# ref_of REPO REF: the id REF names in REPO, or "none".
ref_of() {
  git -C "$1" rev-parse -q --verify "$2" 2>/dev/null || echo none
}

# before TEXT FIRST SECOND: FIRST occurs in TEXT, and before SECOND when SECOND does too.
before() {
  local text="$1" first="$2" second="$3"
  local until_first="${text%%"${first}"*}" until_second="${text%%"${second}"*}"
  [[ "${until_first}" != "${text}" ]] || return 1
  ((${#until_first} < ${#until_second}))
}

# --- stages and the release window --------------------------------------------------------

scenario "a new user pushes a README change on a Saturday: accepted, the deploy refuses" \
  scenario_new_user_saturday
scenario_new_user_saturday() {
ORIGIN="${E2E_TMP}/origin.git"
git init -q --bare -b main "${ORIGIN}"
DEV="${E2E_TMP}/dev"
git clone -q "${ORIGIN}" "${DEV}" 2>/dev/null
git -C "${DEV}" checkout -q -b main
cp -r "${OPSGATE_SOURCE_DIR}/examples/billing-api/." "${DEV}/"
commit_all "${DEV}" "${D1}" "billing-api"
push "${DEV}" -q origin main

# As the README says: install the hook, with the baseline and (here) a pinned clock.
REPORT="${E2E_TMP}/push-report.json"
run_in "${DEV}" hook install --rules "${BASELINE}" --at "${SAT}" --no-color --report "json=${REPORT}"
assert_exit "hook install succeeds" 0
assert_contains "the installed hook carries the Saturday --at" "$(cat "${DEV}/.git/hooks/pre-push")" \
  "--at=${SAT}"

git -C "${DEV}" checkout -q -b readme-typo
printf '\nTypo fixed.\n' >>"${DEV}/README.md"
commit_all "${DEV}" "2026-11-28T09:30:00+01:00" "README: typo"
push "${DEV}" origin readme-typo
assert_exit "the Saturday push of a README change is accepted" 0
assert_eq "the branch reached the remote" "$(ref_of "${DEV}" HEAD)" \
  "$(ref_of "${ORIGIN}" refs/heads/readme-typo)"
assert_contains "the hook's verdict is a pass" "${OUT}${ERR}" "opsgate: PASS: 0 failed"
assert_contains "the verdict line ends with the push stage" "${OUT}${ERR}" \
  "(1 manifest, production, push stage)"
assert_not_contains "WIN-003 is not what a push is judged on" "${OUT}${ERR}" "WIN-003"
assert_json "the push report says stage push" "d['stage'] == 'push'" "${REPORT}"
assert_json "at the push stage WIN-003 is skipped, saying why" \
  "st('WIN-003') == 'skipped' and f('WIN-003')['message'] == 'only at stage deploy; checking at push'" \
  "${REPORT}"
assert_json "the declared window policy is still judged at push (WIN-001, WIN-002 pass)" \
  "st('WIN-001') == 'pass' and st('WIN-002') == 'pass'" "${REPORT}"

# The same commit, asked by a deployment job on that Saturday: the window is closed.
run_in "${DEV}" check --rev refs/heads/readme-typo --rules "${BASELINE}" --at "${SAT}" \
  --stage deploy --no-color
assert_exit "the same commit deployed on Saturday is refused" 1
assert_matches "the deploy check fails WIN-003" "${OUT}" "FAIL +WIN-003 "
assert_contains "the deploy check says the window is closed and when it opens" "${OUT}" \
  "release_window is closed at Sat 2026-11-28 10:00 CET"
assert_contains "the deploy verdict: one failure" "${OUT}" "opsgate: FAIL: 1 failed, 0 warnings"
assert_contains "the deploy verdict line ends with the deploy stage" "${OUT}" \
  "(1 manifest, production, deploy stage)"
run_in "${DEV}" check --rev refs/heads/readme-typo --rules "${BASELINE}" --at "${MON_EVENING}" \
  --stage deploy --no-color
assert_exit "deployed on Monday evening, inside the window, it passes" 0
}

scenario "check at the merge stage passes on a Saturday, at the deploy stage it does not" \
  scenario_merge_versus_deploy
scenario_merge_versus_deploy() {
R="$(billing_repo billing)"
run_in "${R}" check --rules "${BASELINE}" --at "${SAT}" --no-color
assert_exit "check (merge by default) on a Saturday passes" 0
assert_contains "the text header names the merge stage" "${OUT}" \
  "opsgate 0.1.0 · production · merge stage · 2026-11-28T09:00:00Z"
assert_contains "the verdict line names the merge stage" "${OUT}" \
  "(1 manifest, production, merge stage)"
run_in "${R}" check --rules "${BASELINE}" --at "${SAT}" --format json
assert_json "JSON: stage merge, right after environment" \
  "d['stage'] == 'merge' and list(d).index('stage') == list(d).index('environment') + 1"
assert_json "merge: WIN-003 skipped as a deploy-only rule" \
  "st('WIN-003') == 'skipped' and f('WIN-003')['message'] == 'only at stage deploy; checking at merge'"
assert_json "merge: the window policy rules still apply" \
  "st('WIN-001') == 'pass' and st('WIN-002') == 'pass'"

for stage in commit push; do
  run_in "${R}" check --rules "${BASELINE}" --at "${SAT}" --stage "${stage}" --format json
  assert_exit "--stage ${stage} on a Saturday passes" 0
  assert_json "--stage ${stage}: the report says so, WIN-003 skipped" \
    "d['stage'] == '${stage}' and st('WIN-003') == 'skipped'"
done

run_in "${R}" check --rules "${BASELINE}" --at "${SAT}" --stage deploy --format json
assert_exit "--stage deploy on a Saturday fails" 1
assert_json "deploy: only WIN-003 fails" \
  "d['stage'] == 'deploy' and [x['rule'] for x in m()['findings'] if x['status'] == 'fail'] == ['WIN-003']"
assert_json "deploy: outside the window the service is held at level 2 (WIN-003 is level 3)" \
  "m()['level'] == 2"
run_in "${R}" check --rules "${BASELINE}" --at "${SAT}" --stage=deploy --emergency "INC-1 outage" \
  --format json
assert_exit "deploy on a Saturday with --emergency passes" 0
assert_json "the emergency waives WIN-003 at the deploy stage" "st('WIN-003') == 'waived'"
run_in "${R}" check --rules "${BASELINE}" --at "${MON_EVENING}" --stage deploy
assert_exit "deploy inside the window passes" 0
run_in "${R}" explain --rules "${BASELINE}" WIN-003
assert_contains "explain WIN-003 says it applies at the deploy stage only" "${OUT}" "  stages: deploy"
run_in "${R}" explain --rules "${BASELINE}" WIN-001
assert_not_contains "explain WIN-001 (every stage) names no stages" "${OUT}" "stages:"

# The stage in every format.
run_in "${R}" check --rules "${BASELINE}" --at "${SAT}" --stage deploy \
  --report "junit=${E2E_TMP}/r.xml" --report "sarif=${E2E_TMP}/r.sarif" \
  --report "codequality=${E2E_TMP}/r.cq.json" --report "markdown=${E2E_TMP}/r.md"
assert_contains "JUnit: the stage is a property" "$(cat "${E2E_TMP}/r.xml")" \
  '<property name="stage" value="deploy"/>'
assert_json "SARIF: the stage is in the run's properties" \
  "d['runs'][0]['properties']['stage'] == 'deploy'" "${E2E_TMP}/r.sarif"
assert_json "Code Quality: the stage is in each entry's provenance" \
  "[e['opsgate']['stage'] for e in d] == ['deploy']" "${E2E_TMP}/r.cq.json"
assert_contains "Markdown: the stage is in the counts line" "$(cat "${E2E_TMP}/r.md")" \
  'environment `production` · stage `deploy`'
}

scenario "check --stage with an unknown value is exit 2 with a message" scenario_bad_stage
scenario_bad_stage() {
R="$(billing_repo billing)"
run_in "${R}" check --rules "${BASELINE}" --at "${SAT}" --stage release \
  --report "json=${E2E_TMP}/error.json"
assert_exit "check --stage release: exit 2" 2
assert_contains "the message names the value and the stages" "${ERR}" \
  "--stage 'release': expected one of commit, push, merge, deploy"
assert_eq "nothing on stdout" "" "${OUT}"
assert_json "the requested report is still written, as an error" \
  "d['outcome'] == 'error' and 'commit, push, merge, deploy' in d['error']" "${E2E_TMP}/error.json"
run_in "${R}" check --rules "${BASELINE}" --at "${SAT}" --stage Deploy
assert_exit "stages are lower-case: --stage Deploy is exit 2" 2
run_in "${R}" check --rules "${BASELINE}" --at "${SAT}" --stage ""
assert_exit "an empty --stage is exit 2, not the default" 2
assert_contains "an empty --stage is named as such" "${ERR}" "--stage '': expected one of"
HEAD_SHA="$(ref_of "${R}" HEAD)"
(cd "${R}" && printf 'refs/heads/main %s refs/heads/main %s\n' "${HEAD_SHA}" \
  0000000000000000000000000000000000000000 |
  "${OPSGATE}" hook pre-push --rules "${BASELINE}" --at "${SAT}" --stage prod \
    >"${E2E_TMP}/.stdout" 2>"${E2E_TMP}/.stderr")
RC=$?
OUT="$(cat "${E2E_TMP}/.stdout")"
ERR="$(cat "${E2E_TMP}/.stderr")"
assert_exit "hook pre-push --stage prod: exit 2" 2
assert_contains "the hook names the bad stage" "${ERR}" "--stage 'prod': expected one of"
}

scenario "check --worktree is the commit stage" scenario_worktree_commit
scenario_worktree_commit() {
R="$(billing_repo billing)"
printf '\nUncommitted.\n' >>"${R}/README.md"
run_in "${R}" check --worktree --rules "${BASELINE}" --at "${SAT}" --format json
assert_exit "the work tree on a Saturday passes" 0
assert_json "--worktree reports stage commit" "d['stage'] == 'commit' and d['worktree'] is True"
assert_json "commit: WIN-003 skipped" \
  "f('WIN-003')['message'] == 'only at stage deploy; checking at commit'"
run_in "${R}" check --worktree --rules "${BASELINE}" --at "${SAT}" --no-color
assert_contains "the text header names the commit stage" "${OUT}" "· commit stage ·"
assert_contains "the verdict names the commit stage" "${OUT}" "production, commit stage)"
run_in "${R}" check --worktree --rules "${BASELINE}" --at "${SAT}" --stage deploy --format json
assert_exit "--worktree --stage deploy asks the window: closed" 1
assert_json "an explicit --stage wins over --worktree's default" \
  "d['stage'] == 'deploy' and st('WIN-003') == 'fail'"
run_in "${R}" check --rules "${BASELINE}" --at "${SAT}" --format json
assert_json "without --worktree the default is merge" "d['stage'] == 'merge'"
}

scenario "a deploy with --base judges every service, the untouched failing one included" \
  scenario_deploy_ignores_base
scenario_deploy_ignores_base() {
R="$(new_repo mono)"
RETENTION=3 pay_manifest | sed 's/"pay"/"ledger"/' | write_file "${R}/services/ledger/operability.toml"
printf '%s' "${RUNBOOK}" | write_file "${R}/services/ledger/docs/runbook.md"
pay_manifest | write_file "${R}/services/pay/operability.toml"
printf '%s' "${RUNBOOK}" | write_file "${R}/services/pay/docs/runbook.md"
commit_all "${R}" "${D1}" "two services; ledger keeps backups 3 days"
BASE="$(ref_of "${R}" HEAD)"
printf '%s\nCall the on-call first.\n' "${RUNBOOK}" >"${R}/services/pay/docs/runbook.md"
commit_all "${R}" "${D2}" "pay: runbook wording"

run_in "${R}" check --rules "${PACK}" --at "${AT}" --base "${BASE}" --format json
assert_exit "merge stage: the change touches pay only, which passes" 0
assert_json "merge stage: --base selects pay alone" \
  "[x['path'] for x in d['manifests']] == ['services/pay/operability.toml']"

run_in "${R}" check --rules "${PACK}" --at "${AT}" --base "${BASE}" --stage deploy --format json
assert_exit "deploy stage: the untouched ledger fails the deploy" 1
assert_json "deploy stage: every service is judged, whatever --base says" \
  "[x['path'] for x in d['manifests']] == ['services/ledger/operability.toml', 'services/pay/operability.toml']"
assert_json "deploy stage: the base is still recorded" "d['base'] == '${BASE}'"
assert_json "deploy stage: ledger's failure is not the change's (new false)" \
  "st('STG-BACKUP', 0) == 'fail' and f('STG-BACKUP', 0)['new'] is False"
assert_json "deploy stage: pay passes" "m(1)['outcome'] == 'pass'"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --base "${BASE}" --stage deploy --no-color
assert_contains "deploy text: ledger's failure is marked as already there" "${OUT}" \
  "already failing at the merge base"
assert_contains "deploy text: the verdict counts both services" "${OUT}" \
  "(2 manifests, production, deploy stage)"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --base "${BASE}" --stage push --format json
assert_json "push stage with a base narrows like merge" "len(d['manifests']) == 1"
}

scenario "rules and overrides take stages, bad stages in a rule file are exit 2" \
  scenario_rule_stages
scenario_rule_stages() {
R="$(billing_repo billing)"
LOCAL="${E2E_TMP}/local"
write_file "${LOCAL}/window.toml" <<'EOF'
[pack]
name = "local"

[[override]]
rule = "WIN-003"
stages = ["push", "deploy"]
EOF
run_in "${R}" check --rules "${BASELINE}" --rules "${LOCAL}" --at "${SAT}" --stage push --format json
assert_exit "an override moving WIN-003 to push too: a Saturday push fails" 1
assert_json "the override applies WIN-003 at push" "st('WIN-003') == 'fail'"
run_in "${R}" check --rules "${BASELINE}" --rules "${LOCAL}" --at "${SAT}" --format json
assert_exit "the same override leaves merges alone" 0
assert_json "at merge, the message names both stages" \
  "f('WIN-003')['message'] == 'only at stages push, deploy; checking at merge'"

write_file "${LOCAL}/window.toml" <<'EOF'
[pack]
name = "local"

[[rule]]
id = "LOC-001"
area = "service"
title = "x"
severity = "error"
level = 1
stages = ["merge", "release"]
check = [ { key = "service.owner", present = true } ]
EOF
run_in "${R}" check --rules "${BASELINE}" --rules "${LOCAL}" --at "${SAT}"
assert_exit "an unknown stage in a rule is exit 2" 2
assert_contains "the message names the file, line:column and the stages" "${ERR}" \
  "window.toml:10:20: unknown stage 'release' (stages: commit, push, merge, deploy)"
sed -i 's/stages = .*/stages = []/' "${LOCAL}/window.toml"
run_in "${R}" check --rules "${BASELINE}" --rules "${LOCAL}" --at "${SAT}"
assert_exit "an empty stages list is exit 2" 2
assert_contains "an empty list is named as such" "${ERR}" "'stages' must name at least one stage"
}

# --- the ratchet --------------------------------------------------------------------------

scenario "GATE-LEVEL-DROP: a change that lowers the level fails, unless the pack turns it off" \
  scenario_level_drop
scenario_level_drop() {
R="$(pay_repo pay)"
BASE="$(ref_of "${R}" HEAD)"
DASHBOARD="tbd" pay_manifest >"${R}/operability.toml"
commit_all "${R}" "${D2}" "dashboard to be decided"

run_in "${R}" check --rules "${PACK}" --at "${AT}" --format json
assert_exit "without --base, a failed warning passes the gate" 0
assert_json "without --base: level 2, no ratchet finding, no new key" \
  "m()['level'] == 2 and f('GATE-LEVEL-DROP') is None and all('new' not in x for x in m()['findings'])"

run_in "${R}" check --rules "${PACK}" --at "${AT}" --base "${BASE}" --format json
assert_exit "with --base, the drop from level 3 to 2 fails the gate" 1
assert_json "GATE-LEVEL-DROP is a failed error of the manifest" \
  "st('GATE-LEVEL-DROP') == 'fail' and f('GATE-LEVEL-DROP')['severity'] == 'error' and f('GATE-LEVEL-DROP')['area'] == 'gate'"
assert_json "GATE-LEVEL-DROP names the service, both levels and the rule that now fails" \
  "f('GATE-LEVEL-DROP')['message'] == 'pay drops from level 3 at the merge base to level 2: STG-DASHBOARD now fails'"
assert_json "GATE-LEVEL-DROP is new" "f('GATE-LEVEL-DROP')['new'] is True"
assert_json "only the drop fails the gate: the warning stays a warning" \
  "d['summary']['failed'] == 1 and d['summary']['warnings'] == 1"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --base "${BASE}" --no-color
assert_matches "text: the drop is a FAIL marked new" "${OUT}" \
  "FAIL +GATE-LEVEL-DROP The change keeps the service's maturity level \(new\)"
for id in GATE-LEVEL-DROP GATE-EVIDENCE-REMOVED GATE-SCOPE-CHANGED; do
  run_in "${E2E_TMP}" explain "${id}"
  assert_exit "explain ${id}: exit 0" 0
  assert_contains "explain ${id}: a built-in finding" "${OUT}" "${id}: The change keeps"
done

run_in "${R}" check --rules "${PACK}" --rules "${NO_RATCHET}" --at "${AT}" --base "${BASE}" \
  --format json
assert_exit "[pack] ratchet = false: the drop alone passes" 0
assert_json "ratchet = false: no GATE-LEVEL-DROP, the level is still 2" \
  "f('GATE-LEVEL-DROP') is None and m()['level'] == 2"

# The same rules at both sides: a level lost to a rule that fails at the base too is no drop.
run_in "${R}" check --rules "${PACK}" --at "2028-01-01T10:00:00+01:00" --base "${BASE}" --format json
assert_json "evidence that aged at both sides (same --at) is no drop" \
  "f('GATE-LEVEL-DROP') is None and f('STG-RESTORE')['new'] is False"
}

scenario "GATE-EVIDENCE-REMOVED: a deleted runbook, a removed key, an emptied file" \
  scenario_evidence_removed
scenario_evidence_removed() {
R="$(pay_repo pay)"
BASE="$(ref_of "${R}" HEAD)"
git -C "${R}" rm -q docs/runbook.md
commit_all "${R}" "${D2}" "remove the runbook"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --base "${BASE}" --format json
assert_exit "deleting the runbook fails" 1
assert_json "the deleted file is named, with the key and the rule" \
  "st('GATE-EVIDENCE-REMOVED') == 'fail' and f('GATE-EVIDENCE-REMOVED')['message'] == 'the change deletes docs/runbook.md, which runbook.path names and rule STG-RUNBOOK checked and passed at the merge base'"
assert_json "it is located at the key that names the file" \
  "f('GATE-EVIDENCE-REMOVED')['location'] == {'path': 'operability.toml', 'line': 17, 'column': 8}"
assert_json "it is an error, and new" \
  "f('GATE-EVIDENCE-REMOVED')['severity'] == 'error' and f('GATE-EVIDENCE-REMOVED')['new'] is True"
assert_json "the level dropped too, from 3 to 1" \
  "'from level 3 at the merge base to level 1' in f('GATE-LEVEL-DROP')['message']"
run_in "${R}" check --rules "${PACK}" --rules "${NO_RATCHET}" --at "${AT}" --base "${BASE}" \
  --format json
assert_json "ratchet = false keeps GATE-EVIDENCE-REMOVED (only the level ratchet is off)" \
  "st('GATE-EVIDENCE-REMOVED') == 'fail' and f('GATE-LEVEL-DROP') is None"

git -C "${R}" reset -q --hard "${BASE}"
RESTORE="" pay_manifest >"${R}/operability.toml"
commit_all "${R}" "${D2}" "drop the restore date"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --base "${BASE}" --format json
assert_exit "removing a checked key fails" 1
assert_json "the removed key is named with the rule that passed at the base" \
  "f('GATE-EVIDENCE-REMOVED')['message'] == 'the change removes backup.last_restore_test, which rule STG-RESTORE checked and passed at the merge base'"

git -C "${R}" reset -q --hard "${BASE}"
: >"${R}/docs/runbook.md"
commit_all "${R}" "${D2}" "empty the runbook"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --base "${BASE}" --format json
assert_exit "emptying the runbook fails" 1
assert_json "the emptied file is named" \
  "f('GATE-EVIDENCE-REMOVED')['message'].startswith('the change empties docs/runbook.md, which runbook.path names')"

# A key that already failed at the base is no evidence: removing it is no GATE-EVIDENCE-REMOVED.
git -C "${R}" reset -q --hard "${BASE}"
RETENTION=3 pay_manifest >"${R}/operability.toml"
commit_all "${R}" "${D2}" "retention 3"
BAD="$(ref_of "${R}" HEAD)"
RETENTION=3 pay_manifest | grep -v retention_days >"${R}/operability.toml"
commit_all "${R}" "${D3}" "no retention at all"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --base "${BAD}" --format json
assert_json "removing a key whose rule already failed is not evidence removed" \
  "f('GATE-EVIDENCE-REMOVED') is None and f('STG-BACKUP')['new'] is False"
}

scenario "GATE-SCOPE-CHANGED: a lowered tier, a service no longer stateful" scenario_scope_changed
scenario_scope_changed() {
R="$(pay_repo pay)"
BASE="$(ref_of "${R}" HEAD)"
TIER=low pay_manifest >"${R}/operability.toml"
commit_all "${R}" "${D2}" "pay is low tier now"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --base "${BASE}" --format json
assert_exit "lowering the tier is a warning: the gate passes" 0
assert_json "GATE-SCOPE-CHANGED lists the rule that stopped applying and why" \
  "f('GATE-SCOPE-CHANGED')['message'] == 'the change makes 1 rule that applied at the merge base stop applying: STG-RESTORE (service.tier \"critical\" -> \"low\")'"
assert_json "it is a failed warning at service.tier's line" \
  "st('GATE-SCOPE-CHANGED') == 'fail' and f('GATE-SCOPE-CHANGED')['severity'] == 'warning' and f('GATE-SCOPE-CHANGED')['location']['line'] == 6"
assert_json "the level is unchanged (3): no drop" "m()['level'] == 3 and f('GATE-LEVEL-DROP') is None"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --base "${BASE}" --fail-on warning
assert_exit "with --fail-on warning, lowering the tier fails" 1
assert_contains "text: the scope change is shown" "${OUT}" "GATE-SCOPE-CHANGED"

git -C "${R}" reset -q --hard "${BASE}"
STATEFUL=false pay_manifest >"${R}/operability.toml"
commit_all "${R}" "${D2}" "pay keeps no state"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --base "${BASE}" --format json
assert_exit "stateful = false is a warning too" 0
assert_json "stateful = false: the backup rule stopped applying" \
  "f('GATE-SCOPE-CHANGED')['message'] == 'the change makes 1 rule that applied at the merge base stop applying: STG-BACKUP (service.stateful true -> false)'"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --format json
assert_json "without --base nothing compares: no GATE-SCOPE-CHANGED" "f('GATE-SCOPE-CHANGED') is None"
}

# pay_pushed NAME [DIR]: SERVER, a bare repository ($E2E_TMP/NAME.git) whose pre-receive hook
# runs the gate with PACK (JSON report in $E2E_TMP/NAME.json), and CLIENT, its clone, holding the
# pay service at level 3 in DIR (default: the root), committed at D1 (GOOD) and pushed: RC, OUT
# and ERR are the push's.
pay_pushed() {
local dir="${2:+/$2}"
SERVER="${E2E_TMP}/$1.git"
git init -q --bare -b main "${SERVER}"
printf '#!/bin/sh\nexec %q hook pre-receive --rules %q --at %q --no-color --report %q\n' \
  "${OPSGATE}" "${PACK}" "${AT}" "json=${E2E_TMP}/$1.json" >"${SERVER}/hooks/pre-receive"
chmod +x "${SERVER}/hooks/pre-receive"
CLIENT="${E2E_TMP}/$1-client"
git clone -q "${SERVER}" "${CLIENT}" 2>/dev/null
git -C "${CLIENT}" checkout -q -b main
pay_manifest | write_file "${CLIENT}${dir}/operability.toml"
printf '%s' "${RUNBOOK}" | write_file "${CLIENT}${dir}/docs/runbook.md"
commit_all "${CLIENT}" "${D1}" "pay at level 3"
GOOD="$(ref_of "${CLIENT}" HEAD)"
push "${CLIENT}" origin main
}

scenario "pre-receive: a push that lowers the level is refused with GATE-LEVEL-DROP" \
  scenario_pre_receive_level_drop
scenario_pre_receive_level_drop() {
pay_pushed server
assert_exit "the level-3 service is accepted" 0
assert_json "the server judged it at the push stage" "d['stage'] == 'push'" "${E2E_TMP}/server.json"

DASHBOARD="tbd" pay_manifest >"${CLIENT}/operability.toml"
commit_all "${CLIENT}" "${D2}" "dashboard to be decided"
push "${CLIENT}" origin main
assert_exit "the push lowering the level is refused" 1
assert_contains "git says the hook declined" "${ERR}" "pre-receive hook declined"
assert_matches "the refusal names GATE-LEVEL-DROP for the ref" "${ERR}" \
  "remote: opsgate:   refs/heads/main: (.*, )?GATE-LEVEL-DROP"
assert_contains "the drop's message reaches the pusher" "${ERR}" \
  "pay drops from level 3 at the merge base to level 2"
assert_contains "the verdict names the push stage" "${ERR}" "production, push stage)"
assert_eq "the server kept the level-3 commit" "${GOOD}" "$(ref_of "${SERVER}" main)"
assert_json "the server's report: the drop is new, against the previous tip" \
  "d['base'] == '${GOOD}' and f('GATE-LEVEL-DROP')['new'] is True" "${E2E_TMP}/server.json"
}

# A service moved with its directory (git mv) is judged against where it came from: moving does
# not reset the ratchet, whether its name stays or most of its values do.
scenario "pre-receive: a service moved and lowered in one push is refused with GATE-LEVEL-DROP" \
  scenario_pre_receive_moved_drop
scenario_pre_receive_moved_drop() {
pay_pushed moved services/pay
assert_exit "the level-3 service is accepted" 0

git -C "${CLIENT}" mv services/pay services/payments
DASHBOARD="tbd" pay_manifest >"${CLIENT}/services/payments/operability.toml"
commit_all "${CLIENT}" "${D2}" "move pay, dashboard to be decided"
push "${CLIENT}" origin main
assert_exit "moved and lowered: refused" 1
assert_contains "the drop names where the service was" "${ERR}" \
  "pay drops from level 3 at the merge base (as services/pay/operability.toml, moved by the change) to level 2"
assert_eq "the server kept the level-3 commit" "${GOOD}" "$(ref_of "${SERVER}" main)"

# Renamed as well: most of its values are still the old service's.
sed -i 's/name = "pay"/name = "payments"/' "${CLIENT}/services/payments/operability.toml"
git -C "${CLIENT}" commit -q --amend -a --no-edit
push "${CLIENT}" origin main
assert_exit "moved, renamed and lowered: refused" 1
assert_contains "the renamed service's drop" "${ERR}" "payments drops from level 3 at the merge base"

# A move alone is no drop, and its old failures are not new.
pay_manifest >"${CLIENT}/services/payments/operability.toml"
git -C "${CLIENT}" commit -q --amend -a --no-edit
push "${CLIENT}" origin main
assert_exit "a plain move is accepted" 0
assert_json "a plain move: no ratchet finding" "f('GATE-LEVEL-DROP') is None" "${E2E_TMP}/moved.json"
}

# --- new findings -------------------------------------------------------------------------

# legacy_fixture: R, the pay service failing STG-BACKUP (retention 3) and STG-DASHBOARD (a
# warning) since BASE; LEGACY, a change touching the service that brings nothing new; WORSE, a
# change on top that also fails STG-RESTORE (a restore test over a year old).
legacy_fixture() {
R="$(new_repo legacy)"
RETENTION=3 DASHBOARD=tbd pay_manifest | write_file "${R}/operability.toml"
printf '%s' "${RUNBOOK}" | write_file "${R}/docs/runbook.md"
commit_all "${R}" "${D1}" "legacy pay"
BASE="$(ref_of "${R}" HEAD)"
printf '%s\nCall the on-call first.\n' "${RUNBOOK}" >"${R}/docs/runbook.md"
commit_all "${R}" "${D2}" "runbook wording"
LEGACY="$(ref_of "${R}" HEAD)"
RETENTION=3 DASHBOARD=tbd RESTORE="last_restore_test = 2025-01-02" pay_manifest >"${R}/operability.toml"
commit_all "${R}" "${D3}" "restore test date from the old wiki"
WORSE="$(ref_of "${R}" HEAD)"
}

scenario "new findings: new in JSON, SARIF baselineState, marks in every format" \
  scenario_new_findings
scenario_new_findings() {
legacy_fixture
run_in "${R}" check --rules "${PACK}" --at "${AT}" --rev "${WORSE}" --format json
assert_exit "without --base the service fails" 1
assert_json "without --base no finding has a \"new\" key" \
  "all('new' not in x for x in m()['findings'])"

run_in "${R}" check --rules "${PACK}" --at "${AT}" --rev "${WORSE}" --base "${BASE}" --format json
assert_exit "with --base the service fails" 1
assert_json "a failure the change brings is new" "f('STG-RESTORE')['new'] is True"
assert_json "a failure already at the merge base is not new" "f('STG-BACKUP')['new'] is False"
assert_json "a failed warning already at the merge base is not new either" \
  "st('STG-DASHBOARD') == 'fail' and f('STG-DASHBOARD')['new'] is False"
assert_json "passing findings carry no \"new\" key" \
  "st('STG-OWNER') == 'pass' and 'new' not in f('STG-OWNER') and 'new' not in f('GATE-SCHEMA')"
assert_json "no finding is tolerated without --fail-on-new" \
  "all('tolerated' not in x for x in m()['findings'])"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --rev "${WORSE}" --base "${BASE}" --no-color
assert_matches "text: the new failure is marked" "${OUT}" "FAIL +STG-RESTORE .*\(new\)"
assert_contains "text: the inherited one says so" "${OUT}" "already failing at the merge base"
if before "${OUT}" "STG-RESTORE" "STG-BACKUP"; then
  pass_ "text: in an area, what the change brings comes first"
else
  fail_ "text: in an area, what the change brings comes first" "STG-BACKUP is listed before STG-RESTORE"
fi

run_in "${R}" check --rules "${PACK}" --at "${AT}" --rev "${WORSE}" --base "${BASE}" \
  --format sarif --report "codequality=${E2E_TMP}/cq.json" --report "junit=${E2E_TMP}/j.xml" \
  --report "markdown=${E2E_TMP}/r.md"
assert_json "SARIF: the new failure's baselineState is new" \
  "[r['baselineState'] for r in d['runs'][0]['results'] if r['ruleId'] == 'STG-RESTORE'] == ['new']"
assert_json "SARIF: the inherited ones are unchanged" \
  "sorted(r['baselineState'] for r in d['runs'][0]['results'] if r['ruleId'] in ('STG-BACKUP', 'STG-DASHBOARD')) == ['unchanged', 'unchanged']"
assert_json "Code Quality: opsgate.new and the description mark each entry" \
  "{e['check_name']: (e['opsgate']['new'], e['description'].endswith('(new)')) for e in d} == {'STG-RESTORE': (True, True), 'STG-BACKUP': (False, False), 'STG-DASHBOARD': (False, False)}" \
  "${E2E_TMP}/cq.json"
assert_json "Code Quality: an inherited failure says so" \
  "[e['description'] for e in d if e['check_name'] == 'STG-BACKUP'][0].endswith('(already failing at the merge base)')" \
  "${E2E_TMP}/cq.json"
JUNIT="$(cat "${E2E_TMP}/j.xml")"
assert_contains "JUnit: the new failure says the change brings it" "${JUNIT}" \
  "new: the change brings it"
assert_contains "JUnit: the inherited failure says it was there" "${JUNIT}" \
  "already failing at the merge base"
MD="$(cat "${E2E_TMP}/r.md")"
assert_contains "Markdown: the new failure is labelled" "${MD}" ":x: error **new** | **STG-RESTORE**"
if before "${MD}" "STG-RESTORE" "STG-BACKUP"; then
  pass_ "Markdown: new failures come first"
else
  fail_ "Markdown: new failures come first" "STG-BACKUP is listed before STG-RESTORE"
fi
assert_contains "Markdown: the inherited one says so" "${MD}" "(already failing at the merge base)"

run_in "${R}" check --rules "${PACK}" --at "${AT}" --rev "${WORSE}" --format sarif
assert_json "SARIF without --base: no baselineState" \
  "all('baselineState' not in r for r in d['runs'][0]['results'])"
}

scenario "fail-on-new: a legacy failure passes with warnings, a new one still fails" \
  scenario_fail_on_new
scenario_fail_on_new() {
legacy_fixture
run_in "${R}" check --rules "${PACK}" --at "${AT}" --rev "${LEGACY}" --base "${BASE}" --format json
assert_exit "the legacy service fails the plain gate" 1
run_in "${R}" check --rules "${PACK}" --at "${AT}" --rev "${LEGACY}" --base "${BASE}" \
  --fail-on-new --format json
assert_exit "--fail-on-new: nothing new, the gate passes" 0
assert_json "--fail-on-new: the legacy error counts as a warning" \
  "d['outcome'] == 'pass' and d['summary']['failed'] == 0 and d['summary']['warnings'] == 2"
assert_json "--fail-on-new: the legacy error keeps its severity and says why it did not fail" \
  "f('STG-BACKUP')['severity'] == 'error' and f('STG-BACKUP')['tolerated'] == 'already failing at the merge base (--fail-on-new)'"
assert_json "--fail-on-new: the manifest passes" "m()['outcome'] == 'pass'"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --rev "${LEGACY}" --base "${BASE}" \
  --fail-on-new --no-color
assert_matches "text: the tolerated error is a WARN" "${OUT}" "WARN +STG-BACKUP "
assert_contains "text: and says why" "${OUT}" \
  "already failing at the merge base (--fail-on-new): does not fail the gate"
assert_contains "text: the verdict passes with warnings" "${OUT}" "opsgate: PASS: 0 failed, 2 warnings"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --rev "${LEGACY}" --base "${BASE}" \
  --fail-on-new --format codequality --report "sarif=${E2E_TMP}/r.sarif" --report "junit=${E2E_TMP}/j.xml"
assert_json "Code Quality: the tolerated error is shown minor" \
  "[(e['severity'], e['opsgate']['tolerated']) for e in d if e['check_name'] == 'STG-BACKUP'] == [('minor', 'already failing at the merge base (--fail-on-new)')]"
assert_json "SARIF: the tolerated error is a warning result" \
  "[r['level'] for r in d['runs'][0]['results'] if r['ruleId'] == 'STG-BACKUP'] == ['warning']" \
  "${E2E_TMP}/r.sarif"
JUNIT="$(cat "${E2E_TMP}/j.xml")"
assert_not_contains "JUnit: nothing fails the test tab" "${JUNIT}" "<failure"
assert_contains "JUnit: the tolerated error says why, in its output" "${JUNIT}" \
  "<system-out>error already failing at the merge base (--fail-on-new): operability.toml:10"

run_in "${R}" check --rules "${PACK}" --at "${AT}" --rev "${WORSE}" --base "${BASE}" \
  --fail-on-new --format json
assert_exit "--fail-on-new: a failure the change brings still fails" 1
assert_json "the new failure fails, not tolerated" \
  "f('STG-RESTORE')['new'] is True and 'tolerated' not in f('STG-RESTORE') and d['summary']['failed'] == 1"
assert_json "the legacy one is still tolerated" "'tolerated' in f('STG-BACKUP')"

# The ratchet is never tolerated: it is always the change's own.
git -C "${R}" checkout -q -b drop "${LEGACY}"
git -C "${R}" rm -q docs/runbook.md
commit_all "${R}" "${D4}" "remove the runbook"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --base "${BASE}" --fail-on-new --format json
assert_exit "--fail-on-new: removing evidence still fails" 1
assert_json "GATE-EVIDENCE-REMOVED is new and not tolerated" \
  "f('GATE-EVIDENCE-REMOVED')['new'] is True and 'tolerated' not in f('GATE-EVIDENCE-REMOVED')"

run_in "${R}" check --rules "${PACK}" --at "${AT}" --rev "${LEGACY}" --fail-on-new --format json
assert_exit "--fail-on-new without --base: nothing to compare with, every failure counts" 1
}

scenario "fail-on-new does not let a deploy out of its release window" \
  scenario_fail_on_new_deploy
scenario_fail_on_new_deploy() {
R="$(billing_repo billing)"
BASE="$(ref_of "${R}" HEAD)"
printf '\nCall the on-call first.\n' >>"${R}/docs/runbook.md"
commit_all "${R}" "${D2}" "runbook wording"
run_in "${R}" check --rules "${BASELINE}" --at "${SAT}" --stage deploy --base "${BASE}" \
  --fail-on-new --format json
assert_exit "a Saturday deploy with --fail-on-new is still refused" 1
assert_json "WIN-003 was closed at the merge base too (not new), yet it is not tolerated" \
  "st('WIN-003') == 'fail' and f('WIN-003')['new'] is False and 'tolerated' not in f('WIN-003')"
run_in "${R}" check --rules "${BASELINE}" --at "${MON_EVENING}" --stage deploy --base "${BASE}" \
  --fail-on-new
assert_exit "the same deploy inside the window passes" 0
}

# --- pack cases ---------------------------------------------------------------------------

scenario "rules test: expect.toml takes stage, a bad one is an error at its line:column" \
  scenario_rules_test_stage
scenario_rules_test_stage() {
CASES="${E2E_TMP}/window-pack"
write_file "${CASES}/rules.toml" <<'EOF'
[pack]
name = "window-pack"

[[rule]]
id = "WIN-OPEN"
area = "release_window"
title = "Deployments happen inside a window"
severity = "error"
level = 1
stages = ["deploy"]
help = "Wait for the window."
check = [ { key = "release_window", window_open = true } ]
EOF
for name in deploy merge push; do
  write_file "${CASES}/tests/${name}/operability.toml" <<'EOF'
schema = 1
[service]
name = "w"
owner = "team"
[release_window]
timezone = "Europe/Paris"
[[release_window.allow]]
days = ["mon", "tue", "wed", "thu"]
start = "20:00"
end = "23:00"
EOF
done
write_file "${CASES}/tests/deploy/expect.toml" <<EOF
at = ${SAT}
stage = "deploy"
[status]
WIN-OPEN = "fail"
EOF
write_file "${CASES}/tests/merge/expect.toml" <<EOF
at = ${SAT}
[status]
WIN-OPEN = "skipped"
EOF
write_file "${CASES}/tests/push/expect.toml" <<EOF
at = ${SAT}
stage = "push"
[status]
WIN-OPEN = "skipped"
EOF
run_in "${E2E_TMP}" rules test "${CASES}"
assert_exit "cases at deploy, merge (the default) and push all match" 0
assert_contains "three cases pass" "${OUT}" "3 passed, 0 failed"

write_file "${CASES}/tests/push/expect.toml" <<EOF
at = ${SAT}
stage = "push"
[status]
WIN-OPEN = "fail"
EOF
run_in "${E2E_TMP}" rules test "${CASES}"
assert_exit "a case expecting the rule to fail at push is a mismatch" 1

write_file "${CASES}/tests/push/expect.toml" <<EOF
at = ${SAT}
stage = "release"
[status]
WIN-OPEN = "skipped"
EOF
run_in "${E2E_TMP}" rules test "${CASES}"
assert_exit "an unknown stage in expect.toml is exit 2" 2
assert_contains "the error names expect.toml's line:column and the stages" "${ERR}" \
  "tests/push/expect.toml:2:1: 'stage' must be one of commit, push, merge, deploy"

run_in "${E2E_TMP}" rules test "${BASELINE}"
assert_exit "the baseline's own cases, stages included, pass" 0
assert_contains "the baseline has a merge-stage window case" "${OUT}" "release-window-merge"
}

run_scenarios "$@"
