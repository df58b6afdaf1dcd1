#!/usr/bin/env bash
# Repository edge cases: empty repository, unborn branch, detached HEAD, submodules, symlinks,
# unusual file names (a directory named in Latin-1 too), a manifest that is a directory or a
# symlink, and parallel runs on one repository (opsgate never writes into it).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AT=2026-11-26T10:00:00+01:00
setup() {
write_file "${E2E_TMP}/rules.toml" <<'TOML'
[[rule]]
id = "RUN-001"
area = "runbook"
title = "Runbook exists"
severity = "error"
level = 1
check = [ { key = "runbook.path", path_exists = true } ]
TOML
}
manifest() {  # manifest PATH [RUNBOOK]
  write_file "$1" <<EOF2
schema = 1
[service]
name = "edge"
owner = "team"
[runbook]
path = "${2:-docs/runbook.md}"
EOF2
}

# Empty repository / unborn branch: nothing to evaluate at HEAD is exit 2, with a message.
scenario "an empty repository, an unborn branch, a detached HEAD" scenario_an_empty_repository_an_unborn_branch
scenario_an_empty_repository_an_unborn_branch() {
repo="$(new_repo empty)"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}"
assert_exit "an empty repository (unborn HEAD) cannot be evaluated" 2
assert_contains "...and says the revision is missing" "${ERR}" "revision 'HEAD' not found"
manifest "${repo}/operability.toml"
write_file "${repo}/docs/runbook.md" <<<"# Runbook"
run_in "${repo}" check --worktree --rules "${E2E_TMP}/rules.toml" --at "${AT}" --format json
assert_exit "--worktree works before the first commit" 0
assert_json "...with no revision in the report" "d['revision'] is None"

# Detached HEAD.
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "first"
git -C "${repo}" checkout -q --detach HEAD
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}"
assert_exit "a detached HEAD is evaluated" 0
}

# Unusual file names: spaces, unicode, a leading dash, a '#' in the directory.
scenario "unusual file names" scenario_unusual_file_names
scenario_unusual_file_names() {
repo="$(new_repo names)"
manifest "${repo}/operability.toml" "docs/run book é #1/-runbook.md#restore"
write_file "${repo}/docs/run book é #1/-runbook.md" <<<$'# Runbook\n## Restore'
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "names"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}" --format json
assert_json "a path with spaces, unicode and a leading dash resolves (anchor after the last #)" \
  "st('RUN-001') == 'pass'"
}

# A service directory whose name is Latin-1, not UTF-8 ($'caf\xe9'), found by the default
# discovery: evaluated like any other, never an abort (exit 134 once, from the JSON renderers).
# The JSON formats carry U+FFFD for that byte, the JUnit XML stays well-formed.
scenario "a service directory named in Latin-1" scenario_a_service_directory_named_in_latin
scenario_a_service_directory_named_in_latin() {
repo="$(new_repo latin1)"
latin1=$'caf\xe9'
manifest "${repo}/${latin1}/operability.toml"
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "latin1"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}"
assert_exit "a service directory named in Latin-1 is evaluated (its runbook is missing: exit 1)" 1
assert_contains "...the text report names the failing rule" "${OUT}" "FAIL   RUN-001 Runbook exists"
assert_contains "...and ends with the verdict" "${OUT}" "opsgate: FAIL: 1 failed, 0 warnings"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}" --format json \
  --report "junit=${E2E_TMP}/latin1.xml" --report "sarif=${E2E_TMP}/latin1.sarif"
assert_exit "...the same verdict with --format json and --report" 1
printf '%s' "${OUT}" >"${E2E_TMP}/latin1.json"
if "${PYTHON}" -I -m json.tool "${E2E_TMP}/latin1.json" >/dev/null 2>&1; then
  pass_ "...the JSON report is valid JSON (python3 -m json.tool)"
else
  fail_ "...the JSON report is valid JSON (python3 -m json.tool)"
fi
assert_json "...its paths carry U+FFFD for the Latin-1 byte" \
  "(m()['path'] == 'caf\ufffd/operability.toml' and st('RUN-001') == 'fail' and
    'caf\ufffd/docs/runbook.md' in f('RUN-001')['message'])"
assert_json "...so does the SARIF report" \
  "([r['ruleId'] for r in d['runs'][0]['results']] == ['RUN-001'] and
    'caf\ufffd/docs/runbook.md' in d['runs'][0]['results'][0]['message']['text'])" \
  "${E2E_TMP}/latin1.sarif"
