#!/usr/bin/env bash
# Every hostile input of tests/corpus ends in exit 1 or 2 with a message: never a crash (a
# signal), a hang (bounded by timeout) or exit 0. One scenario per hostile input.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CORPUS="${OPSGATE_SOURCE_DIR}/tests/corpus"
AT=2026-11-26T10:00:00+01:00

# setup: the rules every hostile manifest is judged by.
setup() {
write_file "${E2E_TMP}/rules.toml" <<'TOML'
[[rule]]
id = "SVC-001"
area = "service"
title = "Owner declared"
severity = "error"
level = 1
check = [ { key = "service.owner", present = true } ]

[[rule]]
id = "RUN-001"
area = "runbook"
title = "Runbook exists with sections"
severity = "error"
level = 2
check = [ { key = "runbook.path", path_exists = true, has_sections = ["Restore"] } ]

[[rule]]
id = "WIN-003"
area = "release_window"
title = "Release window open"
severity = "error"
level = 3
check = [ { key = "release_window", window_open = true, window_max_hours = 6 } ]
TOML
}

# judge NAME: the last run ended in 1 or 2, by itself, with something said.
judge() {
  local name="$1"
  if [[ "${RC}" -ne 1 && "${RC}" -ne 2 ]]; then
    fail_ "${name}" "expected exit 1 or 2, got ${RC} (124 = timeout, >128 = signal)"
  elif [[ -z "${OUT}${ERR}" ]]; then
    fail_ "${name}" "exit ${RC} without any message"
  else
    pass_ "${name}"
  fi
}

# run_manifest NAME FILE: FILE as operability.toml of a fresh repository.
run_manifest() {
  local name="$1" file="$2"
  local repo
  repo="$(new_repo "m-${name}")"
  cp "${file}" "${repo}/operability.toml"
  commit_all "${repo}" 2026-11-20T10:00:00+01:00 "hostile manifest"
  local out_file="${E2E_TMP}/.stdout" err_file="${E2E_TMP}/.stderr"
  (cd "${repo}" && timeout 20 "${OPSGATE}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}" \
    --format json </dev/null >"${out_file}" 2>"${err_file}")
  RC=$?
  OUT="$(cat "${out_file}")"
  ERR="$(cat "${err_file}")"
  judge "manifest ${name}"
  # Whatever happened, stdout is a JSON report a CI server can read.
  assert_json "manifest ${name}: stdout is a JSON report" "d['outcome'] in ('fail', 'error')"
}

# rules_target: a repository with a valid manifest, for the hostile packs; prints its path.
rules_target() {
  local repo
  repo="$(new_repo rules-target)"
  write_file "${repo}/operability.toml" <<'TOML'
schema = 1
[service]
name = "target"
owner = "team"
TOML
  commit_all "${repo}" 2026-11-20T10:00:00+01:00 "manifest"
  printf '%s\n' "${repo}"
}

# hostile_rules FILE: a valid manifest judged by the hostile pack FILE.
hostile_rules() {
  local file="$1" name repo
  name="$(basename "${file}" .toml)"
  repo="$(rules_target)"
  run_in "${repo}" check --rules "${file}" --at "${AT}"
  judge "rules ${name}"
  assert_exit "rules ${name}: a malformed pack cannot evaluate (exit 2)" 2
}

oversized_manifest() {
  python3 -c "
print('schema = 1\n[service]\nname = \"x\"\nowner = \"y\"\n[extra]\nblob = \"' + 'a' * 1100000 + '\"')
" >"${E2E_TMP}/oversized.toml"
  run_manifest oversized "${E2E_TMP}/oversized.toml"
  assert_contains "an oversized manifest says why" "${ERR}" "opsgate reads files of at most 1 MiB"
}

too_many_rules() {
  local repo
  repo="$(rules_target)"
  python3 - "${E2E_TMP}/too-many-rules.toml" <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    for i in range(5001):
        out.write('[[rule]]\nid = "X-%d"\narea = "a"\ntitle = "t"\nseverity = "error"\nlevel = 1\n'
                  'check = [ { key = "service.name", present = true } ]\n' % i)
PY
  run_in "${repo}" check --rules "${E2E_TMP}/too-many-rules.toml" --at "${AT}"
  assert_exit "5,001 rules are refused" 2
  assert_contains "the refusal says why" "${ERR}" "more than 5000 rules"
}

# The inputs: each file of the corpus, the oversized manifest and the 5,001 rules.
corpus_size() {
  local count=0 file
  for file in "${CORPUS}"/manifests/*.toml "${CORPUS}"/rules/*.toml; do count=$((count + 1)); done
  count=$((count + 2))
  assert_eq "the corpus holds at least 40 hostile inputs" "yes" "$([[ ${count} -ge 40 ]] && echo yes || echo "no (${count})")"
}

# (Names by parameter expansion: this runs for every scenario, and a process costs ~10 ms.)
for file in "${CORPUS}"/manifests/*.toml; do
  name="${file##*/}"
  scenario "manifest ${name%.toml}" run_manifest "${name%.toml}" "${file}"
done
scenario "manifest oversized" oversized_manifest
for file in "${CORPUS}"/rules/*.toml; do
  name="${file##*/}"
  scenario "rules ${name%.toml}" hostile_rules "${file}"
done
scenario "rules: 5,001 rules are refused" too_many_rules
scenario "the corpus holds at least 40 hostile inputs" corpus_size
run_scenarios "$@"
