#!/bin/sh
# Run compare.py on every manifest that should agree, and on the known gaps that must not.
#
#   tests/bench/spectral/check-equivalence.sh SPECTRAL OPSGATE [REPO]
#
# REPO defaults to the repository holding this script. Examples and the baseline pack's cases
# are read from git at HEAD (as `opsgate check` does); the edge cases in cases/ from the work
# tree (--from-worktree), as are the known gaps in cases/known-gaps/ (--known-gap: the two tools
# must disagree there). One compare.py call: Spectral runs once over all the manifests (Node's
# start-up is ~1 s), opsgate once per manifest. Exit 0 when every comparison gives the expected
# answer, 1 otherwise.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 2 ]; then
  echo "usage: $0 SPECTRAL OPSGATE [REPO]" >&2
  exit 2
fi
spectral=$1 opsgate=$2
repo=${3:-$(git -C "$here" rev-parse --show-toplevel)}
bench=${here#"$repo"/}

# The arguments of compare.py, built in "$@" (paths hold no spaces; globs expand in order).
set -- examples/billing-api/operability.toml examples/legacy-batch/operability.toml
manifests=$(cd "$repo" && git ls-files 'examples/monorepo/*operability.toml' \
  'rules/baseline/tests/*/operability.toml') || { echo "equivalence: FAILED (git)"; exit 1; }
for manifest in $manifests; do
  set -- "$@" "$manifest"
done
for manifest in "$here"/cases/*.toml; do
  set -- "$@" --from-worktree "$bench/cases/${manifest##*/}"
done
# Known gaps of the JSON form: they must still disagree (if one agrees, update the README).
for manifest in "$here"/cases/known-gaps/*.toml; do
  set -- "$@" --known-gap "$bench/cases/known-gaps/${manifest##*/}"
done

"$here/compare.py" "$spectral" "$opsgate" "$repo" "$@"
status=$?
[ $status -eq 0 ] && echo "equivalence: OK" || echo "equivalence: FAILED"
[ $status -eq 0 ] && exit 0 || exit 1
