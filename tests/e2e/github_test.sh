#!/usr/bin/env bash
# The GitHub composite action (integrations/github/action.yml). No runner here, so: its YAML
# structure is validated (python3-yaml), and the shell of its steps is run as the runner would
# run it (env mapped from the inputs, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files) with the real
# opsgate on real repositories, for exit codes 0, 1 and 2; and (issue 16) on a protected branch
# extra-args cannot add --emergency/--rules/--manifest, an emergency is honoured only in a
# workflow_dispatch run and records GITHUB_ACTOR, and reports never go through a committed
# symlink; (issue 18) the stage input reaches opsgate (a Saturday: merge passes, deploy is refused)
# and extra-args cannot change it. Without python3-yaml the scenarios
# skip (exit 77), except under CI=true where they fail.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

ACTION="${OPSGATE_SOURCE_DIR}/integrations/github/action.yml"
AT=(--at 2026-11-26T21:30:00+01:00)

# setup: PY, a python3 with yaml (missing: the scenario skips, but fails under CI=true); the
# check and verdict steps' shell in $E2E_TMP/check.sh and verdict.sh; a wrapper pinning --at.
setup() {
PY=""
for candidate in "$(command -v python3)" /usr/bin/python3; do # with site packages (yaml)
  if [[ -x "${candidate}" ]] && "${candidate}" -c 'import yaml' 2>/dev/null; then PY="${candidate}"; break; fi
done
if [[ -z "${PY}" ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "python3 yaml is missing (run .ci/bootstrap); required when CI=true" >&2
    exit 1
  fi
  skip "python3 yaml not installed"
fi
"${PY}" - "${ACTION}" "${E2E_TMP}" <<'PY'
import sys, yaml
a = yaml.safe_load(open(sys.argv[1]))
steps = a["runs"]["steps"]
open(f"{sys.argv[2]}/check.sh", "w").write(next(s for s in steps if s.get("id") == "check")["run"])
open(f"{sys.argv[2]}/verdict.sh", "w").write(steps[-1]["run"])
PY
# Real runs pin --at through a wrapper (the action has no --at input).
wrapper="${E2E_TMP}/opsgate-at"
printf '#!/bin/sh\nexec %q "$@" %s\n' "${OPSGATE}" "${AT[*]}" >"${wrapper}"
chmod +x "${wrapper}"
}

# good_repo: billing-api in a repository, a commit on top of it; sets good and base_sha.
good_repo() {
  good="$(new_repo good)"
  cp -r "${OPSGATE_SOURCE_DIR}/examples/billing-api/." "${good}/"
  commit_all "${good}" 2026-11-10T10:00:00+01:00 "service"
  base_sha="$(git -C "${good}" rev-parse HEAD)"
  echo "note" >"${good}/NOTES.md"
  commit_all "${good}" 2026-11-20T10:00:00+01:00 "notes"
}

# bad_repo: billing-api keeping backups 3 days; sets bad.
bad_repo() {
  bad="$(new_repo bad)"
  cp -r "${OPSGATE_SOURCE_DIR}/examples/billing-api/." "${bad}/"
  sed -i 's/^retention_days = .*/retention_days = 3/' "${bad}/operability.toml"
  commit_all "${bad}" 2026-11-20T10:00:00+01:00 "service"
}

# --- structure --------------------------------------------------------------------------------
scenario "action.yml structure" scenario_structure
scenario_structure() {
OUT="$("${PY}" - "${ACTION}" <<'PY' 2>&1
import sys, yaml
a = yaml.safe_load(open(sys.argv[1]))
def ok(name, cond):
    print(("ok " if cond else "FAIL ") + name)
ok("has name and description", bool(a.get("name")) and bool(a.get("description")))
ins = a.get("inputs", {})
for key in ["rules", "env", "min-level", "fail-on", "base"]:
    ok(f"input {key} declared with a description", key in ins and bool(ins[key].get("description")))
ok("every input has a string default or is required",
   all(isinstance(v.get("default", ""), str) for v in ins.values()))
ok("outputs exit-code and outcome from the check step",
   "steps.check.outputs.exit-code" in a["outputs"]["exit-code"]["value"]
   and "steps.check.outputs.outcome" in a["outputs"]["outcome"]["value"])
runs = a.get("runs", {})
ok("a composite action", runs.get("using") == "composite")
steps = runs.get("steps", [])
ok("run steps declare a shell", all("shell" in s for s in steps if "run" in s))
check = next((s for s in steps if s.get("id") == "check"), {})
ok("the check step runs opsgate check", '"$OPSGATE" "$@"' in check.get("run", "") and "set -- check" in check.get("run", ""))
ok("the check step appends the Markdown summary", "GITHUB_STEP_SUMMARY" in check.get("run", "") and "markdown=" in check.get("run", ""))
ok("the check step maps inputs to env", all(k in check.get("env", {}) for k in ["OPSGATE_RULES", "OPSGATE_ENV", "OPSGATE_MIN_LEVEL", "OPSGATE_FAIL_ON", "OPSGATE_BASE"]))
ok("the base defaults to the pull request base", "github.event.pull_request.base.sha" in check["env"]["OPSGATE_BASE"])
ok("input stage declared, default merge", ins.get("stage", {}).get("default") == "merge")
ok("the stage comes from the stage input only", check["env"].get("OPSGATE_STAGE") == "${{ inputs.stage }}")
ok("the check step passes the stage to opsgate", 'set -- check --stage "$OPSGATE_STAGE"' in check.get("run", ""))
upload = next((s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")), None)
ok("SARIF uploaded with codeql-action/upload-sarif", upload is not None and "sarif_file" in upload.get("with", {}))
ok("SARIF upload runs even when the gate failed", upload is not None and "always()" in upload.get("if", ""))
verdict = steps[-1] if steps else {}
ok("the last step turns the exit code into the step result", "steps.check.outputs.exit-code" in verdict.get("env", {}).get("STATUS", ""))
used = set()
import re
for s in steps:
    for v in list((s.get("env") or {}).values()) + list((s.get("with") or {}).values()) + [s.get("if", "")]:
        used.update(re.findall(r"inputs\.([\w-]+)", str(v)))
ok("every input used by a step is declared", used <= set(ins))
ok("every declared input is used", set(ins) <= used)
PY
)"
ERR=""
while IFS= read -r line; do
  case "${line}" in
    "ok "*) pass_ "${line#ok }" ;;
    "FAIL "*) fail_ "${line#FAIL }" ;;
    *) fail_ "structure check crashed" "${line}" ;;
  esac
done <<<"${OUT}"
}

