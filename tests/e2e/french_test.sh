#!/usr/bin/env bash
# End-to-end: opsgate in French. The examples checked with LANGUAGE=fr (in a C.UTF-8-only
# environment, as CI containers are) and with --lang fr: French headings, the baseline pack's
# French titles and fixes, rule ids, keys and JSON fields still English, the JSON report still
# schema-valid; a pack with its own translations.fr, a pack without French (English titles), the
# language variables' precedence, --lang's values, French errors, and exit codes that do not
# depend on the language. Then every family of messages issue 21 left in English until now:
# command-line errors, TOML syntax and rule-file errors, GATE-SCHEMA and GATE-MANIFEST, the
# ratchet's findings (fingerprints the same in both languages), provenance and evidence lines,
# `opsgate window`, pack origins, and --help.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AT="2026-11-26T21:30:00+01:00"
IMPORTED="2026-11-20T09:00:00+01:00"
EXAMPLES="${OPSGATE_SOURCE_DIR}/examples"
SCHEMA="${OPSGATE_SOURCE_DIR}/docs/report.schema.json"

# import_example NAME: copies examples/NAME into its own repository, committed; prints the path.
import_example() {
  local repo
  repo="$(new_repo "$1")"
  cp -r "${EXAMPLES}/$1/." "${repo}/"
  commit_all "${repo}" "${IMPORTED}" "import $1"
  printf '%s\n' "${repo}"
}

# check_legacy ARGS...: checks the legacy-batch example (a failing service) with ARGS added.
check_legacy() {
  local repo
  repo="$(import_example legacy-batch)"
  run_in "${repo}" check --rules "${BASELINE}" --at "${AT}" "$@"
}

# assert_french_text LABEL: the last text report is the legacy-batch one, in French.
assert_french_text() {
  local label="$1"
  assert_exit "${label}: the verdict does not depend on the language" 1
  assert_contains "${label}: French stage" "${OUT}" "étape merge"
  assert_contains "${label}: French level and outcome" "${OUT}" "· niveau 1 · non conforme"
  assert_contains "${label}: French status label, English rule id" "${OUT}" \
    "ÉCHEC  BKP-002 Les sauvegardes sont conservées au moins une semaine"
  assert_contains "${label}: French operator message, English key" "${OUT}" \
    "backup.retention_days vaut 3 ; attendu : au moins 7"
  assert_contains "${label}: French fix from the baseline pack" "${OUT}" \
    "correctif : Une corruption se remarque souvent plusieurs jours après coup"
  assert_contains "${label}: French verdict" "${OUT}" "opsgate: ÉCHEC : "
  assert_contains "${label}: French counts" "${OUT}" "en échec"
  assert_not_contains "${label}: no English heading" "${OUT}" "Backups are kept at least a week"
  assert_not_contains "${label}: no English fix label" "${OUT}" "fix:"
}

# assert_schema_valid LABEL: the last stdout is a JSON report docs/report.schema.json accepts.
assert_schema_valid() {
  local label="$1" file="${E2E_TMP}/.report.json"
  printf '%s' "${OUT}" >"${file}"
  local python
  for python in /usr/bin/python3 python3; do
    if "${python}" -c 'import jsonschema' 2>/dev/null; then
      local detail
      if detail="$("${python}" -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
document = json.load(open(sys.argv[2], encoding="utf-8"))
validator = jsonschema.validators.validator_for(schema)(schema)
errors = list(validator.iter_errors(document))
for error in errors[:5]:
    print("/" + "/".join(map(str, error.absolute_path)), error.message[:300])
sys.exit(1 if errors else 0)' "${SCHEMA}" "${file}" 2>&1)"; then
        pass_ "${label}: the French report matches docs/report.schema.json"
      else
        fail_ "${label}: the French report matches docs/report.schema.json" "${detail}"
      fi
      return
    fi
  done
  [[ "${CI:-}" == "true" ]] && fail_ "${label}: python3-jsonschema is available" "missing"
}

scenario "the examples in French with LANGUAGE=fr in a C.UTF-8 container" scenario_language_fr
scenario_language_fr() {
  export LANGUAGE=fr LANG=C.UTF-8
  check_legacy
  assert_french_text "LANGUAGE=fr"
}

scenario "the examples in French with --lang fr" scenario_lang_option
scenario_lang_option() {
  check_legacy --lang fr
  assert_french_text "--lang fr after the subcommand"
  local repo
  repo="$(import_example billing-api)"
  run_in "${repo}" --lang fr check --rules "${BASELINE}" --at "${AT}"
  assert_contains "--lang fr before the subcommand: French" "${OUT}" "étape merge"
  run_in "${repo}" check --lang=fr --rules "${BASELINE}" --at "${AT}"
  assert_contains "--lang=fr: French" "${OUT}" "étape merge"
}

