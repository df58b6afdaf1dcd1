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

# 5,000 levels, past the 4,096 bound: git's own work (pack-objects, index-pack, the connectivity
# check) grows with the square of the depth, and opsgate stops at the bound whatever lies below
# (the benchmark pushes 20,000).
scenario "a path nested 5,000 levels through a real pre-receive hook is refused" scenario_deep_push
scenario_deep_push() {
read -r server client base head < <("${PYTHON}" "${HOSTILE}" make deep-push "${E2E_TMP}/push" \
  --depth 5000)
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

# --- escape sequences and bidi controls from rule files and manifests --------------------------
# Text from outside reaches a terminal only escaped (escape_control): ESC as \x1b, BEL as \x07,
# U+202E (RIGHT-TO-LEFT OVERRIDE, "Trojan Source") as \u202e. JSON keeps the exact text.
ESC=$'\x1b'
RLO=$'\xe2\x80\xae'

# write_hostile_pack DIR: a pack whose name, version, area, title, help, check value and case
# carry a clear-screen sequence, a window retitle and U+202E (as TOML escapes in the files; the
# case's directory name holds a real ESC).
write_hostile_pack() {
  write_file "$1/pack.toml" <<'TOML'
[pack]
name = "evil\u001b]0;owned\u0007"
version = "1\u202e0"
environments = ["production"]
TOML
  write_file "$1/rules.toml" <<'TOML'
[[rule]]
id = "EVL-001"
area = "ops\u001b[31m"
title = "Clears the screen \u001b[2J and reverses \u202eeltit"
severity = "error"
level = 1
help = "Line one\nLine two \u001b[2J\u202e"
check = [ { key = "service.name", equals = "x\u001b[2J" } ]
TOML
  write_file "$1/tests/case${ESC}[2J/expect.toml" <<'TOML'
[status]
EVL-001 = "pass"
TOML
  printf 'schema = 1\n[service]\nname = "y"\n' >"$1/tests/case${ESC}[2J/operability.toml"
}

# assert_inert NAME TEXT: no ESC, BEL or U+202E left, and the escaped forms are there.
assert_inert() {
  assert_not_contains "$1: no ESC" "$2" "${ESC}"
  assert_not_contains "$1: no BEL" "$2" $'\x07'
  assert_not_contains "$1: no U+202E" "$2" "${RLO}"
}

# 16,000 deny crons (and the example's own) fit in a 1 MiB manifest and cost ~15 s of CPU per evaluation when read:
# a list over the bound is a GATE-SCHEMA failure, found without reading its windows.
scenario "a release window of thousands of deny crons fails GATE-SCHEMA at once" scenario_many_windows
scenario_many_windows() {
repo="$(new_repo windows)"
cp -r "${OPSGATE_SOURCE_DIR}/examples/billing-api/." "${repo}/"
"${PYTHON}" - "${repo}/operability.toml" <<'PY'
import sys
with open(sys.argv[1], "a") as f:
    for i in range(16000):
        f.write('[[release_window.deny]]\ncron = "%d %d * * *"\nduration = "1m"\n' % (i % 60, i % 24))
PY
commit_all "${repo}" 2026-11-01T10:00:00+01:00 "many windows"
run_guarded "${repo}" check --at "${AT}" --stage deploy --format json
assert_exit "the gate fails" 1
assert_json "GATE-SCHEMA names the list and the bound" \
  "any(f['rule'] == 'GATE-SCHEMA' and 'release_window.deny declares 16001 windows; at most 256 are read' in f['message'] for f in m()['findings'])"
}

scenario "rule file text is escaped in rules list, explain, rules test and init" \
  scenario_rule_text_escaped
scenario_rule_text_escaped() {
write_hostile_pack "${E2E_TMP}/pack"
run_in "${E2E_TMP}" rules list --rules ./pack
assert_exit "rules list: exit 0" 0
assert_inert "rules list" "${OUT}"
assert_contains "rules list: the title, escaped" "${OUT}" 'Clears the screen \x1b[2J and reverses \u202eeltit'
assert_contains "rules list: the pack name and version, escaped" "${OUT}" \
  '# pack evil\x1b]0;owned\x07 1\u202e0'
assert_contains "rules list: the area, escaped" "${OUT}" 'ops\x1b[31m'

run_in "${E2E_TMP}" explain EVL-001 --rules ./pack
assert_exit "explain: exit 0" 0
assert_inert "explain" "${OUT}"
assert_contains "explain: the title, escaped" "${OUT}" \
  'EVL-001: Clears the screen \x1b[2J and reverses \u202eeltit'
assert_contains "explain: the help keeps its lines, escaped" "${OUT}" \
  $'Line one\nLine two \\x1b[2J\\u202e'

run_in "${E2E_TMP}" rules test ./pack
assert_exit "rules test: the case fails (exit 1)" 1
assert_inert "rules test" "${OUT}"
assert_contains "rules test: the case (a directory) named, escaped" "${OUT}" 'FAIL  case\x1b[2J'
assert_contains "rules test: the message quoting the rule, escaped" "${OUT}" '"x\u001b[2J" is required'

run_in "${E2E_TMP}" init --output - --rules ./pack --name "svc${ESC}[2J${RLO}\"q"
assert_exit "init --output -: exit 0" 0
assert_inert "init" "${OUT}"
assert_contains "init: the name, escaped and quoted as TOML" "${OUT}" 'name = "svc\\x1b[2J\\u202e\"q"'
printf '%s\n' "${OUT}" >"${E2E_TMP}/starter.toml"
"${PYTHON}" -c 'import sys, tomllib; tomllib.load(open(sys.argv[1], "rb"))' "${E2E_TMP}/starter.toml"
assert_eq "init: the starter is still valid TOML" "0" "$?"
}

scenario "an error quoting a rule file (exit 2) is escaped on stderr" scenario_error_text_escaped
scenario_error_text_escaped() {
write_hostile_pack "${E2E_TMP}/pack"
cat >>"${E2E_TMP}/pack/rules.toml" <<'TOML'

[[rule]]
id = "EVL-002"
area = "a"
title = "t"
severity = "error"
level = 1
"k\u001b[2J\u202e" = 1
check = [ { key = "service.name", equals = "x" } ]
TOML
repo="$(new_repo errors)"
printf 'schema = 1\n[service]\nname = "y"\n' >"${repo}/operability.toml"
commit_all "${repo}" 2026-11-01T10:00:00Z "manifest"
for command in "rules list" "explain EVL-001" "check --at ${AT}"; do
  # shellcheck disable=SC2086 # the command's words
  run_in "${repo}" ${command} --rules "${E2E_TMP}/pack"
  assert_exit "${command}: exit 2" 2
  assert_inert "${command}: stderr" "${ERR}"
  assert_contains "${command}: the key, escaped" "${ERR}" "unknown key 'k\\x1b[2J\\u202e'"
done
}

scenario "a manifest's keys and names are escaped in the text report and window, exact in JSON" \
  scenario_manifest_text_escaped
scenario_manifest_text_escaped() {
repo="$(new_repo manifest-text)"
write_file "${repo}/operability.toml" <<'TOML'
schema = 1
[service]
name = "svc\u001b[2J\u202e"
"k\u001b]0;t\u0007\u202e" = "v"
[release_window]
timezone = "UTC"
TOML
commit_all "${repo}" 2026-11-01T10:00:00Z "manifest"
run_in "${repo}" check --at "${AT}" --verbose
assert_exit "check: a verdict (exit 1)" 1
assert_inert "check text" "${OUT}"
assert_contains "check text: the unknown key, escaped" "${OUT}" 'service.k\x1b]0;t\x07\u202e is not a key'
run_in "${repo}" check --at "${AT}" --format json
assert_json "check json: the exact key (JSON escapes ESC itself)" \
  "any('service.k\x1b]0;t\x07\u202e is not a key' in f['message'] for f in m()['findings'])"
assert_json "check json: the exact service name" "m()['service'] == 'svc\x1b[2J\u202e'"
run_in "${repo}" window --at "${AT}"
assert_inert "window text" "${OUT}"
assert_contains "window text: the service name, escaped" "${OUT}" 'release window of svc\x1b[2J\u202e'
}

run_scenarios "$@"
