#!/usr/bin/env bash
# End-to-end: what a shell user reads and types. The man pages and the bash, zsh and fish
# completions the build writes into build/manual/ (gate/cli/docgen.cpp) are rendered by the real
# man and groff and driven through the real shells; `--version`; where `cmake --install` puts
# them. Every page and completion is checked against the binary's own --help, so an option added
# later is checked without editing this suite. The French pages (build/manual/man/fr/man1, as
# `--lang fr --help` words them) are rendered too.
#
# Environment: OPSGATE, OPSGATE_BUILD_DIR (the build directory that wrote manual/). A missing
# tool (man, groff, zsh, fish, bash-completion) skips its scenario; missing or broken generated
# files fail.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

setup() {
  [[ -n "${OPSGATE_BUILD_DIR:-}" ]] || skip "needs OPSGATE_BUILD_DIR (the build directory)"
  MANUAL="${OPSGATE_BUILD_DIR}/manual"
  PAGES="${MANUAL}/man/man1"
  BASH_COMPLETION_FILE="${MANUAL}/bash-completion/completions/opsgate"
  ZSH_COMPLETION_DIR="${MANUAL}/zsh"
  FISH_COMPLETION_FILE="${MANUAL}/fish/vendor_completions.d/opsgate.fish"
}

# help_items ARGS... SECTION: the first word of each entry of SECTION ("Options", "Subcommands",
# "Positionals") in `opsgate ARGS --help`, one a line.
help_items() {
  local section="${*: -1}"
  local -a args=("${@:1:$#-1}")
  "${OPSGATE}" "${args[@]}" --help </dev/null 2>/dev/null | awk -v section="${section}:" '
    /^[^ ].*:$/ { inside = ($0 == section); next }
    inside && /^  [^ ]/ { print $1 }'
}

# help_options ARGS...: every option name (-q, --quiet) `opsgate ARGS --help` lists.
help_options() {
  help_items "$@" Options | grep -oE -- '(^|,)--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^,//'
}

# commands: every subcommand path ("check", "rules list"), depth first.
commands() {
  local top sub
  for top in $(help_items Subcommands); do
    printf '%s\n' "${top}"
    for sub in $(help_items "${top}" Subcommands); do printf '%s %s\n' "${top}" "${sub}"; done
  done
}

# rendered PAGE: the page as man shows it, wide, without hyphenation or justification.
rendered() {
  MANWIDTH=250 man --nh --nj -l "$1" 2>/dev/null
}

# assert_page_clean LABEL NAME_HEADING PAGE: man --warnings renders PAGE without a warning, its
# NAME_HEADING section ("NAME", "NOM") names the page, and groff -ww warns about nothing.
assert_page_clean() {
  local label=$1 heading=$2 page=$3 name warnings
  name="$(basename "${page}" .1)"
  OUT="$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "${page}" 2>"${E2E_TMP}/man.err")"
  ERR="$(cat "${E2E_TMP}/man.err")"
  assert_eq "${label} ${name}: man --warnings renders it without a warning" "" "${ERR}"
  assert_matches "${label} ${name}: its ${heading} section" "${OUT}" "${heading}"$'\n'" +${name} +- "
  warnings="$(groff -man -Tutf8 -ww -z "${page}" 2>&1)"
  assert_eq "${label} ${name}: groff -ww has no warning" "" "${warnings}"
}

# word_regex OPTION: a regex for OPTION as a word of a man page (its heading: "-q, --quiet",
# "--rev TEXT", "--post-status[=VALUE]").
word_regex() {
  printf '(^|[ ,\n])%s([ ,=[\n]|$)' "$1"
}

# --- --version -------------------------------------------------------------------------------

scenario "version: --version prints what the version command prints" scenario_version
scenario_version() {
run_in "${E2E_TMP}" version
assert_exit "version: exit 0" 0
local version="${OUT}"
assert_matches "version: opsgate and its libraries" "${version}" "^opsgate [0-9]+\.[0-9]+\.[0-9]+"$'\n'"libgit2 "
run_in "${E2E_TMP}" --version
assert_exit "--version: exit 0" 0
assert_eq "--version: the same text as version" "${version}" "${OUT}"
assert_eq "--version: nothing on stderr" "" "${ERR}"
}

# --- man pages -------------------------------------------------------------------------------

