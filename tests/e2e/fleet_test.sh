#!/usr/bin/env bash
# End-to-end: `opsgate fleet` on real repositories built in a temp dir: a directory of
# repositories, a bare one and an @FILE list; the text, JSON (validated against
# docs/fleet.schema.json) and HTML reports of one run; exit 0 whatever the services' outcomes, 2
# when a source could not be evaluated (the reports still written); a manifest that cannot be
# evaluated as a service in error; the trend from history (a young repository starts later, a
# shallow clone's cut points go to errors); REV:PATH rules read from each repository; shards and
# their merge equal to the unsharded run; the GitLab template (parallel: 3 and a merge job) under
# gitlab-ci-local; the Jenkins parallel example under Debian's groovy.
#
# The browser test of the HTML page is its own suite (fleet_browser_test.sh).

# Found before lib.sh replaces HOME.
GCL="${GITLAB_CI_LOCAL:-}"
if [[ -z "${GCL}" ]]; then
  for candidate in "$(command -v gitlab-ci-local 2>/dev/null)" \
    "${OPSGATE_TOOLS_CACHE:-${XDG_CACHE_HOME:-${HOME}/.cache}/opsgate-ci}/npm-tools/node_modules/.bin/gitlab-ci-local"; do
    if [[ -n "${candidate}" && -x "${candidate}" ]]; then GCL="${candidate}"; break; fi
  done
fi

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=fleet_fixtures.sh
source "$(dirname "${BASH_SOURCE[0]}")/fleet_fixtures.sh"

SCHEMA="${OPSGATE_SOURCE_DIR}/docs/fleet.schema.json"
AT="2026-11-26T10:00:00+01:00" # a Thursday

# assert_schema NAME FILE: FILE validates against docs/fleet.schema.json (python3-jsonschema;
# required under CI=true, else the assertion is skipped with a note).
assert_schema() {
  local name="$1" file="$2" detail
  if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
    [[ "${CI:-}" == "true" ]] && { fail_ "${name}" "python3-jsonschema is missing (run .ci/bootstrap)"; return; }
    echo "note: python3-jsonschema missing, ${name} not validated"
    return
  fi
  if detail="$(/usr/bin/python3 -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
document = json.load(open(sys.argv[2], encoding="utf-8"))
validator = jsonschema.validators.validator_for(schema)(schema)
errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
for error in errors[:5]:
    print("/" + "/".join(map(str, error.absolute_path)), error.message[:300])
sys.exit(1 if errors else 0)' "${SCHEMA}" "${file}" 2>&1)"; then
    pass_ "${name}: matches docs/fleet.schema.json"
  else
    fail_ "${name}: matches docs/fleet.schema.json" "${detail}"
  fi
}