scenario "JSON in French: texts French, ids, keys and values English, schema-valid" scenario_json
scenario_json() {
  check_legacy --lang fr --format json
  assert_exit "exit 1 as in English" 1
  assert_json "lang is fr" "d['lang'] == 'fr'"
  assert_json "rule ids, statuses and severities stay English" \
    "st('BKP-002') == 'fail' and f('BKP-002')['severity'] == 'error' and f('BKP-002')['area'] == 'backup'"
  assert_json "outcome values stay English" "d['outcome'] == 'fail' and m(0)['outcome'] == 'fail'"
  assert_json "the message is French, the key in it English" \
    "f('BKP-002')['message'] == 'backup.retention_days vaut 3 ; attendu : au moins 7'"
  assert_json "the fix is the baseline's French" \
    "f('BKP-002')['help'].startswith('Une corruption se remarque')"
  assert_json "a skipped rule's reason is French" \
    "all(x['message'] for x in m(0)['findings'] if x['status'] == 'skipped')"
  assert_schema_valid "legacy-batch --lang fr"
  check_legacy --format json
  assert_json "English run: lang is en" "d['lang'] == 'en'"
  assert_json "the same keys, rules and statuses in both languages" "
(lambda fr: sorted(fr.keys()) == sorted(d.keys())
   and [(x['rule'], x['status'], x['severity'], x['level'], x['location']) for x in fr['manifests'][0]['findings']]
    == [(x['rule'], x['status'], x['severity'], x['level'], x['location']) for x in m(0)['findings']]
   and fr['summary'] == d['summary'])(json.loads(open('${E2E_TMP}/.report.json', encoding='utf-8').read()))"
}

scenario "SARIF, JUnit, Code Quality and Markdown in French" scenario_formats
scenario_formats() {
  check_legacy --lang fr --format sarif --report "junit=${E2E_TMP}/junit.xml" \
    --report "codequality=${E2E_TMP}/cq.json" --report "markdown=${E2E_TMP}/report.md"
  assert_json "SARIF run language is fr" "d['runs'][0]['language'] == 'fr'"
  assert_json "SARIF ruleIds stay English, messages French" \
    "any(r['ruleId'] == 'BKP-002' and 'vaut 3' in r['message']['text'] for r in d['runs'][0]['results'])"
  assert_json "SARIF rule names stay the English titles, short descriptions French" \
    "any(r['id'] == 'BKP-002' and r['name'] == 'Backups are kept at least a week' and r['shortDescription']['text'] == 'Les sauvegardes sont conservées au moins une semaine' for r in d['runs'][0]['tool']['driver']['rules'])"
  printf '%s' "${OUT}" >"${E2E_TMP}/fr.sarif"
  local junit markdown
  junit="$(cat "${E2E_TMP}/junit.xml")"
  assert_contains "JUnit: French fix label" "${junit}" "correctif : "
  assert_contains "JUnit: the test name is the English id and title" "${junit}" \
    'name="BKP-002 Backups are kept at least a week"'
  # CI servers key a test's history on its name: a change of language must not make new tests.
  check_legacy --format sarif --report "junit=${E2E_TMP}/junit.en.xml"
  assert_eq "JUnit: the same test names in English and French" \
    "$(grep -o '<testcase [^>]*' "${E2E_TMP}/junit.en.xml")" "$(grep -o '<testcase [^>]*' "${E2E_TMP}/junit.xml")"
  assert_json "SARIF: the same rule names in English and French" \
    "[r.get('name') for r in d['runs'][0]['tool']['driver']['rules']] == [r.get('name') for r in json.load(open('${E2E_TMP}/fr.sarif', encoding='utf-8'))['runs'][0]['tool']['driver']['rules']]"
  assert_json "Code Quality: French description, English check_name" \
    "any(x['check_name'] == 'BKP-002' and 'vaut 3' in x['description'] for x in d)" "${E2E_TMP}/cq.json"
  markdown="$(cat "${E2E_TMP}/report.md")"
  assert_contains "Markdown: French heading" "${markdown}" "### :x: opsgate: ÉCHEC"
  assert_contains "Markdown: French table" "${markdown}" "| service | manifeste | niveau | résultat |"
  assert_contains "Markdown: French failures section" "${markdown}" "#### Échecs"
}

scenario "fingerprints are the same in every language" scenario_fingerprints
scenario_fingerprints() {
  local repo
  repo="$(import_example legacy-batch)"
  # A waiver for a rule no pack defines: a GATE-* finding, whose fingerprint reads its message.
  printf '\n[[waiver]]\nrule = "BKP-999"\nreason = "typo"\nexpires = 2026-12-01\napproved_by = "ops-lead@example.org"\n' \
    >>"${repo}/operability.toml"
  commit_all "${repo}" "${IMPORTED}" "a waiver"
  run_in "${repo}" check --rules "${BASELINE}" --at "${AT}" --format codequality
  local english="${OUT}"
  run_in "${repo}" check --lang fr --rules "${BASELINE}" --at "${AT}" --format codequality
  printf '%s' "${english}" >"${E2E_TMP}/en.json"
  assert_json "the GATE-WAIVER message is French" \
    "any(x['check_name'] == 'GATE-WAIVER' and 'qu\\'aucun pack chargé ne définit' in x['description'] for x in d)"
  assert_json "every fingerprint is the one of the English run" \
    "sorted(x['fingerprint'] for x in d) == sorted(x['fingerprint'] for x in json.load(open('${E2E_TMP}/en.json')))"
}