# --- the steps' shell, run as the runner would ------------------------------------------------

# run_action REPO [VAR=VALUE...]: the check step then the verdict step, inputs at their defaults
# unless overridden. Sets RC (the verdict step's), OUTPUTS, SUMMARY, OUT, ERR.
run_action() {
  local repo="$1"
  shift
  : >"${E2E_TMP}/output" && : >"${E2E_TMP}/summary"
  (cd "${repo}" && env -u GITLAB_USER_LOGIN -u BUILD_USER_ID -u GITHUB_ACTOR \
    OPSGATE="${OPSGATE}" OPSGATE_RULES="${BASELINE}" OPSGATE_REPO_RULES=.opsgate/rules \
    OPSGATE_ENV=production OPSGATE_MIN_LEVEL="" OPSGATE_FAIL_ON=error OPSGATE_STAGE=merge OPSGATE_FAIL=true OPSGATE_BASE="" \
    OPSGATE_STATUS_SHA="$(git rev-parse HEAD)" OPSGATE_POST_STATUS=false OPSGATE_REPORT_DIR=opsgate-report \
    OPSGATE_PROTECTED_BRANCHES="" OPSGATE_EXTRA_ARGS="" OPSGATE_EMERGENCY="" \
    OPSGATE_REF=refs/heads/feature OPSGATE_BASE_REF="" OPSGATE_DEFAULT_BRANCH=main OPSGATE_EVENT=push \
    GITHUB_OUTPUT="${E2E_TMP}/output" GITHUB_STEP_SUMMARY="${E2E_TMP}/summary" "$@" \
    bash -e "${E2E_TMP}/check.sh" </dev/null >"${E2E_TMP}/.o" 2>"${E2E_TMP}/.e")
  local check_rc=$?
  OUTPUTS="$(cat "${E2E_TMP}/output")"
  SUMMARY="$(cat "${E2E_TMP}/summary")"
  OUT="$(cat "${E2E_TMP}/.o")"
  ERR="$(cat "${E2E_TMP}/.e")"
  [[ "${check_rc}" == 0 ]] || fail_ "the check step itself exits 0 (got ${check_rc})"
  local status
  status="$(sed -n 's/^exit-code=//p' "${E2E_TMP}/output")"
  STATUS="${status}" FAIL=true bash -e "${E2E_TMP}/verdict.sh" >>"${E2E_TMP}/.o" 2>&1
  RC=$?
}

