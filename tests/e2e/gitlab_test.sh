#!/usr/bin/env bash
# The GitLab CI/CD template (integrations/gitlab/opsgate.yml) run for real by gitlab-ci-local
# (shell executor, shell isolation) on a project cloned shallow, as GitLab clones it:
# a merge-request pipeline fails on a failing manifest and passes on a good one, fetches the
# base the shallow clone lacks, reads the rules from the target side, writes the JUnit and
# Code Quality artifacts, and posts the commit status on the MR head (to a local HTTP stub);
# a deploy job extending .opsgate-window deploys inside the window and refuses outside it.
# Issue 18: the merge job judges at the merge stage and a deploy job extending .opsgate-deploy at
# the deploy stage: on a Saturday the pipeline's merge job passes and its deploy job is refused
# (WIN-003); the stage is the job's, and neither OPSGATE_STAGE nor --stage in OPSGATE_EXTRA_ARGS
# changes it.
# Issue 16: on a protected branch a pipeline variable cannot replace what judges (OPSGATE,
# OPSGATE_RULES, OPSGATE_ENV, OPSGATE_MIN_LEVEL, ..., the image, LD_PRELOAD): the job refuses it,
# exit 2; a deploy job may judge the environment its own `environment:` names.
# Issue 16: on a protected branch OPSGATE_EXTRA_ARGS cannot add --emergency/--rules/--manifest,
# OPSGATE_DISABLED does not skip the gate, an emergency is honoured only in a pipeline run by hand
# and records who asked, and reports are never written through a committed symlink.
#
# gitlab-ci-local: $GITLAB_CI_LOCAL, else on PATH, else the cache .ci/bootstrap installs it
# into. Missing: the scenarios skip (exit 77), except under CI=true where they fail.

# Found before lib.sh replaces HOME.
GCL="${GITLAB_CI_LOCAL:-}"
if [[ -z "${GCL}" ]]; then
  for candidate in "$(command -v gitlab-ci-local 2>/dev/null)" \
    "${OPSGATE_TOOLS_CACHE:-${XDG_CACHE_HOME:-${HOME}/.cache}/opsgate-ci}/npm-tools/node_modules/.bin/gitlab-ci-local"; do
    if [[ -n "${candidate}" && -x "${candidate}" ]]; then GCL="${candidate}"; break; fi
  done
fi

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

TEMPLATE="${OPSGATE_SOURCE_DIR}/integrations/gitlab/opsgate.yml"
AT_OPEN="2026-11-26T21:30:00+01:00"   # Thursday evening: inside billing-api's window
AT_CLOSED="2026-11-26T10:00:00+01:00" # Thursday morning: outside
AT_SATURDAY="2026-11-28T21:30:00+01:00" # Saturday evening: outside (billing-api deploys mon-thu)

# setup: the stub below, and the upstream project (skips without gitlab-ci-local or rsync).
setup() {
if [[ -z "${GCL}" ]] || ! command -v rsync >/dev/null; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "gitlab-ci-local or rsync is missing (run .ci/bootstrap); required when CI=true" >&2
    exit 1
  fi
  skip "gitlab-ci-local or rsync not installed (.ci/bootstrap installs them)"
fi

# --- a local HTTP stub for the GitLab statuses API (loopback only) -----------------------------
STUB_LOG="${E2E_TMP}/statuses.log"
STUB_PORT_FILE="${E2E_TMP}/stub.port"
"${PYTHON}" -I -S - "${STUB_LOG}" "${STUB_PORT_FILE}" <<'PY' &
import http.server, json, sys, threading
log, port_file = sys.argv[1], sys.argv[2]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        with open(log, "a") as out:
            out.write(json.dumps({"path": self.path, "token": self.headers.get("PRIVATE-TOKEN"),
                                  "type": self.headers.get("Content-Type"), "body": body}) + "\n")
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": 1}')
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file, "w") as out:
    out.write(str(server.server_address[1]))
threading.Timer(240, server.shutdown).start()  # never outlives the suite
server.serve_forever()
PY
STUB_PID=$!
on_exit 'kill "${STUB_PID}" 2>/dev/null'
for _ in $(seq 50); do [[ -s "${STUB_PORT_FILE}" ]] && break; sleep 0.1; done
STUB_URL="http://127.0.0.1:$(cat "${STUB_PORT_FILE}")/api/v4"

# --- the upstream project ---------------------------------------------------------------------
up="$(new_repo upstream)"
cp -r "${OPSGATE_SOURCE_DIR}/examples/billing-api/." "${up}/"
mkdir -p "${up}/ci"
cp "${TEMPLATE}" "${up}/ci/opsgate.yml"
# The repository's own pack (read from the target side): one extra rule billing-api meets.
write_file "${up}/.opsgate/rules/acme.toml" <<'EOF'
[pack]
name = "acme"
version = "1.0.0"

[[rule]]
id = "ACME-001"
area = "service"
title = "Services name a contact"
severity = "error"
level = 1
help = "Set service.contact."
check = [ { key = "service.contact", present = true } ]
EOF
write_file "${up}/.gitlab-ci.yml" <<EOF
include:
  - local: ci/opsgate.yml
    inputs:
      rules: ${BASELINE}
      environment: production
      min-level: 2
      opsgate: ${OPSGATE}
      depth: 2