scenario "a pack with its own translations.fr, and a pack without French" scenario_company_pack
scenario_company_pack() {
  local repo
  repo="$(import_example billing-api)"
  write_file "${E2E_TMP}/acme/acme.toml" <<'EOF'
[pack]
name = "acme"
description = "ACME's platform rules"
[pack.translations.fr]
description = "Les règles de la plateforme ACME"

[[key]]
path = "backup.encryption"
type = "string"
description = "how backups are encrypted"
translations.fr.description = "comment les sauvegardes sont chiffrées"

[[rule]]
id = "ACME-001"
area = "backup"
title = "Backups are encrypted"
severity = "error"
level = 3
help = "Set backup.encryption to the scheme used."
check = [ { key = "backup.encryption", present = true } ]
translations.fr = { title = "Les sauvegardes sont chiffrées", help = "Renseignez backup.encryption avec le chiffrement utilisé." }
EOF
  write_file "${E2E_TMP}/plain/plain.toml" <<'EOF'
[pack]
name = "plain"
[[rule]]
id = "PLAIN-001"
area = "service"
title = "The service has an owner"
severity = "warning"
level = 1
help = "Set service.owner."
check = [ { key = "service.nickname", present = true } ]
EOF
  run_in "${repo}" check --lang fr --rules "${BASELINE}" --rules "${E2E_TMP}/acme" \
    --rules "${E2E_TMP}/plain" --at "${AT}"
  assert_contains "the company pack's French title" "${OUT}" "ACME-001 Les sauvegardes sont chiffrées"
  assert_contains "the company pack's French fix" "${OUT}" \
    "correctif : Renseignez backup.encryption avec le chiffrement utilisé."
  assert_contains "a pack without French: its English title" "${OUT}" \
    "PLAIN-001 The service has an owner"
  assert_contains "a pack without French: its English fix, French label" "${OUT}" \
    "correctif : Set service.owner."
  run_in "${repo}" rules list --lang fr --rules "${E2E_TMP}/acme"
  assert_contains "rules list: the pack's French description" "${OUT}" \
    "#   Les règles de la plateforme ACME"
  assert_contains "rules list: French title" "${OUT}" "Les sauvegardes sont chiffrées"
  run_in "${repo}" rules list --rules "${E2E_TMP}/acme"
  assert_contains "rules list in English: the English description" "${OUT}" \
    "#   ACME's platform rules"
  run_in "${repo}" explain ACME-001 --lang fr --rules "${E2E_TMP}/acme"
  assert_contains "explain: French title" "${OUT}" "ACME-001: Les sauvegardes sont chiffrées"
  assert_contains "explain: French labels" "${OUT}" "  domaine : backup"
  assert_contains "explain: French help" "${OUT}" "Renseignez backup.encryption"
}

scenario "translations with an unknown language or field are exit 2 at line:column" scenario_bad_translations
scenario_bad_translations() {
  local repo
  repo="$(import_example billing-api)"
  write_file "${E2E_TMP}/bad/bad.toml" <<'EOF'
[[rule]]
id = "BAD-001"
area = "backup"
title = "Backups"
severity = "error"
level = 1
check = [ { key = "backup.enabled", equals = true } ]
translations.de = { title = "Sicherungen" }
EOF
  run_in "${repo}" check --rules "${E2E_TMP}/bad" --at "${AT}"
  assert_exit "an unknown language is exit 2" 2
  assert_contains "it names the file, line:column and the languages" "${ERR}" \
    "bad.toml:8:14: unknown language 'de' in translations (languages: fr)"
  run_in "${repo}" check --lang fr --rules "${E2E_TMP}/bad" --at "${AT}"
  assert_exit "in French too" 2
  assert_contains "the error prefix is French" "${ERR}" "opsgate: erreur : "
  sed -i 's/translations.de = { title/translations.fr = { titre/' "${E2E_TMP}/bad/bad.toml"
  run_in "${repo}" check --rules "${E2E_TMP}/bad" --at "${AT}"
  assert_exit "an unknown field is exit 2" 2
  assert_contains "it names the field and the known ones" "${ERR}" \
    "bad.toml:8:21: unknown key 'titre' in translations.fr of rule BAD-001 (known keys: title, help)"
}

