#!/usr/bin/env bash
# Signed approvals and provenance (issue 19): waivers that count only when an approver signed
# them (real SSH keys, commits signed by git), emergencies proven the same way, the commit that
# last changed a failing key and the evidence of freshness findings, through the real binary
# and a real `git push` into a pre-receive hook.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AT=2026-11-26T10:00:00+01:00

# keys: an approver's SSH key (lead@ops.example.org) and a stranger's, in $KEYS.
keys() {
KEYS="${E2E_TMP}/keys"
mkdir -p "${KEYS}"
ssh-keygen -q -t ed25519 -N '' -C lead -f "${KEYS}/lead"
ssh-keygen -q -t ed25519 -N '' -C stranger -f "${KEYS}/stranger"
}

# signed_pack DIR: a pack with waiver_proof = "signed" trusting the lead's key.
signed_pack() {
local dir="$1"
write_file "${dir}/signed.toml" <<'EOF'
[pack]
name = "signed"
waiver_proof = "signed"
allowed_signers = "allowed_signers"
waiver_approvers = ["*@ops.example.org"]

[[rule]]
id = "BKP-002"
area = "backup"
title = "Backups are kept a week"
severity = "error"
level = 1
help = "Set backup.retention_days to 7 or more."
check = [ { key = "backup.retention_days", min = 7 } ]
EOF
printf 'lead@ops.example.org %s\n' "$(cat "${KEYS}/lead.pub")" >"${dir}/allowed_signers"
}

# service REPO RETENTION [WAIVER]: writes the manifest; WAIVER=1 adds a waiver of BKP-002.
service() {
write_file "$1/operability.toml" <<EOF
schema = 1
[service]
name = "billing"
owner = "team"
[backup]
retention_days = $2
EOF
if [[ "${3:-}" == 1 ]]; then
  cat >>"$1/operability.toml" <<'EOF'

[[waiver]]
rule = "BKP-002"
reason = "restore test booked"
expires = 2026-12-15
approved_by = "lead@ops.example.org"
EOF
fi
}

# signed_commit REPO KEY NAME EMAIL DATE MESSAGE: commits everything, signed with KEY.
signed_commit() {
git -C "$1" add -A
GIT_AUTHOR_DATE="$5" GIT_COMMITTER_DATE="$5" GIT_AUTHOR_NAME="$3" GIT_AUTHOR_EMAIL="$4" \
  GIT_COMMITTER_NAME="$3" GIT_COMMITTER_EMAIL="$4" git -C "$1" -c gpg.format=ssh \
  -c user.signingkey="$2" commit -q -S -m "$6"
}

# as_dev REPO DATE MESSAGE: an unsigned commit by the service team.
as_dev() {
git -C "$1" add -A
GIT_AUTHOR_DATE="$2" GIT_COMMITTER_DATE="$2" GIT_AUTHOR_NAME=Dev GIT_AUTHOR_EMAIL=dev@example.org \
  GIT_COMMITTER_NAME=Dev GIT_COMMITTER_EMAIL=dev@example.org \
  git -C "$1" -c commit.gpgsign=false commit -q -m "$3"
}

scenario "signed waiver: an approver's signature counts, an unsigned edit does not" scenario_signed
scenario_signed() {
keys
signed_pack "${E2E_TMP}/pack"
repo="$(new_repo svc)"
service "${repo}" 35
as_dev "${repo}" 2026-11-01T10:00:00+01:00 "start"
service "${repo}" 3 1
signed_commit "${repo}" "${KEYS}/lead" Lead lead@ops.example.org 2026-11-20T10:00:00+01:00 waiver
run_in "${repo}" check --rules "${E2E_TMP}/pack" --at "${AT}" --format json
assert_exit "a waiver signed by the approver counts" 0
assert_json "waived, with its proof" \
  "st('BKP-002') == 'waived' and 'signed by lead@ops.example.org (ssh key' in f('BKP-002')['waiver']['proof']"
assert_json "without --base, separation of duties is said to be unchecked" \
  "'separation of duties not checked (no --base)' in f('BKP-002')['waiver']['proof']"

sed -i 's/2026-12-15/2026-12-20/' "${repo}/operability.toml"
as_dev "${repo}" 2026-11-21T10:00:00+01:00 "extend the waiver"
run_in "${repo}" check --rules "${E2E_TMP}/pack" --at "${AT}" --format json
assert_exit "a waiver edited after signing by an unsigned commit fails the gate" 1
assert_json "refused with code unsigned" \
  "f('BKP-002')['waiver']['code'] == 'unsigned' and f('BKP-002')['waiver']['refusal'].startswith('unsigned: ')"
run_in "${repo}" check --rules "${E2E_TMP}/pack" --at "${AT}" --no-color
assert_contains "the text report gives the code and the commit" "${OUT}" "waiver refused: unsigned: "
assert_contains "the failing key cites who last changed it" "${OUT}" "last changed by Lead in "
}