scenario "man: a page for opsgate and for each subcommand, rendered without warnings" scenario_man_render
scenario_man_render() {
command -v man >/dev/null && command -v groff >/dev/null || skip "needs man and groff"
local -a names=(opsgate)
local command
for command in $(help_items Subcommands); do names+=("opsgate-${command}"); done
assert_eq "man: one page per subcommand of --help, and no other" \
  "$(printf '%s.1\n' "${names[@]}" | sort)" "$(cd "${PAGES}" 2>/dev/null && ls | sort)"
local name page
for name in "${names[@]}"; do
  page="${PAGES}/${name}.1"
  if [[ ! -s "${page}" ]]; then
    fail_ "man ${name}: the page was generated" "missing: ${page}"
    continue
  fi
  assert_page_clean man NAME "${page}"
done
OUT="$(rendered "${PAGES}/opsgate-check.1")"
assert_contains "man opsgate-check: --format lists its values" "${OUT}" \
  "--format text|json|junit|sarif|codequality|markdown"
assert_contains "man opsgate-check: a default" "${OUT}" "Default: HEAD."
assert_contains "man opsgate-check: the exit status" "${OUT}" "EXIT STATUS"
OUT="$(rendered "${PAGES}/opsgate.1")"
assert_contains "man opsgate: the subcommands' pages" "${OUT}" "opsgate-check(1)"
assert_contains "man opsgate: --version" "${OUT}" "--version"
}