scenario "the language variables in gettext's order, C and POSIX are English" scenario_variables
scenario_variables() {
  local repo
  repo="$(import_example billing-api)"
  local -a args=(check --rules "${BASELINE}" --at "${AT}" --quiet)
  local french="opsgate: OK : " english="opsgate: PASS: "
  run_in "${repo}" "${args[@]}"
  assert_contains "no variable: English" "${OUT}" "${english}"
  LANG=fr_FR.UTF-8 run_in "${repo}" "${args[@]}"
  assert_contains "LANG=fr_FR.UTF-8 (not installed here): French" "${OUT}" "${french}"
  LC_MESSAGES=fr_CA run_in "${repo}" "${args[@]}"
  assert_contains "LC_MESSAGES=fr_CA: French" "${OUT}" "${french}"
  LC_ALL=fr run_in "${repo}" "${args[@]}"
  assert_contains "LC_ALL=fr: French" "${OUT}" "${french}"
  LC_ALL=C LANG=fr_FR.UTF-8 run_in "${repo}" "${args[@]}"
  assert_contains "LC_ALL=C before LANG: English" "${OUT}" "${english}"
  LC_ALL=POSIX LC_MESSAGES=fr_FR.UTF-8 run_in "${repo}" "${args[@]}"
  assert_contains "LC_ALL=POSIX before LC_MESSAGES: English" "${OUT}" "${english}"
  LANGUAGE=fr LC_ALL=C run_in "${repo}" "${args[@]}"
  assert_contains "LANGUAGE=fr in the C locale: French" "${OUT}" "${french}"
  LANGUAGE=de:fr run_in "${repo}" "${args[@]}"
  assert_contains "LANGUAGE=de:fr: French" "${OUT}" "${french}"
  LANGUAGE=en LANG=fr_FR.UTF-8 run_in "${repo}" "${args[@]}"
  assert_contains "LANGUAGE=en before LANG: English" "${OUT}" "${english}"
  LANG=de_DE.UTF-8 run_in "${repo}" "${args[@]}"
  assert_contains "a language opsgate does not speak: English" "${OUT}" "${english}"
  LANGUAGE=fr run_in "${repo}" "${args[@]}" --lang en
  assert_contains "--lang en wins over LANGUAGE=fr" "${OUT}" "${english}"
  LANG=fr_FR.UTF-8 run_in "${repo}" --lang en "${args[@]}"
  assert_contains "--lang en before the subcommand wins over LANG" "${OUT}" "${english}"
  assert_exit "exit 0 in every language" 0
}

scenario "the option --lang takes en or fr on every command, anything else is exit 2" scenario_lang_values
scenario_lang_values() {
  local repo
  repo="$(import_example billing-api)"
  run_in "${repo}" check --lang de --rules "${BASELINE}" --at "${AT}"
  assert_exit "--lang de is exit 2" 2
  assert_contains "it lists the languages" "${ERR}" "--lang: unknown language 'de' (languages: en, fr)"
  run_in "${repo}" check --rules "${BASELINE}" --lang
  assert_exit "--lang without a value is exit 2" 2
  assert_contains "it says what --lang needs" "${ERR}" "--lang needs a language (en, fr)"
  # --lang's own errors speak the environment's language.
  LANGUAGE=fr run_in "${repo}" check --lang de --rules "${BASELINE}" --at "${AT}"
  assert_exit "LANGUAGE=fr, --lang de: exit 2" 2
  assert_contains "LANGUAGE=fr: --lang de said in French" "${ERR}" \
    "opsgate: erreur : --lang : langue inconnue « de » (langues : en, fr)"
  LANG=fr_FR.UTF-8 run_in "${repo}" check --rules "${BASELINE}" --lang
  assert_contains "LANG=fr_FR.UTF-8: --lang without a value said in French" "${ERR}" \
    "--lang attend une langue (en, fr)"
  run_in "${repo}" check --lang de --rules "${BASELINE}" --at "${AT}" --report "json=${E2E_TMP}/r.json"
  assert_exit "with a report requested: exit 2" 2
  assert_json "the report is still written, as an error" "d['outcome'] == 'error'" "${E2E_TMP}/r.json"
  local command
  for command in "version" "rules list" "explain BKP-002" "window --env production" "schema" \
    "init --help"; do
    # shellcheck disable=SC2086  # the command's words
    run_in "${repo}" ${command} --lang fr
    [[ "${RC}" == 2 ]] && fail_ "--lang fr on '${command}'" "exit 2: ${ERR}" || pass_ "--lang fr on '${command}'"
  done
  run_in "${repo}" --help
  assert_contains "--help lists --lang" "${OUT}" "--lang"
  # After "--", --lang belongs to whatever follows (hook arguments, a path).
  run_in "${repo}" explain --lang fr -- --lang
  assert_exit "an id after -- is not --lang" 2
  assert_contains "explain looked for the rule '--lang'" "${ERR}" "--lang"
}

