#!/usr/bin/env bash
# End-to-end: the report formats CI servers read, written by one real run (`--format` and
# several `--report FMT=FILE`): JUnit parsed by a real XML parser (python3 xml.etree), SARIF
# validated by the official SARIF Multitool and against the SARIF 2.1.0 JSON schema the Multitool
# ships (python3-jsonschema), Code Quality fingerprints stable across runs, the Markdown summary,
# and every format still valid when the run is an error (exit 2).
#
# The validators come from .ci/bootstrap (npm prefix $OPSGATE_NPM_TOOLS, default
# build/.npm-tools). In CI (CI=true) a missing validator is a failure; locally those checks are
# skipped with a message.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AT="2026-11-26T10:00:00+01:00"
D1="2026-10-01T12:00:00+02:00"
D2="2026-10-15T12:00:00+02:00"

# --- validators -----------------------------------------------------------------------------

NPM_TOOLS="${OPSGATE_NPM_TOOLS:-${OPSGATE_SOURCE_DIR}/build/.npm-tools}"
MULTITOOL="${NPM_TOOLS}/node_modules/.bin/sarif-multitool"
SARIF_SCHEMA="$(find "${NPM_TOOLS}/node_modules/@microsoft" -name 'sarif-2.1.0.json' 2>/dev/null | head -n 1)"
SCHEMA_PYTHON=""
for candidate in /usr/bin/python3 python3; do
  if "${candidate}" -c 'import jsonschema' 2>/dev/null; then
    SCHEMA_PYTHON="${candidate}"
    break
  fi
done

# validator_missing NAME WHAT: true (and says so) when a validator is unavailable; in CI that is
# a failed assertion, locally a skip.
validator_missing() {
  local name="$1" what="$2"
  if [[ "${CI:-}" == "true" ]]; then
    fail_ "${name}" "${what} is missing (run .ci/bootstrap)"
  else
    printf 'SKIP  %s: %s is missing (run .ci/bootstrap to install it)\n' "${name}" "${what}"
  fi
}

# assert_sarif_valid NAME FILE: the Multitool reports no error and the schema accepts FILE.
assert_sarif_valid() {
  local name="$1" file="$2"
  if [[ ! -x "${MULTITOOL}" ]]; then
    validator_missing "${name} (multitool)" "sarif-multitool (${MULTITOOL})"
  else
    local out="${file}.validation.$RANDOM.sarif" log
    # It exits 0 whatever it finds: read its messages and its own SARIF log for errors.
    log="$("${MULTITOOL}" validate "${file}" -o "${out}" 2>&1)"
    if [[ "${log}" == *": error "* || ! -s "${out}" ]] ||
      ! "${PYTHON}" -I -S -c '
import json, sys
log = json.load(open(sys.argv[1]))
errors = [r for run in log["runs"] for r in run.get("results", []) if r.get("level") == "error"]
sys.exit(1 if errors else 0)' "${out}"; then
      fail_ "${name} (multitool)" "sarif-multitool validate found errors:" "${log}"
    else
      pass_ "${name} (multitool)"
    fi
  fi
  if [[ -z "${SARIF_SCHEMA}" || -z "${SCHEMA_PYTHON}" ]]; then
    validator_missing "${name} (schema)" "the Multitool's sarif-2.1.0.json or python3-jsonschema"
    return 0
  fi
  local detail
  if detail="$("${SCHEMA_PYTHON}" -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8-sig"))
document = json.load(open(sys.argv[2], encoding="utf-8"))
validator = jsonschema.validators.validator_for(schema)(schema)
errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
for error in errors[:5]:
    print("/".join(map(str, error.path)), error.message)
sys.exit(1 if errors else 0)' "${SARIF_SCHEMA}" "${file}" 2>&1)"; then
    pass_ "${name} (schema)"
  else
    fail_ "${name} (schema)" "${detail}"
  fi
}

# assert_xml NAME FILE EXPR: FILE parses as XML and the Python EXPR holds, with `root` the
# document element and `cases` every <testcase>.
assert_xml() {
  local name="$1" file="$2" expr="$3"
  assert_py "${name}" "${file}" "${expr}" "$(
    cat <<'PY'
import xml.etree.ElementTree as ET
try:
    root = ET.parse(path).getroot()
except Exception as error:
    print(f"not well-formed XML in {path}: {error}")
    sys.exit(1)
cases = root.findall("./testsuite/testcase")
def case(rule, suite=None):
    for c in cases:
        if c.get("name", "").split(" ")[0] == rule and (suite is None or c.get("classname").startswith(suite)):
            return c
    return None
def props(suite):
    return [(p.get("name"), p.get("value")) for p in suite.findall("./properties/property")]
PY
  )"
}

# --- fixtures -------------------------------------------------------------------------------