scenario "man: French pages, one per English page, rendered by man -l" scenario_man_french
scenario_man_french() {
command -v man >/dev/null && command -v groff >/dev/null || skip "needs man and groff"
local french="${MANUAL}/man/fr/man1"
assert_eq "man fr: the same pages as in English" \
  "$(cd "${PAGES}" 2>/dev/null && ls | sort)" "$(cd "${french}" 2>/dev/null && ls | sort)"
local page
for page in "${french}"/*.1; do assert_page_clean "man fr" NOM "${page}"; done
OUT="$(rendered "${french}/opsgate-check.1")"
assert_contains "man fr opsgate-check: the description from the catalog, accents rendered" \
  "${OUT}" "Évalue le ou les manifestes de REPO à --rev selon les règles"
assert_contains "man fr opsgate-check: an option's description" "${OUT}" \
  "Base du changement (sa base de fusion avec --rev est utilisée)."
assert_contains "man fr opsgate-check: option names and values as in English" "${OUT}" \
  "--format text|json|junit|sarif|codequality|markdown"
assert_contains "man fr opsgate-check: a default" "${OUT}" "Par défaut : HEAD."
assert_contains "man fr opsgate-check: the exit status" "${OUT}" "CODE DE SORTIE"
assert_contains "man fr opsgate-check: exit 2" "${OUT}" "Évaluation impossible : mauvais usage"
OUT="$(rendered "${french}/opsgate.1")"
assert_contains "man fr opsgate: the synopsis" "${OUT}" "opsgate [OPTIONS] COMMANDE"
assert_contains "man fr opsgate: the subcommands' pages" "${OUT}" "opsgate-check(1)"
assert_contains "man fr opsgate: see also" "${OUT}" "VOIR AUSSI"
local option
for option in $(help_options check); do
  assert_matches "man fr opsgate-check: ${option}" "$(rendered "${french}/opsgate-check.1")" \
    "$(word_regex "${option}")"
done
}

scenario "man: every subcommand and option of --help is in its page" scenario_man_complete
scenario_man_complete() {
command -v man >/dev/null || skip "needs man"
local command page text option positional
local -a words
while read -r command; do
  read -r -a words <<<"${command}"
  page="${PAGES}/opsgate-${words[0]}.1"
  text="$(rendered "${page}")"
  [[ -n "${text}" ]] || { fail_ "man: a page for ${command}" "missing or empty: ${page}"; continue; }
  [[ ${#words[@]} == 1 ]] || assert_contains "man opsgate-${words[0]}: opsgate ${command}" \
    "${text}" "opsgate ${command}"
  for option in $(help_options "${words[@]}"); do
    assert_matches "man opsgate-${words[0]}: ${command} ${option}" "${text}" "$(word_regex "${option}")"
  done
  for positional in $(help_items "${words[@]}" Positionals); do
    assert_contains "man opsgate-${words[0]}: ${command}'s ${positional}" "${text}" \
      "${positional^^}"
  done
done < <(commands)
text="$(rendered "${PAGES}/opsgate.1")"
for command in $(help_items Subcommands); do
  assert_contains "man opsgate: lists ${command}" "${text}" "opsgate-${command}(1)"
done
for option in $(help_options); do
  assert_matches "man opsgate: ${option}" "${text}" "$(word_regex "${option}")"
done
}

# --- bash ------------------------------------------------------------------------------------

# bash_complete WORDS...: COMPREPLY, one a line, when the bash completion is asked for the last
# of WORDS (an empty last word: TAB after a space). The completion script is sourced into a
# fresh bash, as bash-completion does; WORDS[0] is the binary, so pack names and rule ids come
# from it.
bash_complete() {
  bash --norc --noprofile -c '
    source "$1" || exit 3
    shift
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _opsgate || exit 4
    printf "%s\n" "${COMPREPLY[@]}"' bash "${BASH_COMPLETION_FILE}" "$@"
}

# has_all NAME REPLY WORDS...: REPLY (lines) holds each of WORDS as a line.
has_all() {
  local name="$1" reply="$2" word missing=()
  shift 2
  for word in "$@"; do grep -qxF -- "${word}" <<<"${reply}" || missing+=("${word}"); done
  if ((${#missing[@]} == 0)); then pass_ "${name}"; else
    fail_ "${name}" "missing: ${missing[*]}" "offered: $(tr '\n' ' ' <<<"${reply}")"; fi
}

scenario "bash: complete -p names the function, which offers subcommands and options" scenario_bash_commands
scenario_bash_commands() {
[[ -s "${BASH_COMPLETION_FILE}" ]] || { fail_ "bash: the completion was generated" "missing: ${BASH_COMPLETION_FILE}"; return; }
OUT="$(bash --norc --noprofile -c 'source "$1" && complete -p opsgate' bash "${BASH_COMPLETION_FILE}" 2>&1)"
assert_eq "bash: complete -p opsgate" "complete -F _opsgate opsgate" "${OUT}"
local command
local -a words
has_all "bash: opsgate TAB offers every subcommand of --help" \
  "$(bash_complete "${OPSGATE}" "")" $(help_items Subcommands)
while read -r command; do
  read -r -a words <<<"${command}"
  has_all "bash: opsgate ${command} -TAB offers every option of its --help" \
    "$(bash_complete "${OPSGATE}" "${words[@]}" -)" $(help_options "${words[@]}")
  local subcommands
  subcommands="$(help_items "${words[@]}" Subcommands)"
  [[ -z "${subcommands}" ]] || has_all "bash: opsgate ${command} TAB offers its subcommands" \
    "$(bash_complete "${OPSGATE}" "${words[@]}" "")" ${subcommands}
done < <(commands)
has_all "bash: a prefix: opsgate ch" "$(bash_complete "${OPSGATE}" ch)" check
assert_eq "bash: only what the prefix matches" "check" "$(bash_complete "${OPSGATE}" ch)"
has_all "bash: after an option's value, still the subcommand's options" \
  "$(bash_complete "${OPSGATE}" check --env production --f)" --format --fail-on
}

scenario "bash: option values: formats, severities, providers, pack names, rule ids" scenario_bash_values
scenario_bash_values() {
local formats
formats="$(bash_complete "${OPSGATE}" check --format "")"
has_all "bash: check --format TAB" "${formats}" text json junit sarif codequality markdown
# The values offered are those check accepts: its own message for a wrong one lists them.
run_in "${E2E_TMP}" check --format nope
assert_eq "bash: --format offers exactly the formats check accepts" \
  "$(sed -E "s/.*unknown format 'nope' \((.*)\).*/\1/" <<<"${ERR}" | head -n 1)" \
  "$(paste -sd, <<<"${formats}" | sed 's/,/, /g')"
has_all "bash: check --format=j (COMP_WORDBREAKS splits at =)" \
  "$(bash_complete "${OPSGATE}" check --format = j)" json junit
assert_eq "bash: --format=j offers only those" "json junit" \
  "$(bash_complete "${OPSGATE}" check --format = j | tr '\n' ' ' | sed 's/ $//')"
has_all "bash: hook pre-receive --format TAB" \
  "$(bash_complete "${OPSGATE}" hook pre-receive --format "")" sarif junit
assert_eq "bash: window --format TAB: text and json only" "json text" \
  "$(bash_complete "${OPSGATE}" window --format "" | sort | tr '\n' ' ' | sed 's/ $//')"
has_all "bash: check --fail-on TAB" "$(bash_complete "${OPSGATE}" check --fail-on "")" error warning
has_all "bash: check --post-status=TAB" "$(bash_complete "${OPSGATE}" check --post-status = "")" \
  auto gitlab github gitea bitbucket
has_all "bash: hook install --on-error TAB" \
  "$(bash_complete "${OPSGATE}" hook install --on-error "")" block allow

# Pack names come from the binary at completion time: a pack installed on OPSGATE_RULES_PATH
# shows up without regenerating anything.
mkdir -p "${E2E_TMP}/packs/acme-2026" "${E2E_TMP}/packs/.cache"
export OPSGATE_RULES_PATH="${E2E_TMP}/packs"
run_in "${E2E_TMP}" rules packs
assert_exit "rules packs: exit 0" 0
assert_matches "rules packs: a pack on OPSGATE_RULES_PATH, with its directory" "${OUT}" \
  "(^|"$'\n'")acme-2026 +${E2E_TMP}/packs/acme-2026("$'\n'"|$)"
assert_contains "rules packs: the baseline pack" "${OUT}" "baseline"
assert_not_contains "rules packs: a directory --rules would read as a path is no pack name" \
  "${OUT}" ".cache"
local packs
packs="$(bash_complete "${OPSGATE}" check --rules "")"
has_all "bash: check --rules TAB offers the installed packs" "${packs}" acme-2026 baseline
has_all "bash: check --rules TAB offers paths too" "${packs}" packs
assert_eq "bash: check --rules ac" "acme-2026" "$(bash_complete "${OPSGATE}" check --rules ac)"
unset OPSGATE_RULES_PATH
has_all "bash: explain TAB offers the loaded rules' ids" \
  "$(bash_complete "${OPSGATE}" explain BKP-00)" BKP-001 BKP-002
mkdir -p "${E2E_TMP}/repo-dir"
has_all "bash: check TAB offers directories for REPO" \
  "$(bash_complete "${OPSGATE}" check --rev HEAD repo-)" repo-dir
}