scenario "window and explain speak French" scenario_window_explain
scenario_window_explain() {
  local repo
  repo="$(import_example billing-api)"
  run_in "${repo}" explain BKP-004 --lang fr --rules "${BASELINE}"
  assert_contains "explain: the baseline's French title" "${OUT}" \
    "BKP-004: Les restaurations critiques ont été testées dans les 90 derniers jours"
  assert_contains "explain: French labels and severity" "${OUT}" "  gravité : erreur"
  assert_contains "explain: the French help" "${OUT}" "Une sauvegarde jamais restaurée"
  run_in "${repo}" explain SVC-001 --lang fr --rules "${BASELINE}"
  assert_contains "explain: every environment, every tier, each word agreeing with its noun" \
    "${OUT}" $'  environnements : tous\n  criticités : toutes'
  run_in "${repo}" rules list --lang fr --rules "${BASELINE}"
  assert_contains "rules list: each column as wide as its French heading" "${OUT}" \
    $'\nID               NIVEAU GRAVITÉ  DOMAINE         TITRE\nBKP-001          2      error    backup          '
  run_in "${repo}" explain GATE-WAIVER --lang fr
  assert_contains "explain: a gate finding in French" "${OUT}" \
    "GATE-WAIVER: Les dérogations désignent des règles chargées"
}

# --- what issue 21 listed as still English ------------------------------------------------------

scenario "command-line errors in French: no command, no option, did you mean, option first" scenario_cli_errors
scenario_cli_errors() {
  local repo
  repo="$(import_example billing-api)"
  run_in "${repo}" --lang fr chek
  assert_exit "opsgate chek: exit 2 in French too" 2
  assert_eq "opsgate chek: vouliez-vous dire check, and the commands" \
    "opsgate: erreur : opsgate n'a pas de commande « chek » ; vouliez-vous dire check ? (commandes : check, window, explain, rules, init, schema, hook, fleet, version)" \
    "${ERR}"
  LANGUAGE=fr run_in "${repo}" rules tset "${BASELINE}"
  assert_contains "rules tset with LANGUAGE=fr" "${ERR}" \
    "opsgate rules n'a pas de commande « tset » ; vouliez-vous dire test ? (commandes : list, packs, test)"
  run_in "${repo}" check --bsae main --lang fr
  assert_exit "check --bsae: exit 2" 2
  assert_eq "check --bsae: vouliez-vous dire --base" \
    "opsgate: erreur : opsgate check n'a pas d'option « --bsae » ; vouliez-vous dire --base ? (\`opsgate check --help\` les liste)" \
    "${ERR}"
  run_in "${repo}" --lang fr --rev HEAD check
  assert_exit "an option before its command: exit 2" 2
  assert_contains "an option before its command: said in French" "${ERR}" \
    "opsgate n'a pas d'option « --rev » : c'est une option de check, window, fleet, qui s'écrit après la commande (opsgate check --rev ...)"
  run_in "${repo}" explain BKP-02 --lang fr
  assert_exit "explain BKP-02: exit 2" 2
  assert_contains "explain: vouliez-vous dire BKP-002" "${ERR}" \
    "opsgate: erreur : aucune règle BKP-02 dans les packs chargés ; vouliez-vous dire BKP-002 ? (\`opsgate rules list\` les liste)"
  run_in "${repo}" check --env prod --lang fr --at "${AT}"
  assert_exit "--env prod: exit 2" 2
  assert_contains "--env prod: vouliez-vous dire production" "${ERR}" \
    "environnement inconnu « prod » (vouliez-vous dire production ?) : les packs chargés déclarent development, production, staging"
  run_in "${repo}" window --env stagign --lang fr --at "${AT}"
  assert_contains "window --env stagign: vouliez-vous dire staging" "${ERR}" \
    "environnement inconnu « stagign » (vouliez-vous dire staging ?)"
  run_in "${repo}" check --rev --lang fr
  assert_exit "a missing value: exit 2" 2
  assert_contains "a missing value: CLI11's message reworded" "${ERR}" \
    "--rev : 1 valeur de type TEXT manquante"
  assert_contains "a missing value: where help is" "${ERR}" "Lancez avec --help pour en savoir plus."
  run_in "${repo}" check --jobs 0 --lang fr
  assert_exit "--jobs 0: exit 2" 2
  assert_contains "--jobs 0: CLI11's range message reworded" "${ERR}" \
    "--jobs : la valeur 0 n'est pas comprise entre 1 et 64"
  run_in "${repo}" --lang fr
  assert_exit "no command at all: exit 2" 2
  assert_contains "no command at all: said in French" "${ERR}" "une commande est requise"
  run_in "${repo}" check --bsae main --lang fr --report "json=${E2E_TMP}/r.json"
  assert_json "the --report file carries the French message, outcome error" \
    "d['outcome'] == 'error' and d['lang'] == 'fr' and 'vouliez-vous dire --base' in d['error']" \
    "${E2E_TMP}/r.json"
}