scenario "a binary that is not opsgate still goes through the check step" scenario_not_opsgate
scenario_not_opsgate() {
good_repo
run_action "${good}" OPSGATE_BASE="${base_sha}" OPSGATE_MIN_LEVEL=3 \
  OPSGATE_RULES="${BASELINE}" OPSGATE_ENV=production GITHUB_SERVER_URL=x GITHUB_REPOSITORY=o/r GITHUB_RUN_ID=1 \
  OPSGATE_FAIL_ON=error OPSGATE=/bin/true
assert_contains "a binary that is not opsgate still goes through the check step" "${OUTPUTS}" "exit-code=0"
}

scenario "pass: outputs, SARIF, summary, a change-aware report" scenario_pass
scenario_pass() {
good_repo
run_action "${good}" OPSGATE="${wrapper}" OPSGATE_BASE="${base_sha}" OPSGATE_MIN_LEVEL=3
assert_exit "pass: the verdict step succeeds" 0
assert_contains "pass: exit-code output" "${OUTPUTS}" "exit-code=0"
assert_contains "pass: outcome output" "${OUTPUTS}" "outcome=pass"
assert_contains "pass: sarif output" "${OUTPUTS}" "sarif=opsgate-report/opsgate.sarif"
if [[ -s "${good}/opsgate-report/opsgate.sarif" ]]; then pass_ "pass: SARIF written"; else fail_ "pass: SARIF written"; fi
if [[ -n "${SUMMARY}" ]]; then pass_ "pass: summary appended to GITHUB_STEP_SUMMARY"; else fail_ "pass: summary appended to GITHUB_STEP_SUMMARY"; fi
assert_json "pass: change-aware (--base given)" "d['base'] == '${base_sha}'" "${good}/opsgate-report/opsgate.json"
}

scenario "fail: the step fails with an annotation, or only reports with fail: false" scenario_fail
scenario_fail() {
bad_repo
run_action "${bad}" OPSGATE="${wrapper}"
assert_exit "fail: the verdict step fails" 1
assert_contains "fail: outcome output" "${OUTPUTS}" "outcome=fail"
assert_contains "fail: an error annotation" "${OUT}" "::error title=opsgate::operability gate failed"
assert_contains "fail: the summary names the failing rule" "${SUMMARY}" "BKP-002"
run_action "${bad}" OPSGATE="${wrapper}" OPSGATE_MIN_LEVEL=0
STATUS=1 FAIL=false bash -e "${E2E_TMP}/verdict.sh" >/dev/null 2>&1
RC=$?
assert_exit "fail with fail: false: the verdict step only reports" 0
}

scenario "error: exit 2 fails the step" scenario_error
scenario_error() {
bad_repo
run_action "${bad}" OPSGATE="${wrapper}" OPSGATE_RULES=/nonexistent/pack
assert_exit "error: exit 2 fails the step" 2
assert_contains "error: outcome output" "${OUTPUTS}" "outcome=error"
}