stages: [test, deploy]

deploy-production:
  extends: .opsgate-window
  script:
    - echo "deployed \$CI_COMMIT_SHA" > deployed.txt
  artifacts:
    paths: [deployed.txt]

deploy-checked:
  extends: .opsgate-deploy
  script:
    - echo "deployed \$CI_COMMIT_SHA" > deployed-checked.txt
  artifacts:
    paths: [deployed-checked.txt, opsgate-report/]

# A deploy job that judges its own environment (GitLab's environment: keyword and OPSGATE_ENV).
deploy-staging:
  extends: .opsgate-deploy
  environment: staging
  variables:
    OPSGATE_ENV: staging
  when: manual
  script:
    - echo "deployed \$CI_COMMIT_SHA" > deployed-staging.txt
EOF
commit_all "${up}" 2026-11-10T10:00:00+01:00 "service with its manifest and pipeline"
fork="$(git -C "${up}" rev-parse HEAD)"

# mr-bad: three commits; it weakens the backups and, in the same change, tries to disable the
# rule that catches it in the repository's pack (which the gate reads from the target side).
git -C "${up}" checkout -q -b mr-bad
sed -i 's/^retention_days = .*/retention_days = 3/' "${up}/operability.toml"
commit_all "${up}" 2026-11-20T10:00:00+01:00 "shorter retention"
printf '\n[[override]]\nrule = "BKP-002"\nenabled = false\n' >>"${up}/.opsgate/rules/acme.toml"
commit_all "${up}" 2026-11-20T11:00:00+01:00 "relax the rules"
echo "note" >"${up}/NOTES.md"
commit_all "${up}" 2026-11-20T12:00:00+01:00 "notes"

# mr-good: three harmless commits.
git -C "${up}" checkout -q -b mr-good "${fork}"
for i in 1 2 3; do
  echo "change ${i}" >"${up}/CHANGES-${i}.md"
  commit_all "${up}" "2026-11-2${i}T10:00:00+01:00" "change ${i}"
done

# The target branch moves on after both forks.
git -C "${up}" checkout -q main
echo "later" >"${up}/LATER.md"
commit_all "${up}" 2026-11-24T10:00:00+01:00 "main moves on"
}

# gcl_mr NAME BRANCH [ARGS...]: a shallow (depth 1) clone of BRANCH, as GitLab's runner makes
# it, then the merge-request pipeline's opsgate-check job (into an unprotected main unless ARGS,
# given last so they win, say otherwise). Sets RC/OUT/ERR, CLONE and HEAD_SHA.
gcl_mr() {
  local name="$1" branch="$2"
  shift 2
  CLONE="${E2E_TMP}/${name}"
  git clone -q --depth 1 --branch "${branch}" "file://${up}" "${CLONE}"
  HEAD_SHA="$(git -C "${up}" rev-parse "${branch}")"
  gcl_run "${CLONE}" opsgate-check \
    --variable CI_PIPELINE_SOURCE=merge_request_event \
    --variable "CI_MERGE_REQUEST_DIFF_BASE_SHA=${fork}" \
    --variable "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA=${HEAD_SHA}" \
    --variable CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main \
    --variable CI_MERGE_REQUEST_TARGET_BRANCH_PROTECTED=false \
    --variable "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=${branch}" \
    --variable "CI_API_V4_URL=${STUB_URL}" \
    --variable OPSGATE_GITLAB_TOKEN=glpat-e2e-secret \
    --variable "OPSGATE_EXTRA_ARGS=--at ${AT_OPEN}" "$@"
}

# gcl_run DIR ARGS...: gitlab-ci-local in DIR (shell executor, each job in its own copy).
gcl_run() {
  local dir="$1"
  shift
  # GitLab's JSON schema validates the expanded pipeline once (the first run); it costs seconds.
  local validate=--json-schema-validation
  [[ -n "${GCL_VALIDATED:-}" ]] && validate=--no-json-schema-validation
  GCL_VALIDATED=1
  (cd "${dir}" && "${GCL}" --force-shell-executor --shell-isolation --no-color "${validate}" \
    --max-job-name-padding 0 "$@" </dev/null >"${E2E_TMP}/.gcl.out" 2>"${E2E_TMP}/.gcl.err")
  RC=$?
  OUT="$(cat "${E2E_TMP}/.gcl.out")"
  ERR="$(cat "${E2E_TMP}/.gcl.err")"
}