# --- a directory of repositories ---------------------------------------------------------------
scenario "a directory of repositories: every service, text, JSON and HTML of one run" scenario_scan
scenario_scan() {
  make_fleet
  run_in "${E2E_TMP}" fleet fleet --at "${AT}" --rules "${BASELINE}" \
    --report "json=${E2E_TMP}/fleet.json" --report "html=${E2E_TMP}/fleet.html"
  assert_exit "fleet: exit 0 although services fail" 0
  assert_contains "text: the summary line" "${OUT}" "opsgate fleet: 5 services in 3 repositories"
  assert_contains "text: the services table" "${OUT}" "fleet/payments  ledger/operability.toml"
  assert_contains "text: the teams table" "${OUT}" "team-payments"
  assert_contains "text: the failing rule of ledger" "${OUT}" "BKP-002"
  assert_schema "json report" "${E2E_TMP}/fleet.json"
  assert_json "json: 5 services in 3 repositories" \
    'd["summary"]["services"] == 5 and d["summary"]["repositories"] == 3 and len(d["services"]) == 5' \
    "${E2E_TMP}/fleet.json"
  assert_json "json: the broken manifest is a service in error, with its position" \
    '[s for s in d["services"] if s["outcome"] == "error"][0]["error"].startswith("broken/operability.toml:")' \
    "${E2E_TMP}/fleet.json"
  assert_json "json: ledger fails BKP-002 with its fix" \
    '[f for s in d["services"] if s["name"] == "ledger" for f in s["failing"] if f["rule"] == "BKP-002"][0]["help"] != ""' \
    "${E2E_TMP}/fleet.json"
  assert_json "json: teams count their services" \
    '{t["team"]: t["services"] for t in d["teams"]} == {"(no owner)": 1, "team-payments": 2, "team-web": 2}' \
    "${E2E_TMP}/fleet.json"
  assert_json "json: rules count the services failing them" \
    '{r["rule"]: r["services"] for r in d["rules"]}.get("BKP-002") == 1' "${E2E_TMP}/fleet.json"
  assert_json "json: no trend without --trend, no errors" 'd["trend"] is None and d["errors"] == []' \
    "${E2E_TMP}/fleet.json"
  local html
  html="$(cat "${E2E_TMP}/fleet.html")"
  assert_contains "html: the services count" "${html}" 'data-metric="services">5<'
  assert_not_contains "html: no external URL in markup" "${html}" 'src="http'
  assert_not_contains "html: no stylesheet link" "${html}" '<link'

  run_in "${E2E_TMP}" fleet fleet --at "${AT}" --rules "${BASELINE}" --format json
  assert_exit "fleet --format json: exit 0" 0
  printf '%s\n' "${OUT}" >"${E2E_TMP}/stdout.json"
  assert_eq "stdout JSON equals the --report file of the same inputs" \
    "$(cat "${E2E_TMP}/fleet.json")" "${OUT}"
}

scenario "a repository, a bare repository and an @FILE list as sources" scenario_sources
scenario_sources() {
  make_fleet
  git clone -q --bare "${FLEET}/web" "${E2E_TMP}/web.git"
  printf '# repositories\n\n%s\n%s\n' "${FLEET}/payments" "${E2E_TMP}/web.git" >"${E2E_TMP}/repos.txt"
  run_in "${E2E_TMP}" fleet --at "${AT}" --rules "${BASELINE}" --format json "@${E2E_TMP}/repos.txt" "${FLEET}/legacy"
  assert_exit "sources: exit 0" 0
  assert_json "sources: the three repositories" \
    'sorted(r["name"] for r in d["repositories"]) == sorted(["'"${FLEET}/payments"'", "'"${E2E_TMP}/web.git"'", "'"${FLEET}/legacy"'"])'
  assert_json "sources: the bare repository's service" '"shop" in [s["name"] for s in d["services"]]'
}

scenario "a source that cannot be evaluated: exit 2, the reports still written" scenario_source_error
scenario_source_error() {
  make_fleet
  mkdir -p "${E2E_TMP}/empty-dir"
  run_in "${E2E_TMP}" fleet --at "${AT}" --rules "${BASELINE}" --report "json=${E2E_TMP}/f.json" \
    --report "html=${E2E_TMP}/f.html" "${FLEET}/web" "${E2E_TMP}/missing" "${E2E_TMP}/empty-dir"
  assert_exit "missing source: exit 2" 2
  assert_contains "missing source: named on stderr" "${ERR}" "${E2E_TMP}/missing: no such file or directory"
  assert_schema "error report" "${E2E_TMP}/f.json"
  assert_json "the report says which sources, and has the others' services" \
    'len(d["errors"]) == 2 and all(e["point"] is None for e in d["errors"]) and len(d["services"]) == 1' \
    "${E2E_TMP}/f.json"
  assert_contains "html lists what was not evaluated" "$(cat "${E2E_TMP}/f.html")" "no such file or directory"

  run_in "${E2E_TMP}" fleet --at "${AT}" --rules "${E2E_TMP}/no-rules" --report "json=${E2E_TMP}/r.json" "${FLEET}/web"
  assert_exit "rules that do not load: exit 2" 2
  assert_schema "rules error report" "${E2E_TMP}/r.json"
  assert_json "rules error: the message in errors" 'd["errors"][0]["message"] != "" and d["services"] == []' \
    "${E2E_TMP}/r.json"

  run_in "${E2E_TMP}" fleet --at "${AT}" --env prod "${FLEET}/web"
  assert_exit "unknown --env: exit 2" 2
  run_in "${E2E_TMP}" fleet --at "${AT}" --trend 3d "${FLEET}/web"
  assert_exit "bad --trend: exit 2" 2
  assert_contains "bad --trend: says what is expected" "${ERR}" "12w"
  run_in "${E2E_TMP}" fleet --at "${AT}" --shard 4/3 "${FLEET}/web"
  assert_exit "bad --shard: exit 2" 2
  run_in "${E2E_TMP}" fleet
  assert_exit "no SOURCE: exit 2" 2
  run_in "${E2E_TMP}" fleet --format xml "${FLEET}/web"
  assert_exit "unknown format: exit 2" 2
}

