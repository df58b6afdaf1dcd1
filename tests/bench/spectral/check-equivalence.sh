#!/bin/sh
# Run compare.py on every manifest that should agree, and on the known gaps that must not.
#
#   tests/bench/spectral/check-equivalence.sh SPECTRAL OPSGATE [REPO]
#
# REPO defaults to the repository holding this script. Examples and the baseline pack's cases
# are read from git at HEAD (as `opsgate check` does); the edge cases in cases/ from the work
# tree (--worktree). Exit 0 when every comparison gives the expected answer, 1 otherwise.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 2 ]; then
  echo "usage: $0 SPECTRAL OPSGATE [REPO]" >&2
  exit 2
fi
spectral=$1 opsgate=$2
repo=${3:-$(git -C "$here" rev-parse --show-toplevel)}
bench=${here#"$repo"/}
status=0

agree() {  # agree MANIFEST [compare.py options]
  "$here/compare.py" "$spectral" "$opsgate" "$repo" "$@" || status=1
}

for manifest in examples/billing-api/operability.toml examples/legacy-batch/operability.toml \
  $(cd "$repo" && git ls-files 'examples/monorepo/*operability.toml' \
    'rules/baseline/tests/*/operability.toml'); do
  agree "$manifest"
done
for manifest in "$here"/cases/*.toml; do
  agree "$bench/cases/${manifest##*/}" --worktree
done
# Known gaps of the JSON form: they must still disagree (if one agrees, update the README).
for manifest in "$here"/cases/known-gaps/*.toml; do
  "$here/compare.py" "$spectral" "$opsgate" "$repo" "$bench/cases/known-gaps/${manifest##*/}" \
    --worktree >/dev/null
  case $? in
    1) echo "known gap ${manifest##*/}: disagrees, as documented" ;;
    0) echo "known gap ${manifest##*/}: now AGREES (update README.md)"; status=1 ;;
    *) echo "known gap ${manifest##*/}: compare.py failed"; status=1 ;;
  esac
done
[ $status -eq 0 ] && echo "equivalence: OK" || echo "equivalence: FAILED"
exit $status