# A new branch pushed: github.event.before is all zeros, so there is no base.
scenario "a zero base (a new branch) is evaluated without --base" scenario_zero_base
scenario_zero_base() {
bad_repo
run_action "${bad}" OPSGATE="${wrapper}" OPSGATE_BASE=0000000000000000000000000000000000000000
assert_contains "zero base: evaluated without --base" "${OUTPUTS}" "exit-code=1"
}


# --- issue 16: a change cannot walk around its gate -------------------------------------------

# not_run NAME: opsgate wrote no report (the step refused before running it).
not_run() {
  if [[ -e "${good}/opsgate-report/opsgate.json" ]]; then fail_ "$1" "opsgate-report/opsgate.json exists"; else pass_ "$1"; fi
}

scenario "protected branch: extra-args with --emergency, --rules, --manifest is refused (exit 2)" scenario_protected_refused
scenario_protected_refused() {
local extra
good_repo
for extra in "--emergency x" "--emergency=INC-1" "--rules=./lenient" "--rules ./lenient" "--manifest a" "-v --manifest=operability.toml" "--env staging"; do
  rm -rf "${good}/opsgate-report"
  run_action "${good}" OPSGATE="${wrapper}" OPSGATE_REF=refs/heads/main OPSGATE_EXTRA_ARGS="${extra}"
  assert_exit "push to the default branch, '${extra}': the step fails with exit 2" 2
  assert_contains "push to the default branch, '${extra}': outcome error" "${OUTPUTS}" "outcome=error"
  assert_contains "push to the default branch, '${extra}': says why" "${OUT}" "REFUSED: extra-args may not contain"
  assert_contains "push to the default branch, '${extra}': names the branch" "${OUT}" "main is the default branch"
  not_run "push to the default branch, '${extra}': opsgate did not run"
done
run_action "${good}" OPSGATE="${wrapper}" OPSGATE_REF=refs/pull/7/merge OPSGATE_BASE_REF=release/2.x \
  OPSGATE_PROTECTED_BRANCHES="hotfix release/*" OPSGATE_EVENT=pull_request OPSGATE_EXTRA_ARGS="--rules=./lenient"
assert_exit "pull request into release/2.x (protected-branches release/*): refused" 2
assert_contains "pull request into a protected-branches base: says so" "${OUT}" "release/2.x is protected (protected-branches: release/*)"
run_action "${good}" OPSGATE="${wrapper}" OPSGATE_DEFAULT_BRANCH="" OPSGATE_EXTRA_ARGS="--manifest a"
assert_exit "default branch unknown: counts as protected, refused" 2
rm -rf "${good}/opsgate-report"
run_action "${good}" OPSGATE="${wrapper}" OPSGATE_REF=refs/heads/main OPSGATE_EXTRA_ARGS="--verbose --no-color"
assert_exit "push to the default branch, --verbose --no-color: accepted, the gate passes" 0
assert_not_contains "push to the default branch, --verbose: nothing refused" "${OUT}" "REFUSED"
}

scenario "unprotected branch: extra-args may still hold --emergency, --rules, --manifest" scenario_unprotected_allowed
scenario_unprotected_allowed() {
local extra
good_repo
for extra in "--emergency x" "--manifest operability.toml" "--verbose"; do
  run_action "${good}" OPSGATE="${wrapper}" OPSGATE_REF=refs/heads/feature OPSGATE_EXTRA_ARGS="${extra}"
  assert_exit "feature branch, '${extra}': the gate runs and passes" 0
  assert_not_contains "feature branch, '${extra}': nothing refused" "${OUT}" "REFUSED"
done
run_action "${good}" OPSGATE="${wrapper}" OPSGATE_REF=refs/pull/7/merge OPSGATE_BASE_REF=feature-x \
  OPSGATE_PROTECTED_BRANCHES="release/*" OPSGATE_EVENT=pull_request OPSGATE_EXTRA_ARGS="--emergency y"
assert_exit "pull request into an unprotected base: --emergency accepted" 0
assert_json "pull request into an unprotected base: the emergency is recorded" "d['emergency'] == 'y'" "${good}/opsgate-report/opsgate.json"
}