scenario "in French: --lang fr and LANGUAGE=fr, the JSON's keys and ids English" scenario_french
scenario_french() {
  make_fleet
  run_in "${E2E_TMP}" --lang fr fleet --at "${AT}" --rules "${BASELINE}" --report "json=${E2E_TMP}/fr.json" \
    --report "html=${E2E_TMP}/fr.html" fleet "${E2E_TMP}/missing"
  assert_exit "--lang fr: exit 2 (a missing source), as in English" 2
  assert_contains "text: the summary line in French" "${OUT}" "opsgate fleet : 5 services dans 3 dépôts"
  assert_contains "text: the headings in French" "${OUT}" "RÈGLES LES PLUS EN ÉCHEC"
  assert_contains "text: the rule titles from the pack's translations" "${OUT}" "Les sauvegardes sont conservées au moins une semaine"
  assert_contains "stderr: the missing source in French" "${ERR}" "opsgate: erreur : ${E2E_TMP}/missing : fichier ou répertoire introuvable"
  assert_schema "French json report" "${E2E_TMP}/fr.json"
  assert_json "json: lang fr, keys and outcomes English" \
    'd["lang"] == "fr" and {s["outcome"] for s in d["services"]} == {"pass", "fail", "error"}' "${E2E_TMP}/fr.json"
  assert_contains "html: the page says its language" "$(cat "${E2E_TMP}/fr.html")" '<html lang="fr">'
  assert_contains "html: the headings in French" "$(cat "${E2E_TMP}/fr.html")" "<h1>Exploitabilité du parc</h1>"

  run_in "${E2E_TMP}" fleet --at "${AT}" --rules "${BASELINE}" --format json --report "json=${E2E_TMP}/en.json" "${FLEET}/web"
  assert_exit "English shard: exit 0" 0
  LANGUAGE=fr run_in "${E2E_TMP}" fleet --at "${AT}" --rules "${BASELINE}" --format json "${FLEET}/payments"
  assert_exit "LANGUAGE=fr: exit 0" 0
  printf '%s\n' "${OUT}" >"${E2E_TMP}/fr-shard.json"
  assert_json "LANGUAGE=fr: lang fr" 'd["lang"] == "fr"' "${E2E_TMP}/fr-shard.json"
  run_in "${E2E_TMP}" fleet merge "${E2E_TMP}/en.json" "${E2E_TMP}/fr-shard.json"
  assert_exit "merge of shards in two languages: exit 2" 2
  assert_contains "merge: says why" "${ERR}" "language"
}