# setup: PACK; REPO with two services (pay keeps 3 days); one run writing every format into
# $OUTDIR (its exit status is asserted by the JUnit scenario).
setup() {
PACK="${E2E_TMP}/pack"
write_file "${PACK}/rules.toml" <<'EOF'
[pack]
name = "e2e-reports"
version = "2.0.1"

[[rule]]
id = "REP-001"
area = "backup"
title = "Backups are kept a week & <more>"
severity = "error"
level = 1
help = "Set backup.retention_days to 7 or more (\"seven\" <days>)."
check = [ { key = "backup.retention_days", type = "integer", min = 7 } ]

[[rule]]
id = "REP-002"
area = "monitoring"
title = "There is a dashboard"
severity = "warning"
level = 2
help = "Set monitoring.dashboard."
check = [ { key = "monitoring.dashboard", present = true } ]

[[rule]]
id = "REP-003"
area = "backup"
title = "Backups go off-site"
severity = "error"
level = 2
help = "Copy backups off-site."
check = [ { key = "backup.offsite", equals = true } ]

[[rule]]
id = "REP-004"
area = "service"
title = "Critical services name a contact"
severity = "error"
level = 1
tiers = ["critical"]
help = "Set service.contact."
check = [ { key = "service.contact", present = true } ]
EOF
one_run
}

# service NAME RETENTION [PREFIX]: a manifest; PREFIX lines go first (to move every line).
service() {
  cat <<EOF
${3:-}schema = 1

[service]
name = "$1"
owner = "team-$1"
tier = "high"

[backup]
enabled = true
retention_days = $2
offsite = false

[[waiver]]
rule = "REP-003"
reason = "off-site copy <booked> for Q1 & \"soon\""
approved_by = "ops@example.org"
expires = 2026-12-15
EOF
}

one_run() {
REPO="$(new_repo reports)"
service pay 3 | write_file "${REPO}/services/pay/operability.toml"
service ledger 14 | write_file "${REPO}/services/ledger/operability.toml"
commit_all "${REPO}" "${D1}" "two services"
HEAD1="$(git -C "${REPO}" rev-parse HEAD)"
PAY_BLOB="$(git -C "${REPO}" rev-parse HEAD:services/pay/operability.toml)"

OUTDIR="${E2E_TMP}/out"
mkdir -p "${OUTDIR}"
run_in "${REPO}" check --rules "${PACK}" --at "${AT}" --format junit \
  --report "sarif=${OUTDIR}/r.sarif" --report "codequality=${OUTDIR}/cq.json" \
  --report "markdown=${OUTDIR}/r.md" --report "json=${OUTDIR}/r.json"
printf '%s\n' "${OUT}" >"${OUTDIR}/stdout.xml"
}

# --- JUnit ----------------------------------------------------------------------------------

scenario "JUnit" scenario_junit
scenario_junit() {
assert_exit "one run, every format: gate fails (pay keeps 3 days)" 1
J="${OUTDIR}/stdout.xml"
assert_xml "junit: one testsuite per manifest" "${J}" \
  "root.tag == 'testsuites' and len(root.findall('testsuite')) == 2"
assert_xml "junit: one testcase per rule per manifest" "${J}" \
  "all(len(s.findall('testcase')) == 5 for s in root.findall('testsuite'))"
assert_xml "junit: classname is service.area, name is 'ID title'" "${J}" \
  "case('REP-001', 'pay').get('classname') == 'pay.backup' and case('REP-001', 'pay').get('name') == 'REP-001 Backups are kept a week & <more>'"
assert_xml "junit: the failing rule has a <failure> with message and path:line" "${J}" \
  "(lambda f: f is not None and 'retention_days is 3' in f.get('message') and 'services/pay/operability.toml:10' in f.text and '\"seven\" <days>' in f.text)(case('REP-001', 'pay').find('failure'))"
assert_xml "junit: the passing service's rule has no failure" "${J}" \
  "case('REP-001', 'ledger').find('failure') is None"
assert_xml "junit: waived rule passes with the waiver in system-out" "${J}" \
  "case('REP-003', 'pay').find('failure') is None and 'off-site copy <booked> for Q1 & \"soon\"' in case('REP-003', 'pay').find('system-out').text"
assert_xml "junit: skipped rule is <skipped/>" "${J}" \
  "case('REP-004', 'pay').find('skipped') is not None"
assert_xml "junit: failures count what fails the gate (a warning below --fail-on does not)" "${J}" \
  "root.get('failures') == '1' and case('REP-002', 'pay').find('failure') is None and int(root.get('tests')) == 10"
assert_xml "junit: provenance in <properties>" "${J}" \
  "('revision', '${HEAD1}') in props(root.find('testsuite')) and ('manifest.blob', '${PAY_BLOB}') in props(root.findall('testsuite')[1]) and ('rule_pack', 'e2e-reports 2.0.1') in props(root.find('testsuite')) and ('evaluated_at', '2026-11-26T09:00:00Z') in props(root.find('testsuite'))"
}