# --- a failing merge request ------------------------------------------------------------------
scenario "a failing merge request: the pipeline fails, with artifacts and a failed status" scenario_failing_mr
scenario_failing_mr() {
gcl_mr bad mr-bad
assert_exit "failing MR: the pipeline fails" 1
assert_contains "failing MR: the shallow clone fetched the base" "${OUT}" "fetching the merge-request base"
assert_contains "failing MR: opsgate ran with --base" "${OUT}" "--base ${fork}"
assert_contains "failing MR: rules from the target side" "${OUT}" "--rules ${fork}:.opsgate/rules"
assert_contains "failing MR: BKP-002 fails despite the relaxed pack" "${OUT}" "BKP-002"
assert_contains "failing MR: the job says the gate failed" "${OUT}" "gate FAILED"
bad_art="${CLONE}/.gitlab-ci-local/artifacts/opsgate-check/opsgate-report"
for file in junit.xml codequality.json opsgate.json opsgate.sarif summary.md; do
  if [[ -s "${bad_art}/${file}" ]]; then pass_ "failing MR: artifact ${file}"; else fail_ "failing MR: artifact ${file}" "missing: ${bad_art}/${file}"; fi
done
if [[ -s "${bad_art}/junit.xml" ]]; then
  assert_contains "failing MR: JUnit names the failing rule" "$(cat "${bad_art}/junit.xml")" "BKP-002"
  assert_contains "failing MR: JUnit has a failure" "$(cat "${bad_art}/junit.xml")" "<failure"
fi
if [[ -s "${bad_art}/codequality.json" ]]; then
  assert_json "failing MR: Code Quality lists BKP-002 at operability.toml" \
    "any(i['check_name'] == 'BKP-002' and i['location']['path'] == 'operability.toml' for i in d)" \
    "${bad_art}/codequality.json"
fi
if [[ -s "${bad_art}/opsgate.json" ]]; then
  assert_json "failing MR: the report is change-aware and read the rules at the base" \
    "d['outcome'] == 'fail' and d['base'] is not None and st('BKP-002') == 'fail'" "${bad_art}/opsgate.json"
fi
statuses="$(cat "${STUB_LOG}" 2>/dev/null)"
assert_contains "failing MR: status posted on the MR head" "${statuses}" "/projects/1217/statuses/${HEAD_SHA}"
assert_matches "failing MR: status is failed" "${statuses}" 'state[^,]*failed'
assert_contains "failing MR: token sent as PRIVATE-TOKEN" "${statuses}" '"token": "glpat-e2e-secret"'
assert_not_contains "failing MR: token never in the job log" "${OUT}${ERR}" "glpat-e2e-secret"
}

# --- a good merge request ---------------------------------------------------------------------
scenario "a good merge request: the pipeline passes, with a success status" scenario_good_mr
scenario_good_mr() {
gcl_mr good mr-good
assert_exit "good MR: the pipeline passes" 0
assert_contains "good MR: the job says the gate passed" "${OUT}" "gate passed"
good_art="${CLONE}/.gitlab-ci-local/artifacts/opsgate-check/opsgate-report"
for file in junit.xml codequality.json; do
  if [[ -s "${good_art}/${file}" ]]; then pass_ "good MR: artifact ${file}"; else fail_ "good MR: artifact ${file}" "missing: ${good_art}/${file}"; fi
done
if [[ -s "${good_art}/codequality.json" ]]; then
  assert_json "good MR: Code Quality is empty" "d == []" "${good_art}/codequality.json"
fi
statuses="$(cat "${STUB_LOG}" 2>/dev/null)"
assert_contains "good MR: status posted on the MR head" "${statuses}" "/statuses/${HEAD_SHA}"
assert_matches "good MR: status is success" "${statuses}" 'state[^,]*success'
}

# --- the deploy job and the release window ----------------------------------------------------
scenario "the deploy job: refused outside the window, run inside it or in an emergency" scenario_deploy
scenario_deploy() {
deploy="${E2E_TMP}/deploy"
git clone -q --depth 1 "file://${up}" "${deploy}"
gcl_run "${deploy}" deploy-production --variable "OPSGATE_EXTRA_ARGS=--at ${AT_CLOSED}"
assert_exit "deploy: refused outside the window" 1
assert_contains "deploy: says the window is closed" "${OUT}" "release window CLOSED"
if [[ -e "${deploy}/deployed.txt" ]]; then fail_ "deploy: nothing deployed when closed" "deployed.txt exists"; else pass_ "deploy: nothing deployed when closed"; fi

gcl_run "${deploy}" deploy-production --variable "OPSGATE_EXTRA_ARGS=--at ${AT_CLOSED}" \
  --variable "OPSGATE_EMERGENCY=INC-42 payment outage"
assert_exit "deploy: an emergency deploys when closed" 0
assert_contains "deploy: the emergency deploy ran the script" "$(cat "${deploy}/deployed.txt" 2>/dev/null)" "deployed"
rm -f "${deploy}/deployed.txt"

gcl_run "${deploy}" deploy-production --variable "OPSGATE_EXTRA_ARGS=--at ${AT_OPEN}"
assert_exit "deploy: runs inside the window" 0
assert_contains "deploy: says the window is open" "${OUT}" "release window open"
assert_contains "deploy: the deploy script ran" "$(cat "${deploy}/deployed.txt" 2>/dev/null)" "deployed"
}


# --- issue 16: a change cannot walk around its gate -------------------------------------------

# assert_job_exit2 NAME: the last job exited 2 (gitlab-ci-local itself exits 1 on any failed job
# and prints the job's own exit code after "FAIL").
assert_job_exit2() {
  if [[ "${RC}" == 1 && "${OUT}${ERR}" =~ finished\ in\ [0-9.]+\ m?s\ +FAIL\ 2 ]]; then
    pass_ "$1"
  else
    fail_ "$1" "expected the job to fail with exit 2 (gitlab-ci-local: exit 1, 'FAIL 2'), got exit ${RC}"
  fi
}

# not_run NAME: the gate binary did not run in the last job (the guard stopped it first).
not_run() {
  assert_not_contains "$1" "${OUT}" "+ ${OPSGATE} check"
}