# --- the trend ---------------------------------------------------------------------------------
scenario "the trend: real evaluations at each week's commit, a young repository starts later" scenario_trend
scenario_trend() {
  local old young
  old="$(new_repo trend/old)"
  add_service "${old}" "" old team-a 3 2026-10-01
  commit_all "${old}" 2026-10-01T12:00:00+02:00 "short retention"
  sed -i 's/^retention_days = .*/retention_days = 35/' "${old}/operability.toml"
  commit_all "${old}" 2026-11-04T12:00:00+01:00 "fixed retention"
  young="$(new_repo trend/young)"
  add_service "${young}" "" young team-b 35 2026-11-18
  commit_all "${young}" 2026-11-18T12:00:00+01:00 "young"
  run_in "${E2E_TMP}" fleet --at "${AT}" --rules "${BASELINE}" --trend 4w --format json trend
  assert_exit "trend: exit 0" 0
  printf '%s\n' "${OUT}" >"${E2E_TMP}/trend.json"
  assert_schema "trend report" "${E2E_TMP}/trend.json"
  assert_json "trend: four Mondays and now" \
    '[p["date"] for p in d["trend"]["points"]] == ["2026-11-02T00:00:00+01:00", "2026-11-09T00:00:00+01:00", "2026-11-16T00:00:00+01:00", "2026-11-23T00:00:00+01:00", "2026-11-26T10:00:00+01:00"]'
  assert_json "trend: the young repository joins on Nov 23" \
    '[p["repositories"] for p in d["trend"]["points"]] == [1, 1, 1, 2, 2]'
  assert_json "trend: BKP-002 fails on Nov 2 (retention 3), not from Nov 9" \
    'd["trend"]["points"][0]["failed"] == 1 and d["trend"]["points"][1]["failed"] == 0'
  assert_json "trend: the last point is the scan itself" \
    'd["trend"]["points"][-1]["current"] and d["trend"]["points"][-1]["services"] == d["summary"]["services"] and d["trend"]["points"][-1]["passed"] == d["summary"]["passed"]'
  assert_json "trend: per team" '"team-b" not in d["trend"]["points"][0]["teams"] and d["trend"]["points"][3]["teams"]["team-b"]["services"] == 1'

  git clone -q --depth 1 "file://${old}" "${E2E_TMP}/shallow/old"
  run_in "${E2E_TMP}" fleet --at "${AT}" --rules "${BASELINE}" --trend 4w --format json shallow
  assert_exit "shallow: exit 0 (the source was evaluated)" 0
  assert_json "shallow: the cut points are errors with their date" \
    '[e["point"] for e in d["errors"]] == ["2026-11-02T00:00:00+01:00"]'
  assert_json "shallow: and not in the figures" '[p["repositories"] for p in d["trend"]["points"]] == [0, 1, 1, 1, 1]'
}

# --- rules from each repository ---------------------------------------------------------------
scenario "REV:PATH rules are read from each repository" scenario_repo_rules
scenario_repo_rules() {
  local a b
  a="$(new_repo rr/a)"
  add_service "${a}" "" a team-a 35
  write_file "${a}/.opsgate/rules/own.toml" <<'EOF'
[pack]
name = "own"
version = "1.0.0"

[[rule]]
id = "OWN-001"
area = "service"
title = "Services name a contact"
severity = "error"
level = 1
help = "Set service.contact."
check = [ { key = "service.contact", matches = "nobody" } ]
EOF
  commit_all "${a}" 2026-11-10T10:00:00+01:00 "a"
  b="$(new_repo rr/b)"
  add_service "${b}" "" b team-b 35
  commit_all "${b}" 2026-11-10T10:00:00+01:00 "b (no pack)"
  run_in "${E2E_TMP}" fleet --at "${AT}" --rules "${BASELINE}" --rules HEAD:.opsgate/rules --format json rr
  assert_exit "a repository without the pack: exit 2" 2
  assert_json "a's own rule judged a" '[f["rule"] for s in d["services"] if s["name"] == "a" for f in s["failing"]] == ["OWN-001"]'
  assert_json "b is an error, named" 'd["errors"][0]["source"] == "rr/b" and "rules" in d["errors"][0]["message"] or ".opsgate/rules" in d["errors"][0]["message"]'
}

