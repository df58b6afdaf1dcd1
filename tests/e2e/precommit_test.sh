#!/usr/bin/env bash
# The pre-commit framework entry (.pre-commit-hooks.yaml) run for real by Debian's pre-commit:
# a service repository that uses it is blocked on a failing manifest and passes on a good one, and
# judges at the commit stage (issue 18).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# setup: the hook repository and a service repository using it, committed (pre-commit missing:
# the scenario skips, but fails under CI=true).
setup() {
if ! command -v pre-commit >/dev/null; then
  if [[ "${CI:-}" == "true" ]]; then
    fail_ "pre-commit is installed" "run .ci/bootstrap --test-tools"
    finish
  fi
  skip "pre-commit is not installed (run .ci/bootstrap --test-tools)"
fi

# pre-commit's `language: system` runs `opsgate` from PATH.
bin="${E2E_TMP}/bin"
mkdir -p "${bin}"
ln -s "${OPSGATE}" "${bin}/opsgate"
export PATH="${bin}:${PATH}"
export PRE_COMMIT_HOME="${E2E_TMP}/pre-commit-cache"

# The hook repository: this project's .pre-commit-hooks.yaml, as pre-commit fetches it.
hooks="$(new_repo hooks)"
cp "${OPSGATE_SOURCE_DIR}/.pre-commit-hooks.yaml" "${hooks}/"
commit_all "${hooks}" 2026-11-01T10:00:00+01:00 "hooks"
hooks_rev="$(git -C "${hooks}" rev-parse HEAD)"

service="$(new_repo service)"
write_file "${service}/.opsgate.toml" <<'TOML'
[[rule]]
id = "BKP-002"
area = "backup"
title = "Backups are kept at least a week"
severity = "error"
level = 1
check = [ { key = "backup.retention_days", min = 7 } ]
TOML
write_file "${service}/operability.toml" <<'TOML'
schema = 1
[service]
name = "svc"
owner = "team"
[backup]
retention_days = 30
TOML
write_file "${service}/.pre-commit-config.yaml" <<EOF2
repos:
  - repo: file://${hooks}
    rev: ${hooks_rev}
    hooks:
      - id: opsgate
        args: [--rules, .opsgate.toml]
EOF2
commit_all "${service}" 2026-11-02T10:00:00+01:00 "service"
}

# run_cmd DIR COMMAND...: like run_in, for a command other than opsgate.
run_cmd() {
  local dir="$1"
  shift
  (cd "${dir}" && "$@" </dev/null >"${E2E_TMP}/.out" 2>"${E2E_TMP}/.err")
  RC=$?
  OUT="$(cat "${E2E_TMP}/.out")"
  ERR="$(cat "${E2E_TMP}/.err")"
}

scenario "pre-commit passes a good manifest" scenario_pass
scenario_pass() {
run_cmd "${service}" pre-commit run --all-files
assert_exit "pre-commit passes a good manifest" 0
assert_contains "the opsgate hook ran" "${OUT}" "opsgate (operability gate)"
}

# An uncommitted regression in the work tree is what --worktree judges.
scenario "pre-commit blocks an uncommitted regression" scenario_block
scenario_block() {
sed -i 's/retention_days = 30/retention_days = 3/' "${service}/operability.toml"
run_cmd "${service}" pre-commit run --all-files
assert_exit "pre-commit blocks a failing manifest" 1
assert_contains "the failing rule is named" "${OUT}" "BKP-002"
}

# The real commit path: `pre-commit install` then `git commit` is refused.
scenario "git commit is refused by the installed hook" scenario_commit
scenario_commit() {
sed -i 's/retention_days = 30/retention_days = 3/' "${service}/operability.toml"
run_cmd "${service}" pre-commit install
assert_exit "pre-commit install works" 0
git -C "${service}" add operability.toml
GIT_AUTHOR_DATE=2026-11-03T10:00:00+01:00 GIT_COMMITTER_DATE=2026-11-03T10:00:00+01:00 \
  run_cmd "${service}" git commit -q -m "shorten retention"
assert_exit "git commit is refused by the hook" 1
assert_eq "the commit did not happen" "service" "$(git -C "${service}" log -1 --format=%s)"
}

# Issue 18: the hook judges at the commit stage. On a Saturday a rule asked at deploy only (a
# release window, as the baseline's WIN-003) does not stop a commit; the same rules at the deploy
# stage would.
scenario "pre-commit judges at the commit stage, on a Saturday" scenario_stage
scenario_stage() {
local saturday="2026-11-28T21:30:00+01:00"
cat >>"${service}/.opsgate.toml" <<'TOML'

[[rule]]
id = "WIN-LOCAL"
area = "release"
title = "Deployments happen inside an open window"
severity = "error"
level = 1
stages = ["deploy"]
check = [ { key = "release_window", window_open = true } ]
TOML
cat >>"${service}/operability.toml" <<'TOML'

[release_window]
timezone = "Europe/Paris"
[[release_window.allow]]
days = ["mon", "tue", "wed", "thu"]
start = "20:00"
end = "23:30"
TOML
sed -i "s|args: \[--rules, .opsgate.toml\]|args: [--rules, .opsgate.toml, --at, \"${saturday}\", --no-color]|" "${service}/.pre-commit-config.yaml"
commit_all "${service}" 2026-11-03T10:00:00+01:00 "a release window"
run_cmd "${service}" pre-commit run --all-files --verbose
assert_exit "pre-commit on a Saturday: passes" 0
assert_contains "pre-commit: the hook judged the work tree at the commit stage" "${OUT}" "the work tree"
assert_contains "pre-commit: the report says commit stage" "${OUT}" "commit stage"
assert_not_contains "pre-commit: the deploy-only rule was not asked" "${OUT}" "WIN-LOCAL"
run_cmd "${service}" opsgate check --worktree --stage deploy --rules .opsgate.toml --at "${saturday}" --no-color
assert_exit "the same work tree at the deploy stage: refused" 1
assert_contains "the deploy stage names the window rule" "${OUT}" "WIN-LOCAL"
}

run_scenarios "$@"