# --- zsh and fish ----------------------------------------------------------------------------

# zsh_complete LINE: the matches zsh offers for TAB at the end of LINE (manual/zsh_complete.zsh).
zsh_complete() {
  (cd "${E2E_TMP}" && PATH="$(dirname "${OPSGATE}"):${PATH}" timeout 60 zsh -f \
    "${OPSGATE_SOURCE_DIR}/tests/e2e/manual/zsh_complete.zsh" "${ZSH_COMPLETION_DIR}" "$1" |
    sed 's/ -- .*//')
}

scenario "zsh: subcommands, options and values through compinit" scenario_zsh
scenario_zsh() {
command -v zsh >/dev/null || skip "needs zsh"
[[ -s "${ZSH_COMPLETION_DIR}/_opsgate" ]] || { fail_ "zsh: the completion was generated" "missing: ${ZSH_COMPLETION_DIR}/_opsgate"; return; }
OUT="$(zsh -n "${ZSH_COMPLETION_DIR}/_opsgate" 2>&1)"
assert_eq "zsh: the file parses" "" "${OUT}"
[[ "$(dirname "${OPSGATE}")/opsgate" -ef "${OPSGATE}" ]] || skip "the binary is not named opsgate"
has_all "zsh: opsgate TAB" "$(zsh_complete "opsgate ")" $(help_items Subcommands)
has_all "zsh: opsgate check --TAB" "$(zsh_complete "opsgate check --")" $(help_options check | grep -- '^--')
has_all "zsh: opsgate rules TAB" "$(zsh_complete "opsgate rules ")" $(help_items rules Subcommands)
has_all "zsh: check --format TAB" "$(zsh_complete "opsgate check --format ")" \
  text json junit sarif codequality markdown
has_all "zsh: check --post-status=TAB" "$(zsh_complete "opsgate check --post-status=")" gitlab github
has_all "zsh: check --rules TAB: installed packs" "$(zsh_complete "opsgate check --rules ")" baseline
has_all "zsh: explain TAB: rule ids" "$(zsh_complete "opsgate explain BKP-00")" BKP-001 BKP-002
}

