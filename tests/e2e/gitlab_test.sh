#!/usr/bin/env bash
# The GitLab CI/CD template (integrations/gitlab/opsgate.yml) run for real by gitlab-ci-local
# (shell executor, shell isolation) on a project cloned shallow, as GitLab clones it:
# a merge-request pipeline fails on a failing manifest and passes on a good one, fetches the
# base the shallow clone lacks, reads the rules from the target side, writes the JUnit and
# Code Quality artifacts, and posts the commit status on the MR head (to a local HTTP stub);
# a deploy job extending .opsgate-window deploys inside the window and refuses outside it.
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

# gcl_mr NAME BRANCH: a shallow (depth 1) clone of BRANCH, as GitLab's runner makes it, then
# the merge-request pipeline's opsgate-check job. Sets RC/OUT/ERR, CLONE and HEAD_SHA.
gcl_mr() {
  local name="$1" branch="$2"
  CLONE="${E2E_TMP}/${name}"
  git clone -q --depth 1 --branch "${branch}" "file://${up}" "${CLONE}"
  HEAD_SHA="$(git -C "${up}" rev-parse "${branch}")"
  gcl_run "${CLONE}" opsgate-check \
    --variable CI_PIPELINE_SOURCE=merge_request_event \
    --variable "CI_MERGE_REQUEST_DIFF_BASE_SHA=${fork}" \
    --variable "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA=${HEAD_SHA}" \
    --variable CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main \
    --variable "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=${branch}" \
    --variable "CI_API_V4_URL=${STUB_URL}" \
    --variable OPSGATE_GITLAB_TOKEN=glpat-e2e-secret \
    --variable "OPSGATE_EXTRA_ARGS=--at ${AT_OPEN}"
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

run_scenarios "$@"
