#!/usr/bin/env bash
# The Jenkins shared-library steps (integrations/jenkins/vars/) under Debian's groovy with the
# pipeline steps stubbed (tests/e2e/jenkins/steps_test.groovy): the commands they run, how they
# react to exit codes 0, 1 and 2, and one run of the real binary through a real shell; and
# (issue 16) on a protected branch extraArgs cannot add --emergency/--rules/--manifest, an
# emergency needs a build started by a user and records who asked (BUILD_USER_ID), and reports
# are never written through a committed symlink; (issue 18) opsgate judges at the merge stage and
# opsgateDeploy at the deploy stage, and extraArgs cannot change the stage.
# groovy missing: the suite skips (exit 77 with a note), except under CI=true where it fails.
# A scenario runs one section of the harness in one groovy start-up (seconds).

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# need_groovy: GROOVY and JAVA_HOME, or the scenario skips (fails under CI=true).
need_groovy() {
GROOVY="${GROOVY:-$(command -v groovy 2>/dev/null)}"
if [[ -z "${GROOVY}" ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "groovy is missing (run .ci/bootstrap); required when CI=true" >&2
    exit 1
  fi
  skip "groovy not installed (.ci/bootstrap installs it)"
fi
if [[ -z "${JAVA_HOME:-}" || ! -x "${JAVA_HOME}/bin/java" ]]; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac || command -v java)")")")"
  export JAVA_HOME
fi
}

# run_harness SECTION REPO: the groovy harness's SECTION with REPO as the work space; its "ok" and
# "FAIL" lines become assertions.
run_harness() {
local section="$1" repo="$2" log="${E2E_TMP}/groovy.log" line
"${GROOVY}" "${OPSGATE_SOURCE_DIR}/tests/e2e/jenkins/steps_test.groovy" \
  "${OPSGATE_SOURCE_DIR}/integrations/jenkins" "${OPSGATE}" "${repo}" "${BASELINE}" "${section}" >"${log}" 2>&1
RC=$?
OUT="$(cat "${log}")"
ERR=""

while IFS= read -r line; do
  case "${line}" in
    "ok "*) pass_ "${line#ok }" ;;
    "FAIL "*) fail_ "${line#FAIL }" ;;
  esac
done <"${log}"
assert_exit "groovy harness exit status" 0
assert_contains "groovy harness ran to the end" "${OUT}" "groovy checks:"
}

scenario "the shared-library steps under groovy" scenario_steps
scenario_steps() {
need_groovy
# A service whose manifest fails the baseline (retention too short).
local repo
repo="$(new_repo service)"
cp -r "${OPSGATE_SOURCE_DIR}/examples/billing-api/." "${repo}/"
sed -i 's/^retention_days = .*/retention_days = 3/' "${repo}/operability.toml"
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "service"
run_harness steps "${repo}"
}

# Issue 18: opsgate judges at the merge stage, opsgateDeploy at the deploy stage; on a Saturday
# the merge gate passes and the deploy gate refuses (WIN-003), with the real binary.
scenario "opsgate judges at the merge stage, opsgateDeploy at the deploy stage, on a Saturday" scenario_stages
scenario_stages() {
need_groovy
# A service whose manifest passes the baseline; it deploys Monday to Thursday evenings.
local repo
repo="$(new_repo service)"
cp -r "${OPSGATE_SOURCE_DIR}/examples/billing-api/." "${repo}/"
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "service"
run_harness stages "${repo}"
}

run_scenarios "$@"