scenario "protected branch: --emergency, --rules, --manifest in OPSGATE_EXTRA_ARGS are refused (exit 2)" scenario_protected_refused
scenario_protected_refused() {
local extra
# A lenient pack the change brings along, to be named with --rules.
git -C "${up}" checkout -q -b mr-lenient mr-bad
write_file "${up}/lenient/pack.toml" <<'EOF'
[pack]
name = "lenient"
version = "1.0.0"

[[override]]
rule = "BKP-002"
enabled = false
EOF
commit_all "${up}" 2026-11-21T10:00:00+01:00 "a lenient pack"
git -C "${up}" checkout -q main
for extra in "--emergency x" "--emergency=INC-1" "--rules=./lenient" "--rules ./lenient" "--manifest a" "--verbose --manifest=operability.toml"; do
  rm -rf "${E2E_TMP}/prot"
  gcl_mr prot mr-lenient --variable CI_COMMIT_REF_PROTECTED=true --variable "OPSGATE_EXTRA_ARGS=${extra}"
  assert_job_exit2 "protected branch, '${extra}': the job fails with exit 2"
  assert_contains "protected branch, '${extra}': says why" "${OUT}${ERR}" "REFUSED: OPSGATE_EXTRA_ARGS may not contain"
  assert_contains "protected branch, '${extra}': names the protected branch" "${OUT}${ERR}" "is protected"
  not_run "protected branch, '${extra}': opsgate did not run"
done
rm -rf "${E2E_TMP}/prot"
gcl_mr prot mr-lenient --variable CI_COMMIT_REF_PROTECTED=true --variable "OPSGATE_EXTRA_ARGS=--emergency x"
assert_contains "protected branch, --emergency: points at OPSGATE_EMERGENCY" "${OUT}${ERR}" "OPSGATE_EMERGENCY"
# A merge request into a protected target (its source branch is not protected).
rm -rf "${E2E_TMP}/prot"
gcl_mr prot mr-lenient --variable CI_MERGE_REQUEST_TARGET_BRANCH_PROTECTED=true --variable "OPSGATE_EXTRA_ARGS=--rules=./lenient"
assert_job_exit2 "MR into a protected target, --rules=./lenient: exit 2"
assert_contains "MR into a protected target: says so" "${OUT}${ERR}" "targets the protected branch main"
# GitLab did not say whether the target is protected: an MR into the default branch counts as one.
rm -rf "${E2E_TMP}/prot"
gcl_mr prot mr-lenient --variable CI_MERGE_REQUEST_TARGET_BRANCH_PROTECTED= --variable CI_DEFAULT_BRANCH=main \
  --variable "OPSGATE_EXTRA_ARGS=--manifest a"
assert_job_exit2 "MR into the default branch, protection unknown, --manifest a: exit 2"
assert_contains "MR into the default branch: says so" "${OUT}${ERR}" "targets the default branch"
# Anything else that changes the verdict is refused too; the harmless flags are not.
rm -rf "${E2E_TMP}/prot"
gcl_mr prot mr-good --variable CI_COMMIT_REF_PROTECTED=true --variable "OPSGATE_EXTRA_ARGS=--env staging"
assert_job_exit2 "protected branch, --env staging: exit 2"
rm -rf "${E2E_TMP}/prot"
gcl_mr prot mr-good --variable CI_COMMIT_REF_PROTECTED=true --variable "OPSGATE_EXTRA_ARGS=--verbose --no-color"
# (no --at there: the verdict depends on today's window, so only "it ran" is checked)
assert_contains "protected branch, --verbose --no-color: accepted, the gate ran" "${OUT}" "+ ${OPSGATE} check"
assert_contains "protected branch, --verbose --no-color: passed to opsgate" "${OUT}" "--verbose --no-color --report"
assert_not_contains "protected branch, --verbose: nothing refused" "${OUT}${ERR}" "REFUSED: OPSGATE"
}

scenario "unprotected branch: OPSGATE_EXTRA_ARGS may still hold --emergency, --rules, --manifest" scenario_unprotected_allowed
scenario_unprotected_allowed() {
local extra
# A pack of the runner's own (not the change's), to be added with --rules.
write_file "${E2E_TMP}/extra-pack/extra.toml" <<'EOF'
[pack]
name = "extra"
version = "1.0.0"

[[rule]]
id = "XTRA-001"
area = "service"
title = "Services name a contact"
severity = "error"
level = 1
help = "Set service.contact."
check = [ { key = "service.contact", present = true } ]
EOF
for extra in "--emergency x" "--at ${AT_OPEN} --manifest operability.toml" "--at ${AT_OPEN} --rules=${E2E_TMP}/extra-pack"; do
  rm -rf "${E2E_TMP}/free"
  gcl_mr free mr-good --variable CI_COMMIT_REF_PROTECTED=false --variable "OPSGATE_EXTRA_ARGS=${extra}"
  assert_exit "unprotected, '${extra}': the gate runs and passes" 0
  assert_not_contains "unprotected, '${extra}': nothing refused" "${OUT}${ERR}" "REFUSED: OPSGATE"
  assert_contains "unprotected, '${extra}': passed to opsgate" "${OUT}" "${extra}"
done
}

