# Shared helpers for the end-to-end suites: they run the real opsgate binary on real git
# repositories built in a temporary directory, with controlled commit dates.
#
# A suite is a list of named scenarios. It sources this file, defines its fixtures as functions,
# registers each scenario with `scenario NAME FUNCTION`, and ends with `run_scenarios "$@"`:
#
#   bash suite.sh --list   prints the scenario names, one a line (CMake registers one ctest test
#                          per name; nothing runs, OPSGATE is not needed);
#   bash suite.sh NAME     runs that one scenario;
#   bash suite.sh          runs every scenario, each in its own process, and sums them up.
#
# Each scenario runs in a fresh temporary directory ($E2E_TMP, with its own $HOME), so scenarios
# are independent and may run in parallel. Before it, the suite's function `setup` runs when the
# suite defines one (fixtures every scenario uses); after it, `teardown` when defined (it may
# record failures with fail_, never passes). A scenario ends with "N passed, M failed" and exits
# 1 when an assertion failed, 77 when it called `skip` (a missing tool), 0 otherwise; one that
# ran no assertion at all fails. At the top level a suite only sets constants and defines
# functions: `--list` runs that code without a binary.
#
# Environment: OPSGATE (the binary, required to run) and OPSGATE_SOURCE_DIR (the repository
# root, for the baseline pack and the examples; defaults to two levels above this file).

set -u

OPSGATE_SOURCE_DIR="${OPSGATE_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck disable=SC2034  # used by the suites
BASELINE="${OPSGATE_SOURCE_DIR}/rules/baseline"

# --- scenarios ----------------------------------------------------------------------------

E2E_SCENARIOS=()
declare -A E2E_SCENARIO_COMMANDS=()

