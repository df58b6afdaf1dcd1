#!/usr/bin/env bash
# Hostile repositories (built by tests/bench/hostile.py, which also measures them): each ends in
# the exit code and message it should, never a crash. `timeout` only guards against a hang;
# time and memory are the benchmark's business (python3 tests/bench/hostile.py bench).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HOSTILE="${OPSGATE_SOURCE_DIR}/tests/bench/hostile.py"
AT=2026-11-26T10:00:00Z

make_kind() {  # make_kind KIND: builds it in $E2E_TMP/KIND, prints the directory
  local dir="${E2E_TMP}/$1"
  "${PYTHON}" "${HOSTILE}" make "$1" "${dir}" >/dev/null
  printf '%s\n' "${dir}"
}

run_guarded() {  # run_guarded DIR ARGS...: run_in, with a generous hang guard
  local dir="$1"
  shift
  local out_file="${E2E_TMP}/.stdout" err_file="${E2E_TMP}/.stderr"
  (cd "${dir}" && timeout 120 "${OPSGATE}" "$@" </dev/null >"${out_file}" 2>"${err_file}")
  RC=$?
  OUT="$(cat "${out_file}")"
  ERR="$(cat "${err_file}")"
}

scenario "a path nested deeper than git's maxTreeDepth, check --base: exit 2" scenario_deep_path
scenario_deep_path() {
repo="$(make_kind deep-path)"
run_guarded "${repo}" check --at "${AT}" --base HEAD~1
assert_exit "exit 2, not a crash or a hang" 2
assert_contains "...naming the depth bound" "${ERR}" "more than 4096 levels deep"
run_guarded "${repo}" check --at "${AT}"
assert_exit "the same verdict as a full check" 2
}

scenario "a path nested 20,000 levels through a real pre-receive hook is refused" scenario_deep_push
scenario_deep_push() {
read -r server client base head < <("${PYTHON}" "${HOSTILE}" make deep-push "${E2E_TMP}/push")
git -C "${client}" push -q "${server}" "${base}:refs/heads/main" 2>/dev/null
printf '#!/bin/sh\nexec timeout 120 %q hook pre-receive --at %s --no-color\n' "${OPSGATE}" "${AT}" \
  >"${server}/hooks/pre-receive"
chmod +x "${server}/hooks/pre-receive"
set +e
ERR="$(git -C "${client}" push "${server}" "${head}:refs/heads/main" 2>&1)"
RC=$?
set -e
assert_exit "the push is refused" 1
assert_contains "...by the gate, naming the depth bound" "${ERR}" "more than 4096 levels deep"
assert_eq "...and the branch did not move" "${base}" "$(git -C "${server}" rev-parse main)"
}

scenario "runbooks of 300 MB and 900 MB are refused at the size limit, never read" scenario_big_runbook
scenario_big_runbook() {
repo="$(make_kind big-runbook)"
run_guarded "${repo}" check --at "${AT}" --format json
assert_exit "a 300 MB runbook: a verdict (its rules fail)" 1
assert_json "...the runbook rules say how large it is" \
  "any('opsgate reads files of at most 1 MiB' in f['message'] for f in m()['findings'])"
}

scenario "an oversized manifest is exit 2 from its size alone" scenario_big_manifest
scenario_big_manifest() {
repo="$(make_kind big-manifest)"
run_guarded "${repo}" check --at "${AT}"
assert_exit "exit 2" 2
assert_contains "...with its size" "${ERR}" "opsgate reads files of at most 1 MiB"
}

scenario "a table header of 40,000 dotted parts is exit 2 with a message" scenario_deep_header
scenario_deep_header() {
repo="$(make_kind deep-header)"
run_guarded "${repo}" check --at "${AT}"
assert_exit "exit 2, not a crash" 2
assert_contains "...at the line:column where it nests too deep" "${ERR}" "operability.toml:10:257:"
assert_contains "...saying so" "${ERR}" "levels deep"
}

scenario "a tree nested 80,000 levels (built without git) is exit 2 with a message" scenario_deep_tree
scenario_deep_tree() {
repo="$(make_kind deep-tree)"
run_guarded "${repo}" check --at "${AT}"
assert_exit "exit 2, not a crash" 2
assert_contains "...naming the bound" "${ERR}" "more than 4096 levels deep"
}

run_scenarios "$@"