# gcl_list CLONE ARGS...: the jobs gitlab-ci-local puts in the pipeline (`--list` evaluates their
# rules; `--list-json` would not), one name a line, in JOBS.
gcl_list() {
  local dir="$1"
  shift
  JOBS="$(cd "${dir}" && "${GCL}" --no-color --list "$@" 2>/dev/null | awk 'seen { print $1 } $1 == "name" { seen = 1 }')"
}

scenario "OPSGATE_DISABLED does not skip the gate on a protected branch" scenario_disabled
scenario_disabled() {
local main_clone="${E2E_TMP}/main-clone"
git clone -q --depth 1 "file://${up}" "${main_clone}"
gcl_list "${main_clone}" --variable OPSGATE_DISABLED=true --variable CI_COMMIT_REF_PROTECTED=true
assert_contains "protected, OPSGATE_DISABLED=true: opsgate-check stays in the pipeline" "${JOBS}" "opsgate-check"
gcl_list "${main_clone}" --variable OPSGATE_DISABLED=true --variable CI_COMMIT_REF_PROTECTED=false --variable CI_DEFAULT_BRANCH=main
assert_not_contains "unprotected push, OPSGATE_DISABLED=true: opsgate-check removed" "${JOBS}" "opsgate-check"
gcl_list "${main_clone}" --variable CI_COMMIT_REF_PROTECTED=true
assert_contains "sanity: opsgate-check is in the default branch's pipeline" "${JOBS}" "opsgate-check"
# The job itself, run: a failing change on a protected branch still fails, and says why.
gcl_mr disabled mr-bad --variable CI_COMMIT_REF_PROTECTED=true --variable OPSGATE_DISABLED=true \
  --variable OPSGATE_EXTRA_ARGS=
assert_exit "protected, OPSGATE_DISABLED=true: the failing change still fails" 1
assert_contains "protected, OPSGATE_DISABLED=true: ignored loudly" "${OUT}" "OPSGATE_DISABLED=true is IGNORED on a protected branch"
assert_contains "protected, OPSGATE_DISABLED=true: the gate ran" "${OUT}" "gate FAILED"
}

scenario "an emergency records who asked, and is honoured on a protected branch only when run by hand" scenario_emergency
scenario_emergency() {
gcl_mr emergency mr-good --variable CI_COMMIT_REF_PROTECTED=true --variable CI_PIPELINE_SOURCE=web \
  --variable "OPSGATE_EMERGENCY=INC-42 payment outage" --variable GITLAB_USER_LOGIN=alice.oncall \
  --variable OPSGATE_EXTRA_ARGS=
assert_exit "web pipeline on a protected branch: the emergency check runs" 0
assert_contains "the job log says who asked" "${OUT}" "asked by alice.oncall"
report="${CLONE}/.gitlab-ci-local/artifacts/opsgate-check/opsgate-report/opsgate.json"
assert_json "the report records the emergency and who asked" \
  "d['emergency'] == 'INC-42 payment outage' and d['emergency_requested_by'] == 'alice.oncall'" "${report}"

rm -rf "${E2E_TMP}/emergency"
gcl_mr emergency mr-good --variable CI_COMMIT_REF_PROTECTED=true \
  --variable "OPSGATE_EMERGENCY=INC-42 payment outage" --variable OPSGATE_EXTRA_ARGS=
assert_job_exit2 "merge-request pipeline on a protected branch: OPSGATE_EMERGENCY refused, exit 2"
assert_contains "refused emergency: says where to ask for one" "${OUT}${ERR}" "only in a pipeline run by hand"
not_run "refused emergency: opsgate did not run"

# The deploy job: an emergency from a push pipeline on a protected branch deploys nothing.
local deploy="${E2E_TMP}/deploy"
git clone -q --depth 1 "file://${up}" "${deploy}"
gcl_run "${deploy}" deploy-production --variable CI_COMMIT_REF_PROTECTED=true --variable CI_PIPELINE_SOURCE=push \
  --variable "OPSGATE_EMERGENCY=INC-42 payment outage"
assert_job_exit2 "deploy, push pipeline on a protected branch: emergency refused"
if [[ -e "${deploy}/deployed.txt" ]]; then fail_ "deploy: nothing deployed on a refused emergency" "deployed.txt exists"; else pass_ "deploy: nothing deployed on a refused emergency"; fi
gcl_run "${deploy}" deploy-production --variable CI_COMMIT_REF_PROTECTED=true --variable CI_PIPELINE_SOURCE=push \
  --variable "OPSGATE_EXTRA_ARGS=--at ${AT_OPEN}"
assert_job_exit2 "deploy on a protected branch: --at (moving the clock) refused"
if [[ -e "${deploy}/deployed.txt" ]]; then fail_ "deploy: nothing deployed with a refused --at" "deployed.txt exists"; else pass_ "deploy: nothing deployed with a refused --at"; fi
}