scenario "TOML syntax errors and rule-file errors in French, at the same file:line:column" scenario_syntax_errors
scenario_syntax_errors() {
  local repo
  repo="$(new_repo svc)"
  local -A cases=(
    [quote]=$'schema = 1\n[service]\nname = "billing\nowner = "team"\n'
    [array]=$'schema = 1\n[service]\nname = "billing"\nowner = "team"\n[monitoring]\nalert_rules = ["monitoring/alerts.yaml"\n'
    [duplicate]=$'schema = 1\n[service]\nname = "svc"\nname = "svc2"\n'
    [date]=$'schema = 1\n[service]\nname = "svc"\n[backup]\nlast_restore_test = 2026-02-30\n'
    [bare]=$'schema = 1\n[service]\nname = svc\n'
  )
  local -A french=(
    [quote]='operability.toml:3:16: guillemet fermant " manquant (la chaîne commence en 3:8)'
    [array]="']' fermant manquant (le tableau commence en 6:15)"
    [duplicate]="operability.toml:4:8: clé « name » en double : elle est déjà renseignée plus haut (de type string) ; une clé n'apparaît qu'une fois dans sa table"
    [date]='operability.toml:5:31: date invalide 2026-02-30 : février 2026 compte 28 jours'
    [bare]="operability.toml:3:8: impossible de lire la valeur svc : mettez une chaîne entre guillemets"
  )
  local -A english=(
    [quote]='operability.toml:3:16: missing closing quote " (the string started at 3:8)'
    [array]="missing closing ']' (the array started at 6:15)"
    [duplicate]="operability.toml:4:8: duplicate key 'name': it is already set above (as a string); a key appears once in its table"
    [date]='operability.toml:5:31: invalid date 2026-02-30: February 2026 has 28 days'
    [bare]='operability.toml:3:8: cannot read the value svc: quote a string'
  )
  local name day=1
  for name in quote array duplicate date bare; do
    printf '%s' "${cases[${name}]}" | write_file "${repo}/operability.toml"
    commit_all "${repo}" "2026-10-0${day}T12:00:00+02:00" "${name}"
    day=$((day + 1))
    run_in "${repo}" check --at "${AT}"
    assert_contains "${name}: English" "${ERR}" "${english[${name}]}"
    run_in "${repo}" check --lang fr --at "${AT}"
    assert_exit "${name}: exit 2 in French" 2
    assert_contains "${name}: French, same position" "${ERR}" "${french[${name}]}"
    assert_contains "${name}: the French prefix" "${ERR}" "opsgate: erreur : "
  done
  write_file "${E2E_TMP}/pack/rules.toml" <<'EOF'
[[rule]]
id = "X-001"
are = "backup"
EOF
  run_in "${repo}" check --lang fr --rules "${E2E_TMP}/pack" --at "${AT}"
  assert_exit "a rule file with an unknown key: exit 2" 2
  assert_contains "a rule-file error in French, at file:line:column" "${ERR}" \
    "${E2E_TMP}/pack/rules.toml:3:1: clé inconnue « are » dans [[rule]] (clés connues : id, area, title,"
  write_file "${E2E_TMP}/pack/rules.toml" <<'EOF'
[[rule]]
id = "X-001"
title = 'Backups are kept
EOF
  run_in "${repo}" check --lang fr --rules "${E2E_TMP}/pack" --at "${AT}"
  assert_contains "a rule pack's syntax error in French" "${ERR}" \
    "${E2E_TMP}/pack/rules.toml:3:26: guillemet fermant ' manquant (la chaîne commence en 3:9)"
}