# fish_complete LINE: what fish offers for LINE (complete -C), descriptions cut off.
fish_complete() {
  PATH="$(dirname "${OPSGATE}"):${PATH}" fish --no-config -c \
    'source $argv[1]; complete -C $argv[2]' "${FISH_COMPLETION_FILE}" "$1" | cut -f1
}

scenario "fish: subcommands, options and values through complete -C" scenario_fish
scenario_fish() {
command -v fish >/dev/null || skip "needs fish"
[[ -s "${FISH_COMPLETION_FILE}" ]] || { fail_ "fish: the completion was generated" "missing: ${FISH_COMPLETION_FILE}"; return; }
OUT="$(fish --no-execute "${FISH_COMPLETION_FILE}" 2>&1)"
assert_eq "fish: the file parses" "" "${OUT}"
[[ "$(dirname "${OPSGATE}")/opsgate" -ef "${OPSGATE}" ]] || skip "the binary is not named opsgate"
has_all "fish: opsgate TAB" "$(fish_complete "opsgate ")" $(help_items Subcommands)
has_all "fish: opsgate check --TAB" "$(fish_complete "opsgate check --")" $(help_options check | grep -- '^--')
has_all "fish: opsgate hook TAB" "$(fish_complete "opsgate hook ")" $(help_items hook Subcommands)
has_all "fish: check --format TAB" "$(fish_complete "opsgate check --format ")" \
  text json junit sarif codequality markdown
has_all "fish: check --rules TAB: installed packs" "$(fish_complete "opsgate check --rules ")" baseline
has_all "fish: explain TAB: rule ids" "$(fish_complete "opsgate explain BKP-00")" BKP-001 BKP-002
assert_not_contains "fish: an option's value is no subcommand (--env rules)" \
  "$(fish_complete "opsgate check --env rules ")" "packs"
}

# --- cmake --install -------------------------------------------------------------------------

scenario "install: pages and completions where man, bash-completion, zsh and fish look" scenario_install
scenario_install() {
command -v cmake >/dev/null || skip "needs cmake"
local prefix="${E2E_TMP}/prefix"
if ! cmake --install "${OPSGATE_BUILD_DIR}" --prefix "${prefix}" >"${E2E_TMP}/install.log" 2>&1; then
  fail_ "install: cmake --install" "$(tail -n 20 "${E2E_TMP}/install.log")"
  return
fi
local file
for file in bin/opsgate share/man/man1/opsgate.1 share/man/man1/opsgate-check.1 \
  share/bash-completion/completions/opsgate share/zsh/site-functions/_opsgate \
  share/fish/vendor_completions.d/opsgate.fish; do
  assert_eq "install: ${file}" yes "$([[ -s "${prefix}/${file}" ]] && echo yes)"
done
assert_eq "install: share/man/fr/man1/opsgate-check.1, the French page" yes \
  "$([[ -s "${prefix}/share/man/fr/man1/opsgate-check.1" ]] && echo yes)"
if command -v man >/dev/null; then
  OUT="$(MANPATH="${prefix}/share/man" MANWIDTH=80 man opsgate-check 2>&1)"
  assert_contains "install: man opsgate-check finds the installed page" "${OUT}" "OPSGATE-CHECK(1)"
  OUT="$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "${prefix}/share/man/fr/man1/opsgate-check.1" 2>&1)"
  assert_contains "install: the installed French page renders" "${OUT}" "CODE DE SORTIE"
fi
# bash-completion loads a command's completion on first use, from
# $XDG_DATA_DIRS/bash-completion/completions (by default /usr/local/share and /usr/share).
local loader=/usr/share/bash-completion/bash_completion
if [[ -f "${loader}" ]]; then
  OUT="$(XDG_DATA_DIRS="${prefix}/share" bash --norc --noprofile -c \
    'source "$1" && _completion_loader opsgate; complete -p opsgate' bash "${loader}" 2>&1)"
  assert_eq "install: bash-completion's loader finds it" "complete -F _opsgate opsgate" "${OUT}"
fi
}

run_scenarios "$@"