scenario "reports are never written through a committed symlink" scenario_symlinks
scenario_symlinks() {
local outside="${E2E_TMP}/outside" victim="${E2E_TMP}/victim.txt" art
mkdir -p "${outside}"
echo "precious" >"${victim}"
# mr-link-dir: opsgate-report itself is a link out of the checkout.
git -C "${up}" checkout -q -b mr-link-dir "${fork}"
ln -s "${outside}" "${up}/opsgate-report"
commit_all "${up}" 2026-11-21T10:00:00+01:00 "report dir is a link"
# mr-link-file: opsgate-report/summary.md is a link to a file outside.
git -C "${up}" checkout -q -b mr-link-file "${fork}"
mkdir -p "${up}/opsgate-report"
ln -s "${victim}" "${up}/opsgate-report/summary.md"
ln -s "${victim}" "${up}/opsgate-report/opsgate.json"
commit_all "${up}" 2026-11-21T10:00:00+01:00 "report files are links"
git -C "${up}" checkout -q main

gcl_mr link-dir mr-link-dir
assert_job_exit2 "committed opsgate-report -> outside: the job refuses (exit 2)"
assert_contains "committed opsgate-report -> outside: says why" "${OUT}${ERR}" "is a symbolic link"
assert_eq "committed opsgate-report -> outside: nothing written outside" "" "$(ls -A "${outside}")"

gcl_mr link-file mr-link-file
assert_exit "committed opsgate-report/summary.md -> file: the gate runs in a fresh directory and passes" 0
assert_eq "committed opsgate-report/summary.md -> file: the file outside is untouched" "precious" "$(cat "${victim}")"
art="${CLONE}/.gitlab-ci-local/artifacts/opsgate-check/opsgate-report"
if [[ -f "${art}/summary.md" && ! -L "${art}/summary.md" && -s "${art}/summary.md" ]]; then
  pass_ "committed summary.md link: the artifact is a real report"
else
  fail_ "committed summary.md link: the artifact is a real report" "$(ls -la "${art}" 2>&1)"
fi
}


# --- issue 18: the stage is the job's ---------------------------------------------------------

# report_of CLONE JOB: the JSON report JOB left as an artifact in CLONE.
report_of() {
  printf '%s' "${1}/.gitlab-ci-local/artifacts/${2}/opsgate-report/opsgate.json"
}

# not_deployed NAME DIR: the deploy-checked job's script did not run in DIR.
not_deployed() {
  if [[ -e "$2/deployed-checked.txt" ]]; then fail_ "$1" "deployed-checked.txt exists"; else pass_ "$1"; fi
}

scenario "a Saturday pipeline: the merge job passes, the deploy job is refused" scenario_saturday
scenario_saturday() {
local sat="${E2E_TMP}/saturday"
git clone -q --depth 1 "file://${up}" "${sat}"
# The default branch's pipeline (unprotected here, so that OPSGATE_EXTRA_ARGS may carry --at):
# opsgate-check in the test stage, then the deploy jobs.
gcl_run "${sat}" --variable CI_COMMIT_REF_PROTECTED=false --variable CI_DEFAULT_BRANCH=main \
  --variable "OPSGATE_EXTRA_ARGS=--at ${AT_SATURDAY}"
assert_exit "Saturday pipeline: the pipeline fails (its deploy jobs)" 1
assert_contains "Saturday pipeline: opsgate-check judged at the merge stage" "${OUT}" "--stage merge --env production"
assert_contains "Saturday pipeline: the merge job passed" "${OUT}" "opsgate: gate passed"
assert_contains "Saturday pipeline: deploy-checked judged at the deploy stage" "${OUT}" "--stage deploy --env production"
assert_contains "Saturday pipeline: the deploy job refused to deploy" "${OUT}" "deploy gate FAILED for production: refusing to deploy"
assert_contains "Saturday pipeline: the deploy job's text report says deploy stage" "${OUT}" "production · deploy stage ·"
assert_json "Saturday pipeline: the merge report passes at the merge stage, WIN-003 not asked" \
  "d['stage'] == 'merge' and d['outcome'] == 'pass' and st('WIN-003') == 'skipped'" "$(report_of "${sat}" opsgate-check)"
assert_json "Saturday pipeline: the deploy report fails at the deploy stage on WIN-003" \
  "d['stage'] == 'deploy' and d['outcome'] == 'fail' and st('WIN-003') == 'fail'" "$(report_of "${sat}" deploy-checked)"
not_deployed "Saturday pipeline: nothing deployed" "${sat}"

# The same Saturday in a merge request: the merge job passes, change-aware.
gcl_mr sat-mr mr-good --variable "OPSGATE_EXTRA_ARGS=--at ${AT_SATURDAY}"
assert_exit "Saturday merge request: the merge job passes" 0
assert_json "Saturday merge request: merge stage, change-aware, passed" \
  "d['stage'] == 'merge' and d['base'] is not None and d['outcome'] == 'pass'" "$(report_of "${CLONE}" opsgate-check)"
}