scenario "GATE-SCHEMA and GATE-MANIFEST in French, fingerprints unchanged" scenario_gate_schema
scenario_gate_schema() {
  local repo
  repo="$(new_repo svc)"
  write_file "${repo}/operability.toml" <<'EOF'
schema = 1
[service]
name = "svc"
owner = "team-payments"
tier = "critical"
stateful = "yes"
contcat = "x"
[release_window]
timezone = "Europe/Pariss"
[[release_window.allow]]
days = ["mon"]
start = "20:00"
end = "23:30"
EOF
  commit_all "${repo}" "2026-10-01T12:00:00+02:00" "manifest"
  run_in "${repo}" check --lang fr --at "${AT}" --stage deploy --format json
  assert_exit "exit 1 as in English" 1
  assert_json "GATE-SCHEMA: a typo, did you mean, in French" \
    "any(x['rule'] == 'GATE-SCHEMA' and x['message'] == \"service.contcat n'est pas une clé du schéma 1 (vouliez-vous dire contact ?)\" and x['location']['line'] == 7 for x in m()['findings'])"
  assert_json "GATE-SCHEMA: a wrong type in French" \
    "any(x['rule'] == 'GATE-SCHEMA' and x['message'] == 'service.stateful vaut \"yes\" ; attendu : un booléen' for x in m()['findings'])"
  assert_json "GATE-SCHEMA: a bad time zone in French" \
    "any(x['rule'] == 'GATE-SCHEMA' and x['message'].startswith('release_window.timezone vaut \"Europe/Pariss\", qui n\\'est pas un fuseau horaire IANA') for x in m()['findings'])"
  assert_json "the window rules point at it in French" \
    "f('WIN-003')['message'] == 'release_window est invalide ; GATE-SCHEMA en donne la raison (operability.toml:9:12)'"
  run_in "${repo}" check --at "${AT}" --stage deploy --format codequality
  printf '%s' "${OUT}" >"${E2E_TMP}/en.json"
  run_in "${repo}" check --lang fr --at "${AT}" --stage deploy --format codequality
  assert_json "every fingerprint, GATE-SCHEMA's included, is the English run's" \
    "sorted(x['fingerprint'] for x in d) == sorted(x['fingerprint'] for x in json.load(open('${E2E_TMP}/en.json')))"
  # A manifest that does not exist at the revision; then one written but not committed.
  run_in "${repo}" check --lang fr --at "${AT}" --manifest services/orders/operability.toml
  assert_exit "GATE-MANIFEST: exit 1" 1
  assert_contains "GATE-MANIFEST's title in French" "${OUT}" \
    "ÉCHEC  GATE-MANIFEST Le service déclare un manifeste d'exploitabilité"
  assert_matches "GATE-MANIFEST: does not exist, in French" "${OUT}" \
    "services/orders/operability.toml n'existe pas \\(révision [0-9a-f]{12}\\)"
  mkdir -p "${repo}/services/orders"
  cp "${repo}/operability.toml" "${repo}/services/orders/operability.toml"
  run_in "${repo}" check --lang fr --at "${AT}" --manifest services/orders/operability.toml
  assert_contains "GATE-MANIFEST: not committed yet, in French" "${OUT}" \
    "services/orders/operability.toml est dans l'arbre de travail mais pas encore commité : commitez-le, ou utilisez --worktree"
  assert_contains "GATE-MANIFEST's fix in French" "${OUT}" "correctif : Commitez le manifeste"
  run_in "${repo}" check --at "${AT}" --manifest services/orders/operability.toml --format codequality
  printf '%s' "${OUT}" >"${E2E_TMP}/en.json"
  run_in "${repo}" check --lang fr --at "${AT}" --manifest services/orders/operability.toml --format codequality
  assert_json "GATE-MANIFEST's fingerprint is the English run's" \
    "sorted(x['fingerprint'] for x in d) == sorted(x['fingerprint'] for x in json.load(open('${E2E_TMP}/en.json')))"
}

scenario "the ratchet's findings in French, fingerprints unchanged" scenario_ratchet
scenario_ratchet() {
  local repo
  repo="$(import_example billing-api)"
  git -C "${repo}" branch -q base
  rm "${repo}/docs/runbook.md"
  sed -i 's/tier = "critical"/tier = "low"/' "${repo}/operability.toml"
  commit_all "${repo}" "2026-11-21T09:00:00+01:00" "drop the runbook, lower the tier"
  run_in "${repo}" check --lang fr --base base --at "${AT}" --format json
  assert_exit "exit 1 as in English" 1
  assert_json "GATE-LEVEL-DROP in French" \
    "f('GATE-LEVEL-DROP')['message'].startswith('billing-api passe du niveau 5 à la base de fusion au niveau 1 : ') and f('GATE-LEVEL-DROP')['message'].endswith(' échouent désormais')"
  assert_json "GATE-EVIDENCE-REMOVED in French" \
    "f('GATE-EVIDENCE-REMOVED')['message'] == 'le changement supprime docs/runbook.md, que backup.procedure désigne et que la règle BKP-003 vérifiait avec succès à la base de fusion'"
  assert_json "GATE-SCOPE-CHANGED in French, values as written" \
    "f('GATE-SCOPE-CHANGED')['message'].startswith('avec le changement, 9 règles qui s\\'appliquaient à la base de fusion ne s\\'appliquent plus : BKP-004') and f('GATE-SCOPE-CHANGED')['message'].endswith('(service.tier \"critical\" -> \"low\")')"
  assert_json "their titles in French" \
    "f('GATE-LEVEL-DROP')['title'] == 'Le changement conserve le niveau de maturité du service'"
  run_in "${repo}" check --base base --at "${AT}" --format codequality
  printf '%s' "${OUT}" >"${E2E_TMP}/en.json"
  run_in "${repo}" check --lang fr --base base --at "${AT}" --format codequality
  assert_json "every fingerprint is the English run's" \
    "sorted(x['fingerprint'] for x in d) == sorted(x['fingerprint'] for x in json.load(open('${E2E_TMP}/en.json')))"
}

scenario "provenance and freshness evidence in French, dates and ids unchanged" scenario_provenance
scenario_provenance() {
  local repo
  repo="$(import_example legacy-batch)"
  run_in "${repo}" check --lang fr --rules "${BASELINE}" --at "${AT}"
  assert_matches "the provenance line in French" "${OUT}" \
    "ligne modifiée en dernier par E2E Tester dans [0-9a-f]{12} le 2026-11-20"
  assert_not_contains "no English provenance" "${OUT}" "last changed by"
  run_in "${repo}" check --lang fr --rules "${BASELINE}" --at "2028-01-10T10:00:00+01:00" --format json
  assert_json "the freshness evidence in French, its date and commit as they are" \
    "'docs/runbook.md modifié en dernier le 2026-11-20 par E2E Tester dans ' in f('RUN-006')['message'] and 'jours avant le 2028-01-10) : il n\\'a pas changé depuis avant le 2027-01-10' in f('RUN-006')['message']"
}