assert_py "...the JUnit report is well-formed XML naming the service" "${E2E_TMP}/latin1.xml" \
  "suite.get('name') == 'edge (caf\ufffd/operability.toml)' and suite.get('failures') == '1'" "$(
    cat <<'PY'
import xml.etree.ElementTree as ElementTree
try:
    suite = ElementTree.parse(path).getroot().find("testsuite")
except Exception as error:
    print(f"not well-formed XML in {path}: {error}")
    sys.exit(1)
PY
  )"
write_file "${repo}/${latin1}/docs/runbook.md" <<<"# Runbook"
commit_all "${repo}" 2026-11-21T10:00:00+01:00 "runbook"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}"
assert_exit "...and its runbook, relative to that directory, is found (exit 0)" 0
}

# A manifest that is a directory, or a symlink.
scenario "a directory named operability.toml is no manifest" scenario_a_directory_named_operability_toml_is
scenario_a_directory_named_operability_toml_is() {
repo="$(new_repo manifest-dir)"
mkdir -p "${repo}/operability.toml"
write_file "${repo}/operability.toml/README" <<<"not a manifest"
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "dir"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}" --format json
assert_exit "a directory named operability.toml is no manifest (GATE-MANIFEST)" 1
assert_json "...reported as missing" "st('GATE-MANIFEST') == 'fail'"
}

scenario "a manifest symlink inside the repository is followed" scenario_a_manifest_symlink_inside_the_repository
scenario_a_manifest_symlink_inside_the_repository() {
repo="$(new_repo manifest-link)"
manifest "${repo}/config/ops.toml"
write_file "${repo}/docs/runbook.md" <<<"# Runbook"
ln -s config/ops.toml "${repo}/operability.toml"
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "link"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}" --format json
assert_exit "a manifest symlink inside the repository is followed" 0
}

scenario "a manifest symlink out of the repository is never read" scenario_a_manifest_symlink_out_of_the
scenario_a_manifest_symlink_out_of_the() {
repo="$(new_repo manifest-link-out)"
manifest "${E2E_TMP}/outside.toml"
ln -s "${E2E_TMP}/outside.toml" "${repo}/operability.toml"
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "link out"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}" --format json
assert_exit "a manifest symlink out of the repository is never read" 1
assert_json "...it counts as missing" "st('GATE-MANIFEST') == 'fail'"
}

# Submodules: a path into a submodule is not a file of this repository.
scenario "a path into a submodule is not a file of the repository" scenario_a_path_into_a_submodule_is
scenario_a_path_into_a_submodule_is() {
sub="$(new_repo sub)"
write_file "${sub}/runbook.md" <<<"# Runbook"
commit_all "${sub}" 2026-11-20T10:00:00+01:00 "sub"
repo="$(new_repo super)"
git -C "${repo}" -c protocol.file.allow=always submodule add -q "${sub}" vendor/sub >/dev/null 2>&1
manifest "${repo}/operability.toml" "vendor/sub/runbook.md"
commit_all "${repo}" 2026-11-20T11:00:00+01:00 "super"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}" --format json
assert_exit "a repository with a submodule is evaluated" 1
assert_json "a file inside a submodule is not at the revision" \
  "st('RUN-001') == 'fail' and 'does not exist' in f('RUN-001')['message']"
}

# Parallel runs on one repository are safe, and opsgate never writes into it.
scenario "parallel runs are safe and write nothing into the repository" scenario_parallel_runs_are_safe_and_write
scenario_parallel_runs_are_safe_and_write() {
repo="$(new_repo parallel)"
manifest "${repo}/operability.toml"
write_file "${repo}/docs/runbook.md" <<<"# Runbook"
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "parallel"
before="$(cd "${repo}/.git" && find . -type f -newer HEAD -o -type f -print | sort | xargs sha1sum | sha1sum)"
pids=()
for i in 1 2 3 4 5 6; do
  (cd "${repo}" && "${OPSGATE}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}" --quiet \
    >"${E2E_TMP}/par-${i}.out" 2>&1; echo $? >"${E2E_TMP}/par-${i}.rc") &
  pids+=($!)
done
wait "${pids[@]}"
codes="$(cat "${E2E_TMP}"/par-*.rc | sort -u | tr '\n' ' ')"
assert_eq "six parallel runs all pass" "0 " "${codes}"
after="$(cd "${repo}/.git" && find . -type f -newer HEAD -o -type f -print | sort | xargs sha1sum | sha1sum)"
assert_eq "the repository is byte-for-byte unchanged" "${before}" "${after}"
}

run_scenarios "$@"