scenario ".opsgate-deploy: deploys inside the window, on a Saturday only in an emergency, never a failing revision" scenario_deploy_stage
scenario_deploy_stage() {
local dep="${E2E_TMP}/deploy-checked" bad="${E2E_TMP}/deploy-bad"
git clone -q --depth 1 "file://${up}" "${dep}"
gcl_run "${dep}" deploy-checked --variable "OPSGATE_EXTRA_ARGS=--at ${AT_OPEN}"
assert_exit "deploy stage, Thursday evening: deploys" 0
assert_contains "deploy stage, Thursday evening: the gate passed" "${OUT}" "deploy gate passed for production: deploying"
assert_contains "deploy stage, Thursday evening: the deploy script ran" "$(cat "${dep}/deployed-checked.txt" 2>/dev/null)" "deployed"
assert_json "deploy stage, Thursday evening: judged at deploy, WIN-003 passed, the whole revision" \
  "d['stage'] == 'deploy' and st('WIN-003') == 'pass' and d['base'] is None" "$(report_of "${dep}" deploy-checked)"
rm -f "${dep}/deployed-checked.txt"

gcl_run "${dep}" deploy-checked --variable "OPSGATE_EXTRA_ARGS=--at ${AT_SATURDAY}" \
  --variable "OPSGATE_EMERGENCY=INC-42 payment outage" --variable GITLAB_USER_LOGIN=alice.oncall
assert_exit "deploy stage, Saturday, emergency: deploys" 0
assert_json "deploy stage, Saturday, emergency: WIN-003 waived, the reason and who asked recorded" \
  "d['stage'] == 'deploy' and st('WIN-003') == 'waived' and d['emergency'] == 'INC-42 payment outage' and d['emergency_requested_by'] == 'alice.oncall'" \
  "$(report_of "${dep}" deploy-checked)"

# A revision whose manifest fails: refused at deploy, inside the window and in an emergency.
git -C "${up}" branch -q deploy-bad mr-bad~2
git clone -q --depth 1 --branch deploy-bad "file://${up}" "${bad}"
gcl_run "${bad}" deploy-checked --variable "OPSGATE_EXTRA_ARGS=--at ${AT_OPEN}" \
  --variable "OPSGATE_EMERGENCY=INC-42 payment outage"
assert_exit "deploy stage, a failing revision: refused even in an emergency" 1
assert_json "deploy stage, a failing revision: BKP-002 fails at deploy" \
  "d['stage'] == 'deploy' and st('BKP-002') == 'fail'" "$(report_of "${bad}" deploy-checked)"
not_deployed "deploy stage, a failing revision: nothing deployed" "${bad}"
}

scenario "the stage is the job's: OPSGATE_STAGE and --stage in OPSGATE_EXTRA_ARGS cannot change it" scenario_stage_fixed
scenario_stage_fixed() {
local dep="${E2E_TMP}/stage-fixed" extra value
git clone -q --depth 1 "file://${up}" "${dep}"
# A variable on a protected deploy: the job still judges at the deploy stage. (--at is refused
# there, so the verdict is today's: only the stage is asserted.)
for value in commit merge; do
  gcl_run "${dep}" deploy-checked --variable CI_COMMIT_REF_PROTECTED=true --variable CI_PIPELINE_SOURCE=push \
    --variable "OPSGATE_STAGE=${value}"
  assert_contains "protected deploy, OPSGATE_STAGE=${value}: opsgate ran" "${OUT}" "+ ${OPSGATE} check"
  assert_json "protected deploy, OPSGATE_STAGE=${value}: still the deploy stage" \
    "d['stage'] == 'deploy'" "$(report_of "${dep}" deploy-checked)"
done
gcl_mr stage-mr mr-good --variable CI_MERGE_REQUEST_TARGET_BRANCH_PROTECTED=true --variable OPSGATE_EXTRA_ARGS= \
  --variable OPSGATE_STAGE=deploy
assert_json "protected merge request, OPSGATE_STAGE=deploy: still the merge stage" \
  "d['stage'] == 'merge'" "$(report_of "${CLONE}" opsgate-check)"
# --stage in OPSGATE_EXTRA_ARGS: refused before opsgate runs, on a protected branch and off it.
for extra in "--stage commit" "--stage=merge" "--verbose --stage=commit"; do
  rm -f "${dep}/deployed-checked.txt"
  gcl_run "${dep}" deploy-checked --variable CI_COMMIT_REF_PROTECTED=true --variable CI_PIPELINE_SOURCE=push \
    --variable "OPSGATE_EXTRA_ARGS=${extra}"
  assert_job_exit2 "protected deploy, '${extra}': exit 2"
  assert_contains "protected deploy, '${extra}': says the stage is the job's" "${OUT}${ERR}" "the stage is fixed by the job"
  not_run "protected deploy, '${extra}': opsgate did not run"
  not_deployed "protected deploy, '${extra}': nothing deployed" "${dep}"
  gcl_run "${dep}" deploy-checked --variable CI_COMMIT_REF_PROTECTED=false \
    --variable "OPSGATE_EXTRA_ARGS=--at ${AT_OPEN} ${extra}"
  assert_job_exit2 "unprotected deploy, '${extra}': exit 2 too"
  not_run "unprotected deploy, '${extra}': opsgate did not run"
  not_deployed "unprotected deploy, '${extra}': nothing deployed" "${dep}"
done
rm -rf "${E2E_TMP}/stage-mr"
gcl_mr stage-mr mr-good --variable "OPSGATE_EXTRA_ARGS=--at ${AT_SATURDAY} --stage=deploy"
assert_job_exit2 "unprotected merge request, --stage=deploy: exit 2"
assert_contains "unprotected merge request, --stage=deploy: says the stage is the job's" "${OUT}${ERR}" "the stage is fixed by the job"
not_run "unprotected merge request, --stage=deploy: opsgate did not run"
}

# --- issue 16: pipeline variables cannot replace the inputs on a protected branch --------------

# A permissive pack of the runner's: no rule at all, so anything passes with it alone.
permissive_pack() {
  write_file "${E2E_TMP}/permissive/pack.toml" <<'EOF'
[pack]
name = "permissive"
version = "1.0.0"
EOF
}

