#!/usr/bin/env bash
# End-to-end: what a gate run pays before it reads anything. libcurl stays unloaded unless a
# commit status is posted (gate/status/curl_api.hpp); libgit2's CA bundle parse is skipped
# (gate/cli/tls_deferral.hpp); --timings says where the time went.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AT="2026-11-26T22:00:00+01:00"  # a Thursday night: the release window is open
CHECK=(check --rules "${BASELINE}" --at "${AT}")
# setup: REPO, billing-api committed.
setup() {
REPO="$(new_repo app)"
cp -r "${OPSGATE_SOURCE_DIR}/examples/billing-api/." "${REPO}/"
commit_all "${REPO}" "2026-11-20T10:00:00+01:00" "billing-api"
}

# --- libcurl: not linked, loaded on demand ----------------------------------------------------

scenario "libcurl is not linked, and loaded only when needed" scenario_libcurl_is_not_linked_and_loaded
scenario_libcurl_is_not_linked_and_loaded() {
NEEDED="$(readelf -d "${OPSGATE}" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
assert_contains "the binary links libgit2" "${NEEDED}" "libgit2.so"
assert_not_contains "the binary does not link libcurl (loaded for --post-status only)" \
  "${NEEDED}" "libcurl"

LOADED="$(cd "${REPO}" && LD_DEBUG=files "${OPSGATE}" "${CHECK[@]}" --quiet 2>&1 >/dev/null)"
assert_contains "check: libgit2 is loaded" "${LOADED}" "file=libgit2.so"
assert_not_contains "check without --post-status: libcurl is never loaded" "${LOADED}" \
  "file=libcurl"

LOADED="$(LD_DEBUG=files "${OPSGATE}" version 2>&1 >/dev/null)"
assert_contains "version: loads libcurl to report its version" "${LOADED}" "file=libcurl.so.4"
run_in "${REPO}" version
assert_matches "version: names libcurl's version" "${OUT}" 'libcurl [0-9]+\.[0-9]+'
}

# A libcurl that cannot be loaded: a clear message, the verdict unchanged; exit 2 only when the
# status is required.
scenario "an unloadable libcurl leaves the verdict" scenario_an_unloadable_libcurl_leaves_the_verdict
scenario_an_unloadable_libcurl_leaves_the_verdict() {
mkdir -p "${E2E_TMP}/badlib"
echo "not a library" >"${E2E_TMP}/badlib/libcurl.so.4"
run_env() { (cd "${REPO}" && env "$@" </dev/null >"${E2E_TMP}/.stdout" 2>"${E2E_TMP}/.stderr"); RC=$?
  OUT="$(cat "${E2E_TMP}/.stdout")"; ERR="$(cat "${E2E_TMP}/.stderr")"; }
run_env LD_LIBRARY_PATH="${E2E_TMP}/badlib" OPSGATE_GITLAB_TOKEN=secret-token "${OPSGATE}" \
  "${CHECK[@]}" --post-status=gitlab --api-url http://127.0.0.1:9/api/v4 --project g/app
assert_exit "unloadable libcurl: the verdict stands (exit 0)" 0
assert_contains "unloadable libcurl: the warning names the library" "${ERR}" "libcurl.so.4"
assert_contains "unloadable libcurl: says what to install" "${ERR}" "apt-get install libcurl4"
assert_not_contains "unloadable libcurl: no token in the output" "${OUT}${ERR}" "secret-token"
run_env LD_LIBRARY_PATH="${E2E_TMP}/badlib" OPSGATE_GITLAB_TOKEN=secret-token "${OPSGATE}" \
  "${CHECK[@]}" --post-status=gitlab --require-status --api-url http://127.0.0.1:9/api/v4 \
  --project g/app
assert_exit "unloadable libcurl with --require-status: exit 2" 2
}

# --- libgit2's CA bundle ----------------------------------------------------------------------

scenario "libgit2's CA bundle parse is deferred" scenario_libgit2_s_ca_bundle_parse_is
scenario_libgit2_s_ca_bundle_parse_is() {
BINDINGS="$(cd "${REPO}" && LD_DEBUG=bindings "${OPSGATE}" "${CHECK[@]}" --quiet 2>&1 >/dev/null)"
assert_matches "libgit2's CA bundle parse goes to opsgate's deferral, not mbedTLS" \
  "${BINDINGS}" "libgit2\.so[^ ]* \[0\] to [^ ]*opsgate \[0\]: normal symbol \`mbedtls_x509_crt_parse_file'"

run_in "${REPO}" "${CHECK[@]}" --format json
DEFERRED_OUT="${OUT}"
assert_exit "CA bundle deferred: the check passes" 0
OUT="$(cd "${REPO}" && OPSGATE_LIBGIT2_CA_BUNDLE=load "${OPSGATE}" "${CHECK[@]}" --format json)"
RC=$?
assert_exit "OPSGATE_LIBGIT2_CA_BUNDLE=load: the check passes" 0
assert_eq "the same JSON report with and without the CA bundle" "${DEFERRED_OUT}" "${OUT}"
}

# --- --timings --------------------------------------------------------------------------------

scenario "the --timings phases" scenario_timings
scenario_timings() {
run_in "${REPO}" "${CHECK[@]}" --format json --timings
assert_exit "--timings: exit 0" 0
assert_matches "--timings: phases on stderr" "${ERR}" \
  '^timings: libgit2-init [0-9.]+ ms, options [0-9.]+ ms, open-repository [0-9.]+ ms, load-rules [0-9.]+ ms, evaluate [0-9.]+ ms, report [0-9.]+ ms \| in process [0-9.]+ ms, after libgit2 init [0-9.]+ ms \| peak RSS [0-9]+ kB \(now: anonymous [0-9]+ kB, files [0-9]+ kB\)$'
assert_json "--timings: stdout is still the JSON report" "d['outcome'] == 'pass'"
}

run_scenarios "$@"