scenario "signed waiver: a stranger's key, and a missing ssh-keygen is exit 2" scenario_stranger
scenario_stranger() {
keys
signed_pack "${E2E_TMP}/pack"
repo="$(new_repo svc)"
service "${repo}" 3 1
signed_commit "${repo}" "${KEYS}/stranger" Lead lead@ops.example.org 2026-11-20T10:00:00+01:00 waiver
run_in "${repo}" check --rules "${E2E_TMP}/pack" --at "${AT}" --format json
assert_exit "a waiver signed by an unlisted key fails the gate" 1
assert_json "refused with code unknown-key" "f('BKP-002')['waiver']['code'] == 'unknown-key'"

mkdir -p "${E2E_TMP}/nobin"
ln -s "$(command -v git)" "${E2E_TMP}/nobin/git"
local out_file="${E2E_TMP}/.o" err_file="${E2E_TMP}/.e"
(cd "${repo}" && PATH="${E2E_TMP}/nobin" "${OPSGATE}" check --rules "${E2E_TMP}/pack" --at "${AT}" \
  </dev/null >"${out_file}" 2>"${err_file}")
RC=$?
assert_exit "the policy needs ssh-keygen and it is missing: exit 2" 2
assert_contains "the message names the program" "$(cat "${err_file}")" "ssh-keygen is not installed"
}

scenario "signed waiver: trust roots from origin/main, not from the change" scenario_trusted_roots
scenario_trusted_roots() {
keys
repo="$(new_repo svc)"
signed_pack "${repo}/.opsgate/rules"
service "${repo}" 35
as_dev "${repo}" 2026-11-01T10:00:00+01:00 "start"
git -C "${repo}" branch trusted
printf 'lead@ops.example.org %s\n' "$(cat "${KEYS}/stranger.pub")" >>"${repo}/.opsgate/rules/allowed_signers"
service "${repo}" 3 1
signed_commit "${repo}" "${KEYS}/stranger" Dev dev@example.org 2026-11-20T10:00:00+01:00 "waiver"
run_in "${repo}" check --rules trusted:.opsgate/rules --base trusted --at "${AT}" --format json
assert_exit "the change's own allowed_signers is not read" 1
assert_json "refused: unknown-key against the trusted revision's allowed_signers" \
  "f('BKP-002')['waiver']['code'] == 'unknown-key' and 'trusted:.opsgate/rules/allowed_signers' in f('BKP-002')['waiver']['refusal']"
assert_json "the edit of the trust roots is a rule change" "rst('GATE-RULES-CHANGED') == 'fail'"
}