# --- shards ------------------------------------------------------------------------------------
scenario "three shards merged equal the unsharded run" scenario_shards
scenario_shards() {
  make_fleet
  local repo
  for i in 1 2 3 4; do
    repo="$(new_repo "fleet/extra${i}")"
    add_service "${repo}" "" "extra${i}" "team-${i}" $((i * 10))
    commit_all "${repo}" 2026-11-0${i}T10:00:00+01:00 "extra ${i}"
  done
  run_in "${E2E_TMP}" fleet --at "${AT}" --rules "${BASELINE}" --trend 2w --format json fleet
  assert_exit "unsharded: exit 0" 0
  printf '%s\n' "${OUT}" >"${E2E_TMP}/whole.json"
  local i
  for i in 1 2 3; do
    run_in "${E2E_TMP}" fleet --at "${AT}" --rules "${BASELINE}" --trend 2w --shard "${i}/3" \
      --report "json=${E2E_TMP}/shard${i}.json" --format text fleet
    assert_exit "shard ${i}/3: exit 0" 0
    assert_contains "shard ${i}/3: says it is one" "${OUT}" "shard ${i}/3"
    assert_schema "shard ${i}" "${E2E_TMP}/shard${i}.json"
  done
  assert_py "the shards split the repositories" "${E2E_TMP}/shard1.json" \
    'sorted(n for i in (1, 2, 3) for n in names(i)) == sorted(r["name"] for r in json.load(open(sys.argv[1].replace("shard1", "whole")))["repositories"]) and all(names(i) for i in (1, 2, 3))' \
    'import json
def names(i):
    return [r["name"] for r in json.load(open(path.replace("shard1", "shard%d" % i)))["repositories"]]'
  # CI_NODE_INDEX/CI_NODE_TOTAL (GitLab's parallel:) are the default.
  (cd "${E2E_TMP}" && CI_NODE_INDEX=2 CI_NODE_TOTAL=3 "${OPSGATE}" fleet --at "${AT}" --rules "${BASELINE}" \
    --trend 2w --format json fleet >"${E2E_TMP}/env2.json" 2>/dev/null)
  assert_eq "CI_NODE_INDEX/CI_NODE_TOTAL give the same share as --shard 2/3" \
    "$(cat "${E2E_TMP}/shard2.json")" "$(cat "${E2E_TMP}/env2.json")"

  run_in "${E2E_TMP}" fleet merge "${E2E_TMP}/shard1.json" "${E2E_TMP}/shard2.json" "${E2E_TMP}/shard3.json" \
    --format json --report "html=${E2E_TMP}/merged.html"
  assert_exit "merge: exit 0" 0
  printf '%s\n' "${OUT}" >"${E2E_TMP}/merged.json"
  assert_eq "merged equals unsharded" "$(cat "${E2E_TMP}/whole.json")" "$(cat "${E2E_TMP}/merged.json")"
  assert_contains "merge writes the HTML page" "$(cat "${E2E_TMP}/merged.html")" 'data-metric="services">9<'

  run_in "${E2E_TMP}" fleet merge "${E2E_TMP}/shard1.json" "${E2E_TMP}/shard1.json"
  assert_exit "a shard given twice: exit 2" 2
  echo '{"outcome": "pass"}' >"${E2E_TMP}/check.json"
  run_in "${E2E_TMP}" fleet merge "${E2E_TMP}/check.json"
  assert_exit "a check report is not a shard: exit 2" 2
  assert_contains "and the file is named" "${ERR}" "check.json"
  # A source directory named merge is written ./merge.
  mv "${E2E_TMP}/fleet" "${E2E_TMP}/merge"
  run_in "${E2E_TMP}" fleet --at "${AT}" --rules "${BASELINE}" --format json ./merge
  assert_exit "./merge is a source" 0
  assert_json "./merge: its repositories" 'len(d["repositories"]) == 7'
}