scenario "protected branch: a pipeline variable replacing an input is refused (exit 2), the failing change never passes" scenario_protected_variables
scenario_protected_variables() {
local var
permissive_pack
# The failing change (BKP-002) into a protected main: each variable, as `git push -o ci.variable=`
# or "Run pipeline" would set it, would make it pass or judge it by other settings.
for var in "OPSGATE=/bin/true" "OPSGATE_RULES=${E2E_TMP}/permissive" "OPSGATE_REPO_RULES=" \
  "OPSGATE_ENV=staging" "OPSGATE_MIN_LEVEL=0" "OPSGATE_FAIL_ON=warning" \
  "OPSGATE_IMAGE=registry.example/evil/opsgate:latest" "LD_PRELOAD=${E2E_TMP}/nothing.so"; do
  rm -rf "${E2E_TMP}/pvar"
  gcl_mr pvar mr-bad --variable CI_COMMIT_REF_PROTECTED=true --variable OPSGATE_EXTRA_ARGS= --variable "${var}"
  assert_job_exit2 "protected branch, ${var%%=*}: the job refuses the variable (exit 2)"
  assert_contains "protected branch, ${var%%=*}: says why" "${OUT}${ERR}" "opsgate: REFUSED: "
  assert_contains "protected branch, ${var%%=*}: names the protected branch" "${OUT}${ERR}" "is protected"
  not_run "protected branch, ${var%%=*}: opsgate did not run"
done
rm -rf "${E2E_TMP}/pvar"
gcl_mr pvar mr-bad --variable CI_COMMIT_REF_PROTECTED=true --variable OPSGATE_EXTRA_ARGS= --variable OPSGATE=/bin/true
assert_contains "protected branch, OPSGATE=/bin/true: names the variable and the input" "${OUT}${ERR}" \
  "the variable OPSGATE='/bin/true' differs from the template's input opsgate"
rm -rf "${E2E_TMP}/pvar"
gcl_mr pvar mr-bad --variable CI_COMMIT_REF_PROTECTED=true --variable OPSGATE_EXTRA_ARGS= \
  --variable OPSGATE_IMAGE=registry.example/evil/opsgate:latest
assert_contains "protected branch, OPSGATE_IMAGE: says to write the image in the input" "${OUT}${ERR}" \
  "write the image in the include's image input"
# The same variables, none set: the failing change fails (exit 1), judged by the inputs.
rm -rf "${E2E_TMP}/pvar"
gcl_mr pvar mr-bad --variable CI_COMMIT_REF_PROTECTED=true --variable OPSGATE_EXTRA_ARGS=
assert_exit "protected branch, no variable: the failing change fails" 1
assert_contains "protected branch, no variable: judged by the inputs" "${OUT}" "--env production --fail-on error"
assert_contains "protected branch, no variable: min-level from the input" "${OUT}" "--min-level 2"
}

scenario "protected deploy: OPSGATE_ENV is refused unless it names the job's own environment" scenario_protected_deploy_env
scenario_protected_deploy_env() {
local dep="${E2E_TMP}/deploy-env"
permissive_pack
git clone -q --depth 1 "file://${up}" "${dep}"
gcl_run "${dep}" deploy-checked --variable CI_COMMIT_REF_PROTECTED=true --variable CI_PIPELINE_SOURCE=push \
  --variable OPSGATE_ENV=staging
assert_job_exit2 "protected deploy (production), OPSGATE_ENV=staging: refused"
assert_contains "protected deploy, OPSGATE_ENV=staging: names the input" "${OUT}${ERR}" "differs from the template's input environment"
not_run "protected deploy, OPSGATE_ENV=staging: opsgate did not run"
not_deployed "protected deploy, OPSGATE_ENV=staging: nothing deployed" "${dep}"
gcl_run "${dep}" deploy-checked --variable CI_COMMIT_REF_PROTECTED=true --variable CI_PIPELINE_SOURCE=push \
  --variable "OPSGATE_RULES=${E2E_TMP}/permissive"
assert_job_exit2 "protected deploy, OPSGATE_RULES=permissive: refused"
not_deployed "protected deploy, OPSGATE_RULES=permissive: nothing deployed" "${dep}"
# A deploy job whose environment: is staging may judge staging (its own variables: OPSGATE_ENV).
gcl_run "${dep}" deploy-staging --variable CI_COMMIT_REF_PROTECTED=true --variable CI_PIPELINE_SOURCE=push
assert_contains "protected deploy-staging: the gate ran for its own environment" "${OUT}" "--stage deploy --env staging"
assert_not_contains "protected deploy-staging: nothing refused" "${OUT}${ERR}" "REFUSED"
# Off a protected branch a variable still replaces an input, and says so.
rm -rf "${E2E_TMP}/free-env"
gcl_mr free-env mr-good --variable CI_COMMIT_REF_PROTECTED=false --variable OPSGATE_ENV=staging
assert_contains "unprotected, OPSGATE_ENV=staging: replaces the input, loudly" "${OUT}" \
  "OPSGATE_ENV='staging' replaces the input environment ('production') (not a protected branch)"
assert_contains "unprotected, OPSGATE_ENV=staging: opsgate ran with it" "${OUT}" "--env staging"
}

run_scenarios "$@"