scenario "an emergency records GITHUB_ACTOR, and is honoured on a protected branch only in workflow_dispatch" scenario_emergency
scenario_emergency() {
good_repo
run_action "${good}" OPSGATE="${wrapper}" OPSGATE_REF=refs/heads/main OPSGATE_EVENT=workflow_dispatch \
  OPSGATE_EMERGENCY="INC-42 payment outage" GITHUB_ACTOR=octo-oncall
assert_exit "workflow_dispatch on the default branch: the emergency check passes" 0
assert_contains "the step says who asked" "${OUT}" "asked by octo-oncall"
assert_json "the report records the emergency and who asked" \
  "d['emergency'] == 'INC-42 payment outage' and d['emergency_requested_by'] == 'octo-oncall'" "${good}/opsgate-report/opsgate.json"
rm -rf "${good}/opsgate-report"
run_action "${good}" OPSGATE="${wrapper}" OPSGATE_REF=refs/heads/main OPSGATE_EVENT=push \
  OPSGATE_EMERGENCY="INC-42 payment outage" GITHUB_ACTOR=octo-oncall
assert_exit "push to the default branch with an emergency: refused, exit 2" 2
assert_contains "refused emergency: says where to ask" "${OUT}" "only in a run started by hand (workflow_dispatch)"
not_run "refused emergency: opsgate did not run"
}

scenario "reports are never written through a committed symlink" scenario_symlinks
scenario_symlinks() {
local outside="${E2E_TMP}/outside" victim="${E2E_TMP}/victim.txt"
mkdir -p "${outside}"
echo "precious" >"${victim}"
good_repo
ln -s "${outside}" "${good}/opsgate-report"
commit_all "${good}" 2026-11-21T10:00:00+01:00 "report dir is a link"
run_action "${good}" OPSGATE="${wrapper}"
assert_exit "committed opsgate-report -> outside: refused, exit 2" 2
assert_contains "committed opsgate-report -> outside: says why" "${OUT}" "is a symbolic link"
assert_eq "committed opsgate-report -> outside: nothing written outside" "" "$(ls -A "${outside}")"

git -C "${good}" rm -q opsgate-report
mkdir -p "${good}/opsgate-report"
ln -s "${victim}" "${good}/opsgate-report/summary.md"
ln -s "${victim}" "${good}/opsgate-report/opsgate.json"
commit_all "${good}" 2026-11-22T10:00:00+01:00 "report files are links"
run_action "${good}" OPSGATE="${wrapper}"
assert_exit "committed opsgate-report/summary.md -> file: the gate runs in a fresh directory and passes" 0
assert_eq "committed opsgate-report/summary.md -> file: the file outside is untouched" "precious" "$(cat "${victim}")"
if [[ -f "${good}/opsgate-report/summary.md" && ! -L "${good}/opsgate-report/summary.md" ]]; then
  pass_ "committed summary.md link: a real report replaces it"
else
  fail_ "committed summary.md link: a real report replaces it" "$(ls -la "${good}/opsgate-report" 2>&1)"
fi
assert_not_contains "committed summary.md link: the job summary is the report, not the file outside" "${SUMMARY}" "precious"
}


# --- issue 18: the stage input ----------------------------------------------------------------

# saturday_wrapper: $sat, an opsgate pinned to a Saturday evening (billing-api deploys Monday to
# Thursday evenings), as `wrapper` pins a Thursday evening.
saturday_wrapper() {
  sat="${E2E_TMP}/opsgate-saturday"
  printf '#!/bin/sh\nexec %q "$@" --at 2026-11-28T21:30:00+01:00\n' "${OPSGATE}" >"${sat}"
  chmod +x "${sat}"
}

