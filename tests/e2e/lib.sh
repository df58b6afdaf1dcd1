# Shared helpers for the end-to-end suites: they run the real opsgate binary on real git
# repositories built in a temporary directory, with controlled commit dates.
#
# A suite sources this file, calls the helpers, and ends with `finish`, which prints
# "N passed, M failed" and exits non-zero when any assertion failed.
#
# Environment: OPSGATE (the binary, required) and OPSGATE_SOURCE_DIR (the repository root,
# for the baseline pack and the examples; defaults to two levels above this file).

set -u

if [[ -z "${OPSGATE:-}" || ! -x "${OPSGATE}" ]]; then
  echo "OPSGATE must name the opsgate binary (got '${OPSGATE:-}')" >&2
  exit 2
fi
OPSGATE_SOURCE_DIR="${OPSGATE_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck disable=SC2034  # used by the suites
BASELINE="${OPSGATE_SOURCE_DIR}/rules/baseline"

# The interpreter itself, not a version-manager shim, started without site packages: it runs
# once per JSON assertion, so its start-up time is most of a suite's run time.
PYTHON="$(python3 -c 'import sys; print(sys.executable)')"

E2E_TMP="$(mktemp -d "${TMPDIR:-/tmp}/opsgate-e2e.XXXXXX")"
trap 'rm -rf "${E2E_TMP}"' EXIT

# Keep the developer's git configuration (and any hooks or templates) out of the tests.
export HOME="${E2E_TMP}/home"
mkdir -p "${HOME}"
export GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME="E2E Tester" GIT_AUTHOR_EMAIL="e2e@example.org"
export GIT_COMMITTER_NAME="E2E Tester" GIT_COMMITTER_EMAIL="e2e@example.org"
export GIT_CEILING_DIRECTORIES="${E2E_TMP}"
unset NO_COLOR GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE

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

# finish: the final tally line; exit status 1 when anything failed.
finish() {
  printf '%d passed, %d failed\n' "${E2E_PASSED}" "${E2E_FAILED}"
  [[ "${E2E_FAILED}" -eq 0 ]]
  exit $?
}