# --- SARIF ----------------------------------------------------------------------------------

scenario "SARIF" scenario_sarif
scenario_sarif() {
S="${OUTDIR}/r.sarif"
assert_sarif_valid "sarif: valid" "${S}"
assert_json "sarif: 2.1.0, one run, driver rules with id, help and level" \
  "d['version'] == '2.1.0' and len(d['runs']) == 1 and all({'id','help','defaultConfiguration'} <= set(r) for r in d['runs'][0]['tool']['driver']['rules'])" "${S}"
assert_json "sarif: results for failed and waived rules only, waived ones suppressed" \
  "sorted((r['ruleId'], 'suppressions' in r) for r in d['runs'][0]['results']) == [('REP-001', False), ('REP-002', False), ('REP-002', False), ('REP-003', True), ('REP-003', True)]" "${S}"
assert_json "sarif: uri relative to the repository root, region at the key" \
  "any(l['physicalLocation']['artifactLocation']['uri'] == 'services/pay/operability.toml' and l['physicalLocation']['region'] == {'startLine': 10, 'startColumn': 18} for r in d['runs'][0]['results'] if r['ruleId'] == 'REP-001' for l in r['locations'])" "${S}"
assert_json "sarif: no region when the key is absent" \
  "all('region' not in r['locations'][0]['physicalLocation'] for r in d['runs'][0]['results'] if r['ruleId'] == 'REP-002')" "${S}"
assert_json "sarif: provenance in run.properties" \
  "(lambda p: p['revision'] == '${HEAD1}' and p['evaluatedAt'] == '2026-11-26T09:00:00Z' and p['rulePacks'][0]['version'] == '2.0.1' and '${PAY_BLOB}' in [m['blob'] for m in p['manifests']])(d['runs'][0]['properties'])" "${S}"
}

# --- Code Quality ---------------------------------------------------------------------------

scenario "Code Quality" scenario_code_quality
scenario_code_quality() {
C="${OUTDIR}/cq.json"
assert_json "codequality: an array of the failed findings with the required fields" \
  "isinstance(d, list) and len(d) == 3 and all({'description','check_name','fingerprint','severity'} <= set(e) and isinstance(e['location']['path'], str) and e['location']['lines']['begin'] >= 1 for e in d)" "${C}"
assert_json "codequality: severities mapped (error critical, warning minor)" \
  "sorted((e['check_name'], e['severity']) for e in d) == [('REP-001', 'critical'), ('REP-002', 'minor'), ('REP-002', 'minor')]" "${C}"
assert_json "codequality: fingerprints distinct" "len({e['fingerprint'] for e in d}) == len(d)" "${C}"

# The same findings after a commit that moves every line: same fingerprints.
service pay 3 $'# moved\n# down\n' | write_file "${REPO}/services/pay/operability.toml"
commit_all "${REPO}" "${D2}" "move lines"
run_in "${REPO}" check --rules "${PACK}" --at "${AT}" --format codequality
assert_exit "codequality on stdout: gate still fails" 1
printf '%s\n' "${OUT}" >"${OUTDIR}/cq2.json"
assert_json "codequality: the lines moved" \
  "any(e['location']['lines']['begin'] == 12 for e in d if e['check_name'] == 'REP-001')" "${OUTDIR}/cq2.json"
assert_json "codequality: same findings, same fingerprints across runs" \
  "sorted(e['fingerprint'] for e in d) == sorted(e['fingerprint'] for e in __import__('json').load(open('${C}')))" \
  "${OUTDIR}/cq2.json"
}

# --- Markdown -------------------------------------------------------------------------------

scenario "Markdown" scenario_markdown
scenario_markdown() {
MD="$(cat "${OUTDIR}/r.md")"
assert_contains "markdown: verdict line" "${MD}" "opsgate: FAIL"
assert_contains "markdown: services with their level" "${MD}" "| pay | \`services/pay/operability.toml\` | 0 | :x: fail |"
assert_contains "markdown: failure with its fix" "${MD}" "**REP-001**"
assert_contains "markdown: fix is escaped" "${MD}" "Set backup.retention\\_days to 7 or more (\"seven\" \\<days\\>)."
assert_contains "markdown: waived list" "${MD}" "#### Waived"
assert_contains "markdown: passes collapsed" "${MD}" "<details><summary>"
assert_contains "markdown: provenance footer" "${MD}" "revision \`${HEAD1}\`"
}

# --- error reports (exit 2) -----------------------------------------------------------------

