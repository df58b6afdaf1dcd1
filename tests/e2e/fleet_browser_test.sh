#!/usr/bin/env bash
# The fleet HTML page in a real browser: headless Chromium (Debian's chromium) driven by
# playwright-core (npm, in the npm-tools cache .ci/bootstrap --test-tools fills). The page of a
# real run (with a trend, failing services and a manifest in error) loads from file:// with no
# console error and no request, shows the figures of the JSON report of the same run, sorts and
# opens its drill-downs, reads without JavaScript; the screenshot is kept at
# $OPSGATE_BUILD_DIR/artifacts/fleet.png (CI artifact).
#
# Label e2e-fleet_browser: `ctest -LE e2e-fleet_browser` leaves it out. Without chromium or
# playwright-core it skips with a note, except under CI=true where it fails.

# Found before lib.sh replaces HOME.
PLAYWRIGHT_DIR="${OPSGATE_TOOLS_CACHE:-${XDG_CACHE_HOME:-${HOME}/.cache}/opsgate-ci}/npm-tools/node_modules/playwright-core"

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=fleet_fixtures.sh
source "$(dirname "${BASH_SOURCE[0]}")/fleet_fixtures.sh"

AT="2026-11-26T10:00:00+01:00"

scenario "the HTML page in headless Chromium matches the JSON of the same run" scenario_browser
scenario_browser() {
  local chromium
  chromium="$(command -v chromium 2>/dev/null || true)"
  if [[ -z "${chromium}" || ! -f "${PLAYWRIGHT_DIR}/package.json" ]] || ! command -v node >/dev/null; then
    [[ "${CI:-}" == "true" ]] && { fail_ "chromium and playwright-core are installed" "run .ci/bootstrap --test-tools"; finish; }
    skip "chromium, node or playwright-core missing (.ci/bootstrap --test-tools installs them)"
  fi
  make_fleet
  local old
  old="${FLEET}/payments"
  sed -i 's/^retention_days = .*/retention_days = 35/' "${old}/ledger/operability.toml"
  commit_all "${old}" 2026-11-20T10:00:00+01:00 "ledger fixed"
  run_in "${E2E_TMP}" fleet --at "${AT}" --rules "${BASELINE}" --trend 3w \
    --report "json=${E2E_TMP}/fleet.json" --report "html=${E2E_TMP}/fleet.html" --format text fleet
  assert_exit "the run: exit 0" 0
  local artifacts="${OPSGATE_BUILD_DIR:-${E2E_TMP}}/artifacts"
  mkdir -p "${artifacts}"
  node "${OPSGATE_SOURCE_DIR}/tests/e2e/browser/fleet_page.mjs" "${PLAYWRIGHT_DIR}" "${chromium}" \
    "${E2E_TMP}/fleet.html" "${E2E_TMP}/fleet.json" "${artifacts}/fleet.png" >"${E2E_TMP}/browser.log" 2>&1
  RC=$?
  OUT="$(cat "${E2E_TMP}/browser.log")"
  ERR=""
  local line
  while IFS= read -r line; do
    case "${line}" in
      "ok "*) pass_ "browser: ${line#ok }" ;;
      "FAIL "*) fail_ "browser: ${line#FAIL }" ;;
    esac
  done <<<"${OUT}"
  assert_exit "the browser script ran to its end" 0
  if [[ -s "${artifacts}/fleet.png" ]]; then pass_ "the screenshot is kept"; else fail_ "the screenshot is kept" "${artifacts}/fleet.png"; fi
}

run_scenarios "$@"