scenario "signed waiver: a real push through the pre-receive hook" scenario_push
scenario_push() {
keys
signed_pack "${E2E_TMP}/pack"
SERVER="${E2E_TMP}/server.git"
git init -q --bare -b main "${SERVER}"
{
  printf '#!/bin/sh\nexec %q hook pre-receive --rules %q --at %q --no-color\n' \
    "${OPSGATE}" "${E2E_TMP}/pack" "${AT}"
} >"${SERVER}/hooks/pre-receive"
chmod +x "${SERVER}/hooks/pre-receive"
CLIENT="${E2E_TMP}/client"
git clone -q "${SERVER}" "${CLIENT}" 2>/dev/null
git -C "${CLIENT}" checkout -q -b main
service "${CLIENT}" 35
as_dev "${CLIENT}" 2026-11-01T10:00:00+01:00 "start"
(cd "${CLIENT}" && git push -q origin main >/dev/null 2>&1)
# The ops lead signs the waiver; the service team's later commit does not touch it.
service "${CLIENT}" 3 1
signed_commit "${CLIENT}" "${KEYS}/lead" Lead lead@ops.example.org 2026-11-20T10:00:00+01:00 waiver
echo "notes" >"${CLIENT}/README.md"
as_dev "${CLIENT}" 2026-11-21T10:00:00+01:00 "docs"
(cd "${CLIENT}" && git push origin main >"${E2E_TMP}/.stdout" 2>"${E2E_TMP}/.stderr")
RC=$?
ERR="$(cat "${E2E_TMP}/.stderr")"
assert_exit "pre-receive: the signed waiver is accepted inside git's quarantine" 0
assert_contains "pre-receive: the proof checked separation of duties" "${ERR}" \
  "the signer authored no other commit of the change"

# An unsigned extension of the waiver is refused by the server.
sed -i 's/2026-12-15/2026-12-20/' "${CLIENT}/operability.toml"
as_dev "${CLIENT}" 2026-11-22T10:00:00+01:00 "extend the waiver"
(cd "${CLIENT}" && git push origin main >"${E2E_TMP}/.stdout" 2>"${E2E_TMP}/.stderr")
RC=$?
ERR="$(cat "${E2E_TMP}/.stderr")"
assert_exit "pre-receive: an unsigned edit of the waiver is refused" 1
assert_contains "pre-receive: the refusal code reaches the pusher" "${ERR}" "waiver refused: unsigned: "
}

scenario "provenance and evidence: who set the key, when the runbook last changed" scenario_provenance
scenario_provenance() {
repo="$(new_repo svc)"
write_file "${repo}/rules.toml" <<'EOF'
[[rule]]
id = "BKP-002"
area = "backup"
title = "Backups are kept a week"
severity = "error"
level = 1
check = [ { key = "backup.retention_days", min = 7 } ]

[[rule]]
id = "RUN-006"
area = "runbook"
title = "Runbook changed in the last 30 days"
severity = "error"
level = 1
check = [ { key = "runbook.path", changed_within_days = 30 } ]
EOF
write_file "${repo}/docs/runbook.md" <<<"# Runbook"
service "${repo}" 35
echo '[runbook]' >>"${repo}/operability.toml"
echo 'path = "docs/runbook.md"' >>"${repo}/operability.toml"
git -C "${repo}" add -A
GIT_AUTHOR_DATE=2023-03-14T10:00:00+01:00 GIT_COMMITTER_DATE=2023-03-14T10:00:00+01:00 \
  GIT_AUTHOR_NAME=Ana GIT_AUTHOR_EMAIL=ana@example.org git -C "${repo}" commit -q -m start
sed -i 's/retention_days = 35/retention_days = 3/' "${repo}/operability.toml"
GIT_AUTHOR_DATE=2026-10-01T10:00:00+02:00 GIT_COMMITTER_DATE=2026-10-01T10:00:00+02:00 \
  GIT_AUTHOR_NAME=Bob GIT_AUTHOR_EMAIL=bob@example.org git -C "${repo}" commit -qam "fewer backups"
run_in "${repo}" check --rules rules.toml --at "${AT}" --format json
assert_exit "both rules fail" 1
assert_json "the failed key cites the commit that set it" \
  "f('BKP-002')['provenance']['author'] == 'Bob <bob@example.org>' and f('BKP-002')['provenance']['date'] == '2026-10-01T08:00:00Z'"
assert_json "the freshness finding cites its evidence" \
  "f('RUN-006')['evidence'][0]['path'] == 'docs/runbook.md' and f('RUN-006')['evidence'][0]['author'] == 'Ana <ana@example.org>'"
assert_json "and says so in its message" \
  "f('RUN-006')['message'].startswith('docs/runbook.md last changed 2023-03-14 by Ana in ') and '(1,353 days before 2026-11-26)' in f('RUN-006')['message']"
run_in "${repo}" check --rules rules.toml --at "${AT}" --format markdown
assert_contains "the Markdown report cites it too" "${OUT}" "last changed by Bob in "
}

run_scenarios "$@"