# --- CI integrations ---------------------------------------------------------------------------
scenario "GitLab: parallel: 3 shards and the merge job under gitlab-ci-local" scenario_gitlab
scenario_gitlab() {
  if [[ -z "${GCL}" ]] || ! command -v rsync >/dev/null; then
    [[ "${CI:-}" == "true" ]] && { fail_ "gitlab-ci-local is available" "run .ci/bootstrap --test-tools"; return; }
    skip "gitlab-ci-local or rsync not installed (.ci/bootstrap installs them)"
  fi
  make_fleet
  local project
  project="$(new_repo scan-project)"
  mkdir -p "${project}/ci"
  cp "${OPSGATE_SOURCE_DIR}/integrations/gitlab/opsgate-fleet.yml" "${project}/ci/"
  write_file "${project}/.gitlab-ci.yml" <<EOF
include:
  - local: ci/opsgate-fleet.yml
    inputs:
      opsgate: ${OPSGATE}
      sources: ${FLEET}
      rules: ${BASELINE}
      shards: 3
      trend: 2w
      extra-args: --at ${AT}

stages: [test]
EOF
  commit_all "${project}" 2026-11-20T10:00:00+01:00 "nightly scan"
  (cd "${project}" && "${GCL}" --force-shell-executor --shell-isolation --no-color \
    --max-job-name-padding 0 </dev/null >"${E2E_TMP}/.gcl.out" 2>"${E2E_TMP}/.gcl.err")
  RC=$?
  OUT="$(cat "${E2E_TMP}/.gcl.out")"
  ERR="$(cat "${E2E_TMP}/.gcl.err")"
  assert_exit "the pipeline passes" 0
  assert_contains "three scan jobs ran" "${OUT}" "opsgate-fleet-scan: [3/3]"
  assert_contains "the merge job merged them" "${OUT}" "opsgate-fleet-merge > opsgate fleet: 5 services in 3 repositories"
  local merged
  merged="$(find "${project}/.gitlab-ci-local" -path '*opsgate-fleet-merge*' -name fleet.json | head -n 1)"
  [[ -n "${merged}" ]] || merged="${project}/fleet-report/fleet.json"
  assert_schema "the merged report" "${merged}"
  run_in "${E2E_TMP}" fleet --at "${AT}" --rules "${BASELINE}" --trend 2w --format json "${FLEET}"
  assert_eq "the merge job's report equals an unsharded run" "${OUT}" "$(cat "${merged}")"
  assert_contains "the merge job wrote the HTML page" "$(cat "$(dirname "${merged}")/fleet.html" 2>/dev/null)" "<!DOCTYPE html>"
}

scenario "Jenkins: the parallel example's shards and merge under groovy" scenario_jenkins
scenario_jenkins() {
  local groovy="${GROOVY:-$(command -v groovy 2>/dev/null)}"
  if [[ -z "${groovy}" ]]; then
    [[ "${CI:-}" == "true" ]] && { fail_ "groovy is available" "run .ci/bootstrap --test-tools"; return; }
    skip "groovy not installed (.ci/bootstrap installs it)"
  fi
  if [[ -z "${JAVA_HOME:-}" || ! -x "${JAVA_HOME}/bin/java" ]]; then
    JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac || command -v java)")")")"
    export JAVA_HOME
  fi
  make_fleet
  mkdir -p "${E2E_TMP}/workspace"
  "${groovy}" "${OPSGATE_SOURCE_DIR}/tests/e2e/jenkins/fleet_test.groovy" \
    "${OPSGATE_SOURCE_DIR}/integrations/jenkins/Jenkinsfile.fleet" "${E2E_TMP}/workspace" \
    "${OPSGATE}" "${FLEET}" "${BASELINE}" "--at ${AT}" >"${E2E_TMP}/groovy.log" 2>&1
  RC=$?
  OUT="$(cat "${E2E_TMP}/groovy.log")"
  ERR=""
  assert_exit "the Jenkinsfile runs" 0
  assert_contains "three shards ran in parallel" "${OUT}" "parallel: shard 1, shard 2, shard 3"
  run_in "${E2E_TMP}" fleet --at "${AT}" --rules "${BASELINE}" --format json "${FLEET}"
  assert_eq "the merged report equals an unsharded run" "${OUT}" "$(cat "${E2E_TMP}/workspace/fleet-report/fleet.json")"
  assert_contains "the HTML page is archived" "$(cat "${E2E_TMP}/workspace/archived.txt")" "fleet-report/fleet.html"
}

run_scenarios "$@"