scenario "stage input on a Saturday: merge passes, deploy is refused on WIN-003" scenario_stage_saturday
scenario_stage_saturday() {
good_repo
saturday_wrapper
run_action "${good}" OPSGATE="${sat}" OPSGATE_BASE="${base_sha}"
assert_exit "stage merge (the default), Saturday: the gate passes" 0
assert_json "stage merge, Saturday: merge stage, WIN-003 not asked" \
  "d['stage'] == 'merge' and d['outcome'] == 'pass' and st('WIN-003') == 'skipped'" "${good}/opsgate-report/opsgate.json"
assert_contains "stage merge: the job summary says so" "${SUMMARY}" "stage \`merge\`"

run_action "${good}" OPSGATE="${sat}" OPSGATE_STAGE=deploy OPSGATE_BASE="${base_sha}"
assert_exit "stage deploy, Saturday: the verdict step fails" 1
assert_contains "stage deploy, Saturday: outcome fail" "${OUTPUTS}" "outcome=fail"
assert_json "stage deploy, Saturday: deploy stage, WIN-003 fails" \
  "d['stage'] == 'deploy' and d['outcome'] == 'fail' and st('WIN-003') == 'fail'" "${good}/opsgate-report/opsgate.json"
assert_contains "stage deploy: the job summary says so" "${SUMMARY}" "stage \`deploy\`"

run_action "${good}" OPSGATE="${wrapper}" OPSGATE_STAGE=deploy
assert_exit "stage deploy, Thursday evening: the gate passes" 0
assert_json "stage deploy, Thursday evening: WIN-003 passes" \
  "d['stage'] == 'deploy' and st('WIN-003') == 'pass'" "${good}/opsgate-report/opsgate.json"

# A deployment from the default branch, started by hand in an emergency: honoured and recorded.
run_action "${good}" OPSGATE="${sat}" OPSGATE_STAGE=deploy OPSGATE_REF=refs/heads/main \
  OPSGATE_EVENT=workflow_dispatch OPSGATE_EMERGENCY="INC-42 payment outage" GITHUB_ACTOR=octo-oncall
assert_exit "stage deploy, Saturday, emergency in workflow_dispatch on main: passes" 0
assert_json "stage deploy, emergency: WIN-003 waived, who asked recorded" \
  "d['stage'] == 'deploy' and st('WIN-003') == 'waived' and d['emergency_requested_by'] == 'octo-oncall'" \
  "${good}/opsgate-report/opsgate.json"
rm -rf "${good}/opsgate-report"
run_action "${good}" OPSGATE="${sat}" OPSGATE_STAGE=deploy OPSGATE_REF=refs/heads/main \
  OPSGATE_EVENT=push OPSGATE_EMERGENCY="INC-42 payment outage"
assert_exit "stage deploy, emergency on a push to main: refused, exit 2" 2
not_run "stage deploy, refused emergency: opsgate did not run"
}

scenario "the stage is the input's: --stage in extra-args, an unknown stage and fail false at deploy are refused" scenario_stage_fixed
scenario_stage_fixed() {
local extra ref
good_repo
saturday_wrapper
for ref in refs/heads/main refs/heads/feature; do
  for extra in "--stage commit" "--stage=merge" "--verbose --stage=push"; do
    rm -rf "${good}/opsgate-report"
    run_action "${good}" OPSGATE="${sat}" OPSGATE_STAGE=deploy OPSGATE_REF="${ref}" OPSGATE_EXTRA_ARGS="${extra}"
    assert_exit "${ref#refs/heads/}, stage deploy, extra-args '${extra}': exit 2" 2
    assert_contains "${ref#refs/heads/}, extra-args '${extra}': says the stage is the input" "${OUT}" "the stage is the stage input (deploy)"
    not_run "${ref#refs/heads/}, extra-args '${extra}': opsgate did not run"
  done
done
rm -rf "${good}/opsgate-report"
run_action "${good}" OPSGATE="${sat}" OPSGATE_STAGE=release
assert_exit "an unknown stage: exit 2" 2
assert_contains "an unknown stage: says which exist" "${OUT}" "must be commit, push, merge or deploy, not 'release'"
not_run "an unknown stage: opsgate did not run"
run_action "${good}" OPSGATE="${sat}" OPSGATE_STAGE=deploy OPSGATE_FAIL=false
assert_exit "stage deploy with fail false: exit 2" 2
assert_contains "stage deploy with fail false: says why" "${OUT}" "a failed deploy gate stops the job"
not_run "stage deploy with fail false: opsgate did not run"
}

run_scenarios "$@"
