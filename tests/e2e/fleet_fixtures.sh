# Fixtures of the fleet suites (fleet_test.sh, fleet_browser_test.sh): generated repositories
# whose services the baseline judges. Sourced after lib.sh.

# add_service REPO DIR NAME OWNER RETENTION [REVIEWED]: a service directory: the billing-api
# example (level 5 under the baseline from early November 2026 on) with its name, owner and
# backup retention (below 7: BKP-002 fails), and REVIEWED as every evidence date when given.
add_service() {
  local repo="$1" dir="$2" name="$3" owner="$4" retention="$5" reviewed="${6:-}"
  local base="${repo}${dir:+/${dir}}"
  mkdir -p "${base}"
  cp -r "${OPSGATE_SOURCE_DIR}/examples/billing-api/." "${base}/"
  rm -f "${base}/README.md"
  sed -i -e "s/^name = .*/name = \"${name}\"/" -e "s/^owner = .*/owner = \"${owner}\"/" \
    -e "s/^retention_days = .*/retention_days = ${retention}/" "${base}/operability.toml"
  if [[ -n "${reviewed}" ]]; then
    sed -i -E "s/^(last_restore_test|last_review|last_tested) = [0-9-]+/\1 = ${reviewed}/" \
      "${base}/operability.toml"
  fi
}

# make_fleet: $FLEET holds three repositories: payments (two services, one with too short a
# retention), web (one service) and legacy (a manifest that is not valid TOML, and a good one),
# plus a directory that is not a repository.
make_fleet() {
  FLEET="${E2E_TMP}/fleet"
  mkdir -p "${FLEET}/not-a-repo"
  local repo
  repo="$(new_repo fleet/payments)"
  add_service "${repo}" billing billing team-payments 35
  add_service "${repo}" ledger ledger team-payments 3
  commit_all "${repo}" 2026-11-10T10:00:00+01:00 "payments"
  repo="$(new_repo fleet/web)"
  add_service "${repo}" "" shop team-web 14
  commit_all "${repo}" 2026-11-10T10:00:00+01:00 "web"
  repo="$(new_repo fleet/legacy)"
  add_service "${repo}" good good team-web 14
  write_file "${repo}/broken/operability.toml" <<<'schema = 1
[service
name = "broken"'
  commit_all "${repo}" 2026-11-10T10:00:00+01:00 "legacy"
}