scenario "error reports, exit 2, in every format" scenario_error_reports_exit_2_in_every
scenario_error_reports_exit_2_in_every() {
ERRDIR="${E2E_TMP}/err"
mkdir -p "${ERRDIR}"
run_in "${REPO}" check --rules "${E2E_TMP}/no-such-pack" --at "${AT}" --format sarif \
  --report "junit=${ERRDIR}/r.xml" --report "codequality=${ERRDIR}/cq.json" \
  --report "markdown=${ERRDIR}/r.md"
assert_exit "error run: exit 2" 2
printf '%s\n' "${OUT}" >"${ERRDIR}/r.sarif"
assert_sarif_valid "error sarif on stdout: valid" "${ERRDIR}/r.sarif"
assert_json "error sarif: execution failed with a notification" \
  "(lambda i: i['executionSuccessful'] is False and 'no-such-pack' in i['toolExecutionNotifications'][0]['message']['text'])(d['runs'][0]['invocations'][0]) and d['runs'][0]['properties']['outcome'] == 'error'" \
  "${ERRDIR}/r.sarif"
assert_xml "error junit: one errored testcase 'opsgate' with the message" "${ERRDIR}/r.xml" \
  "len(cases) == 1 and cases[0].get('name') == 'opsgate' and 'no-such-pack' in cases[0].find('error').get('message') and root.get('errors') == '1'"
assert_json "error codequality: one blocker entry with the message" \
  "len(d) == 1 and d[0]['severity'] == 'blocker' and 'no-such-pack' in d[0]['description']" \
  "${ERRDIR}/cq.json"
assert_contains "error markdown: says ERROR with the message" "$(cat "${ERRDIR}/r.md")" \
  "opsgate: ERROR"
}

# A report that cannot reach stdout (a full disk) is an error, not a verdict: exit 2, said on
# stderr, and the --report files say "error" too. (It was an abort, exit 134.)
scenario "a full disk is an error, not a verdict" scenario_a_full_disk_is_an_error
scenario_a_full_disk_is_an_error() {
[[ -w /dev/full ]] || skip "/dev/full is not writable here: the full-disk checks"
ERRDIR="${E2E_TMP}/err"
mkdir -p "${ERRDIR}"
(cd "${REPO}" && "${OPSGATE}" check --rules "${PACK}" --at "${AT}" --format json \
  --report "json=${ERRDIR}/full.json" </dev/null >/dev/full 2>"${ERRDIR}/full.err")
RC=$?
assert_exit "stdout on a full disk: exit 2" 2
assert_contains "stdout on a full disk: said" "$(cat "${ERRDIR}/full.err")" \
  "cannot write the report to standard output"
assert_json "stdout on a full disk: the --report file says error" \
  "d['outcome'] == 'error' and 'standard output' in d['error']" "${ERRDIR}/full.json"
(cd "${REPO}" && "${OPSGATE}" version </dev/null >/dev/full 2>"${ERRDIR}/full.err")
RC=$?
assert_exit "version on a full disk: exit 2" 2
assert_contains "version on a full disk: said" "$(cat "${ERRDIR}/full.err")" \
  "cannot write to standard output"
(cd "${REPO}" && "${OPSGATE}" check --help </dev/null >/dev/full 2>"${ERRDIR}/full.err")
RC=$?
assert_exit "help on a full disk: exit 2" 2
}

# An unknown format is still a usage error.
scenario "an unknown format is a usage error" scenario_an_unknown_format_is_a_usage
scenario_an_unknown_format_is_a_usage() {
run_in "${REPO}" check --rules "${PACK}" --at "${AT}" --format xml
assert_exit "unknown format: exit 2" 2
assert_contains "unknown format: named" "${ERR}" "unknown format 'xml'"
}

# A repeatable option takes one value each time: the repository written after it stays the
# repository (was: `--report json=F REPO` read REPO as a second report and failed on it).
scenario "a repeatable option before the repository takes one value" scenario_repeatable_then_repo
scenario_repeatable_then_repo() {
run_in "${E2E_TMP}" check --at "${AT}" --rules "${PACK}" --report "json=${OUTDIR}/after.json" "${REPO}"
assert_exit "--report F REPO: the gate fails on REPO's pay" 1
assert_contains "--report F REPO: the report is written" "$(cat "${OUTDIR}/after.json")" '"outcome": "fail"'
run_in "${E2E_TMP}" check --at "${AT}" --manifest services/ledger/operability.toml --rules "${PACK}" "${REPO}"
assert_exit "--manifest M --rules P REPO: ledger alone passes" 0
run_in "${E2E_TMP}" check --at "${AT}" --rules "${PACK}" --manifest services/pay/operability.toml "${REPO}"
assert_exit "--rules P --manifest M REPO: pay alone fails" 1
}

run_scenarios "$@"