scenario "opsgate window in French: labels, reasons, JSON texts, causes and exit codes unchanged" scenario_window_french
scenario_window_french() {
  local repo
  repo="$(import_example billing-api)"
  run_in "${repo}" window --lang fr --at "2026-11-26T12:30:00+01:00"
  assert_exit "closed: exit 1 in French too" 1
  assert_contains "the verdict line" "${OUT}" \
    "fermée : fenêtre de mise en production de billing-api pour production (Europe/Paris)"
  assert_contains "when, with a French weekday, the date as it is" "${OUT}" \
    "  heure                jeu. 2026-11-26 12:30 CET (2026-11-26T11:30:00Z)"
  assert_contains "why" "${OUT}" "  pourquoi             en dehors de toute fenêtre autorisée"
  assert_contains "next opens" "${OUT}" \
    "  prochaine ouverture  jeu. 2026-11-26 20:00 CET (2026-11-26T19:00:00Z)"
  run_in "${repo}" window --lang fr --at "${AT}"
  assert_exit "open: exit 0" 0
  assert_contains "inside an allow window" "${OUT}" "dans la fenêtre autorisée mon,tue,wed,thu 20:00-23:30"
  run_in "${repo}" window --lang fr --at "2026-12-20T12:30:00+01:00" --format json
  assert_exit "a deny window: exit 1" 1
  assert_json "JSON: lang fr, the reason in French, the cause and instants as in English" \
    "d['lang'] == 'fr' and d['cause'] == 'deny' and d['reason'].startswith('fenêtre interdite \"year-end invoicing freeze\" du ven. 2026-12-18 00:00 CET au lun. 2027-01-04 08:00 CET') and d['next_open'] == '2027-01-04T19:00:00Z'"
  run_in "${repo}" check --lang fr --stage deploy --at "2026-12-20T12:30:00+01:00" --format json
  assert_json "the window reason inside WIN-003, in French" \
    "f('WIN-003')['message'].startswith('release_window est fermé le dim. 2026-12-20 12:30 CET : fenêtre interdite')"
  run_in "${repo}" window --at "2026-12-20T12:30:00+01:00" --format json
  assert_json "in English the same cause, lang en" "d['lang'] == 'en' and d['cause'] == 'deny'"
}

scenario "pack origins in French in the text report, as they are in the JSON report" scenario_pack_origins
scenario_pack_origins() {
  local repo
  repo="$(import_example billing-api)"
  run_in "${repo}" check --lang fr --rules "${BASELINE}" --at "${AT}"
  assert_contains "the text report: fichier" "${OUT}" "règles : baseline 1.0.0 (fichier ${BASELINE})"
  run_in "${repo}" check --lang fr --at "${AT}"
  assert_matches "an installed pack: installé dans" "${OUT}" "règles : baseline 1\\.0\\.0 \\(installé dans /"
  run_in "${repo}" check --lang fr --rules "${BASELINE}" --at "${AT}" --format json
  assert_json "the JSON report's origin is the same in every language" \
    "d['rule_packs'][0]['origin'] == 'file ${BASELINE}'"
}

scenario "help in French wherever --lang stands, or from LANGUAGE" scenario_help_french
scenario_help_french() {
  run_in "${E2E_TMP}" --lang fr --help
  assert_exit "--lang fr --help: exit 0" 0
  assert_contains "the program's description" "${OUT}" \
    "opsgate: un contrôle qualité de l'exploitabilité pour les pipelines de CI et les hooks git"
  assert_contains "CLI11's headings, a space before the colon" "${OUT}" \
    "Utilisation : opsgate [OPTIONS] COMMANDE"
  assert_contains "the subcommands' heading" "${OUT}" $'\nCommandes :\n'
  assert_contains "the options' heading" "${OUT}" $'\nOptions :\n'
  assert_not_contains "no French heading without its space" "${OUT}" $'Options:\n'
  assert_matches "a subcommand's description" "${OUT}" "check +Évalue le ou les manifestes de REPO"
  assert_matches "the help flag" "${OUT}" "-h,--help +Affiche cette aide et quitte"
  run_in "${E2E_TMP}" check --help --lang fr
  assert_exit "check --help --lang fr: exit 0" 0
  assert_matches "an option's description, --lang after the subcommand" "${OUT}" \
    "--base TEXT +Base du changement"
  assert_matches "option names and values stay" "${OUT}" "--fail-on TEXT:\\{error,warning\\}=error"
  LANGUAGE=fr run_in "${E2E_TMP}" window --help
  assert_matches "LANGUAGE=fr: window's options in French" "${OUT}" "--wait TEXT +Si elle est fermée"
  run_in "${E2E_TMP}" window --help
  assert_matches "without a language: English" "${OUT}" "--wait TEXT +When closed"
}

run_scenarios "$@"