# scenario NAME FUNCTION [ARGS...]: registers `FUNCTION ARGS` as the scenario NAME (arguments let
# a loop register one scenario per input file). A name is what ctest shows
# ("e2e: SUITE: NAME"): unique in its suite, without ; [ ] \ " $ or a leading dash (CMake lists
# and command lines carry it).
scenario() {
  local name="$1"
  shift
  if [[ -z "${name}" || "${name}" == -* || "${name}" == *[\;\[\]\\\"\$]* || "${name}" == *$'\n'* ]]; then
    echo "scenario name not allowed: '${name}'" >&2
    exit 2
  fi
  if [[ -n "${E2E_SCENARIO_COMMANDS[${name}]+set}" ]]; then
    echo "scenario registered twice: '${name}'" >&2
    exit 2
  fi
  E2E_SCENARIOS+=("${name}")
  E2E_SCENARIO_COMMANDS["${name}"]="$(printf '%q ' "$@")"
}

# skip MESSAGE: ends the current scenario as skipped (exit 77, which ctest reports as skipped).
skip() {
  printf 'SKIP: %s\n' "$1"
  exit 77
}

# on_exit COMMAND: runs COMMAND (with eval) when the scenario ends, before its temp dir goes.
E2E_CLEANUP=()
on_exit() {
  E2E_CLEANUP+=("$1")
}

e2e_exit_() {
  local status=$?
  local command
  for command in "${E2E_CLEANUP[@]}"; do eval "${command}"; done
  if [[ -n "${E2E_TALLY_FILE:-}" ]]; then
    printf '%d %d\n' "${E2E_PASSED}" "${E2E_FAILED}" >"${E2E_TALLY_FILE}"
  fi
  rm -rf "${E2E_TMP}"
  return "${status}"
}

# e2e_begin_: a fresh temp dir and a git environment of the scenario's own.
e2e_begin_() {
  if [[ -z "${OPSGATE:-}" || ! -x "${OPSGATE}" ]]; then
    echo "OPSGATE must name the opsgate binary (got '${OPSGATE:-}')" >&2
    exit 2
  fi
  E2E_TMP="$(mktemp -d "${TMPDIR:-/tmp}/opsgate-e2e.XXXXXX")"
  trap e2e_exit_ EXIT

  # The interpreter itself, not a version-manager shim: Python runs once per JSON assertion, and
  # a pyenv shim costs half a second of CPU per start (about a hundred bash and basename
  # processes), more than most scenarios spend in opsgate. ctest passes the interpreter found at
  # configure time (OPSGATE_PYTHON); `python3` in a scenario, or in a program it starts, is that
  # interpreter too.
  PYTHON="${OPSGATE_PYTHON:-}"
  [[ -x "${PYTHON}" ]] || PYTHON="$(python3 -c 'import sys; print(sys.executable)')"
  mkdir -p "${E2E_TMP}/.bin"
  ln -s "${PYTHON}" "${E2E_TMP}/.bin/python3"
  export PATH="${E2E_TMP}/.bin:${PATH}"

  # Keep the developer's git configuration (and any hooks or templates) out of the tests.
  export HOME="${E2E_TMP}/home"
  mkdir -p "${HOME}"
  export GIT_CONFIG_NOSYSTEM=1
  export GIT_AUTHOR_NAME="E2E Tester" GIT_AUTHOR_EMAIL="e2e@example.org"
  export GIT_COMMITTER_NAME="E2E Tester" GIT_COMMITTER_EMAIL="e2e@example.org"
  export GIT_CEILING_DIRECTORIES="${E2E_TMP}"
  unset NO_COLOR GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
  # opsgate speaks the developer's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG): the suites
  # expect English unless a scenario asks for French itself (french_test.sh).
  unset LANGUAGE LC_ALL LC_MESSAGES
  export LANG=C.UTF-8
  # A scenario starts inside its own temp dir: a git command given an empty variable for its
  # repository (git -C "") then meets no repository, never the checkout ctest runs from (one
  # such slip switched a developer's branch).
  cd "${E2E_TMP}" || exit 2
}

# e2e_run_one_ NAME: runs the scenario NAME in this process and exits with its status.
e2e_run_one_() {
  local name="$1"
  e2e_begin_
  if declare -F setup >/dev/null; then setup; fi
  eval "${E2E_SCENARIO_COMMANDS[${name}]}"
  if declare -F teardown >/dev/null; then teardown; fi
  if ((E2E_PASSED + E2E_FAILED == 0)); then
    fail_ "scenario '${name}' ran no assertion" "(a scenario that cannot run calls skip)"
  fi
  finish
}

# run_scenarios ARGS: the suite's entry point (see the top of this file).
run_scenarios() {
  if [[ "${1:-}" == "--list" ]]; then
    printf '%s\n' "${E2E_SCENARIOS[@]}"
    exit 0
  fi
  if (($# > 0)); then
    if [[ -z "${E2E_SCENARIO_COMMANDS[$1]+set}" ]]; then
      echo "no scenario named '$1' in $0 (--list shows them)" >&2
      exit 2
    fi
    e2e_run_one_ "$1"
  fi
  # Every scenario, each in a process of its own (as ctest runs them).
  local name status passed failed tally total_passed=0 total_failed=0 skipped=0
  local -a broken=()
  tally="$(mktemp "${TMPDIR:-/tmp}/opsgate-e2e-tally.XXXXXX")"
  for name in "${E2E_SCENARIOS[@]}"; do
    printf -- '--- %s\n' "${name}"
    : >"${tally}"
    E2E_TALLY_FILE="${tally}" bash "$0" "${name}"
    status=$?
    passed=0 failed=0
    read -r passed failed <"${tally}" || true
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    case "${status}" in
      0) ;;
      77) skipped=$((skipped + 1)) ;;
      *) broken+=("${name} (exit ${status})") ;;
    esac
  done
  rm -f "${tally}"
  printf '%d scenarios, %d skipped, %d failed\n' "${#E2E_SCENARIOS[@]}" "${skipped}" "${#broken[@]}"
  for name in "${broken[@]}"; do printf 'FAILED scenario: %s\n' "${name}"; done
  printf '%d passed, %d failed\n' "${total_passed}" "${total_failed}"
  ((${#broken[@]} == 0)) || exit 1
  ((skipped < ${#E2E_SCENARIOS[@]})) || exit 77
  exit 0
}

E2E_PASSED=0
E2E_FAILED=0

# --- repositories -------------------------------------------------------------------------

# new_repo NAME: a fresh non-bare repository (branch main) at $E2E_TMP/NAME; prints its path.
new_repo() {
  local dir="${E2E_TMP}/$1"
  mkdir -p "${dir}"
  git init -q -b main "${dir}"
  printf '%s\n' "${dir}"
}

# write_file PATH: writes stdin to PATH, creating its directories.
write_file() {
  mkdir -p "$(dirname "$1")"
  cat >"$1"
}

# commit_all REPO DATE MESSAGE: stages everything and commits with author and committer DATE
# (any format git accepts, e.g. 2026-10-01T12:00:00+02:00).
commit_all() {
  local repo="$1" date="$2" message="$3"
  git -C "${repo}" add -A
  GIT_AUTHOR_DATE="${date}" GIT_COMMITTER_DATE="${date}" \
    git -C "${repo}" commit -q --allow-empty -m "${message}"
}

# --- running the binary -------------------------------------------------------------------

# run_in DIR ARGS...: runs opsgate with ARGS in DIR, stdin from /dev/null.
# Sets RC, OUT (stdout) and ERR (stderr).
run_in() {
  local dir="$1"
  shift
  local out_file="${E2E_TMP}/.stdout" err_file="${E2E_TMP}/.stderr"
  (cd "${dir}" && "${OPSGATE}" "$@" </dev/null >"${out_file}" 2>"${err_file}")
  RC=$?
  OUT="$(cat "${out_file}")"
  ERR="$(cat "${err_file}")"
}

# --- assertions ---------------------------------------------------------------------------

pass_() {
  E2E_PASSED=$((E2E_PASSED + 1))
  [[ -n "${E2E_VERBOSE:-}" ]] && printf 'ok    %s\n' "$1"
  return 0
}

# fail_ NAME DETAIL...: records a failure and shows the last command's output for context.
fail_() {
  local name="$1"
  shift
  E2E_FAILED=$((E2E_FAILED + 1))
  printf 'FAIL  %s\n' "${name}"
  local line
  for line in "$@"; do printf '        %s\n' "${line}"; done
  printf '        --- stdout (first 25 lines)\n%s\n' "$(printf '%s\n' "${OUT:-}" | head -n 25 | sed 's/^/        | /')"
  printf '        --- stderr (first 10 lines)\n%s\n' "$(printf '%s\n' "${ERR:-}" | head -n 10 | sed 's/^/        | /')"
  return 0
}

# assert_exit NAME EXPECTED: the last run exited with EXPECTED.
assert_exit() {
  if [[ "${RC}" == "$2" ]]; then pass_ "$1"; else fail_ "$1" "expected exit $2, got ${RC}"; fi
}

# assert_contains NAME HAYSTACK NEEDLE: NEEDLE is a substring of HAYSTACK.
assert_contains() {
  if [[ "$2" == *"$3"* ]]; then
    pass_ "$1"
  else
    fail_ "$1" "expected to find: $3"
  fi
}

# assert_not_contains NAME HAYSTACK NEEDLE: NEEDLE is not a substring of HAYSTACK.
assert_not_contains() {
  if [[ "$2" != *"$3"* ]]; then
    pass_ "$1"
  else
    fail_ "$1" "expected NOT to find: $3"
  fi
}

# assert_matches NAME HAYSTACK REGEX: HAYSTACK matches the bash extended REGEX somewhere.
assert_matches() {
  if [[ "$2" =~ $3 ]]; then pass_ "$1"; else fail_ "$1" "expected to match /$3/"; fi
}

# assert_eq NAME EXPECTED ACTUAL
assert_eq() {
  if [[ "$2" == "$3" ]]; then pass_ "$1"; else fail_ "$1" "expected '$2'" "got      '$3'"; fi
}

# assert_json NAME EXPR [FILE]: the Python expression EXPR is true of the JSON document in FILE
# (default: the last run's stdout). In EXPR, `d` is the document and these helpers exist:
#   m(i=0)            the i-th manifest entry
#   f(rule, i=0)      the finding of `rule` in manifest i (None when absent)
#   st(rule, i=0)     that finding's status (None when absent)
#   ids(i=0)          the rule ids of manifest i, in report order
#   rf(rule), rst(rule)  the run-level finding of `rule` (top-level findings) and its status
# On failure the value of EXPR (or the exception) is shown.
assert_json() {
  local name="$1" expr="$2" file="${3:-}"
  if [[ -z "${file}" ]]; then
    file="${E2E_TMP}/.json"
    printf '%s' "${OUT}" >"${file}"
  fi
  assert_py "${name}" "${file}" "${expr}" "$(
    cat <<'PY'
import json
try:
    with open(path, encoding="utf-8") as handle:
        d = json.load(handle)
except Exception as error:  # not JSON at all
    print(f"not valid JSON in {path}: {error}")
    sys.exit(1)
def m(i=0):
    return d["manifests"][i]
def f(rule, i=0):
    for finding in m(i)["findings"]:
        if finding["rule"] == rule:
            return finding
    return None
def st(rule, i=0):
    finding = f(rule, i)
    return None if finding is None else finding["status"]
def ids(i=0):
    return [finding["rule"] for finding in m(i)["findings"]]
def rf(rule):
    for finding in d.get("findings", []):
        if finding["rule"] == rule:
            return finding
    return None
def rst(rule):
    finding = rf(rule)
    return None if finding is None else finding["status"]
PY
  )"
}

# assert_py NAME FILE EXPR PRELUDE: runs the Python PRELUDE (with `sys` imported and `path` set
# to FILE; it loads the document and exits 1 with a message when it cannot), then requires the
# Python expression EXPR to be true. On failure the value of EXPR (or the exception) is shown.
assert_py() {
  local name="$1" file="$2" expr="$3" prelude="$4" detail
  if detail="$("${PYTHON}" -I -S -c "import sys
path, expr = sys.argv[1], sys.argv[2]
${prelude}
try:
    value = eval(expr)
except Exception as error:
    print(f'{expr} raised {type(error).__name__}: {error}')
    sys.exit(1)
if not value:
    print(f'{expr} is {value!r}')
    sys.exit(1)" "${file}" "${expr}" 2>&1)"; then
    pass_ "${name}"
  else
    fail_ "${name}" "${detail}"
  fi
}

# finish: the scenario's tally line; exit status 1 when anything failed.
finish() {
  printf '%d passed, %d failed\n' "${E2E_PASSED}" "${E2E_FAILED}"
  [[ "${E2E_FAILED}" -eq 0 ]]
  exit $?
}
