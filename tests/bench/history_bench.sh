#!/usr/bin/env bash
# Benchmark: changed_within_days cost on 10,000 vs 100,000 commits at the same commit rate
# (one an hour), against `git log -1 --format=%ct -- PATH` on the same repository.
# Usage: tests/bench/history_bench.sh [BUILD_DIR]   (prints figures; not a test)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-${here}/../../build}"
bench="${build}/tests/bench/opsgate_history_bench"
opsgate="${build}/gate/opsgate"
[ -x "${bench}" ] || { echo "build ${bench} first (cmake --build build)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
end=1795680000             # 2026-11-26T08:00:00Z, the last commit
at_iso=2026-11-26T10:00:00+00:00
days=365

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() {  # ms COMMAND...: wall-clock milliseconds of one run
  local t0 t1
  t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}

printf '%-9s %-10s %8s %10s %10s %12s %12s %8s\n' commits result walked walk_ms rss_kib \
  opsgate_ms gitlog_ms ratio
for commits in 10000 100000; do
  repo="${work}/repo-${commits}"
  python3 "${here}/gen_repo.py" "${repo}" --commits "${commits}" --end "${end}"
  line="$("${bench}" "${repo}" docs/runbook.md "${days}" $((end + 7200)))"
  result=$(sed -n 's/.*result=\([a-z]*\).*/\1/p' <<<"${line}")
  walked=$(sed -n 's/.*commits_walked=\([0-9]*\).*/\1/p' <<<"${line}")
  walk_ms=$(for _ in 1 2 3 4 5; do "${bench}" "${repo}" docs/runbook.md "${days}" $((end + 7200)) |
    sed -n 's/.*time_ms=\([0-9.]*\).*/\1/p'; done | median)
  rss=$(sed -n 's/.*peak_rss_kib=\([0-9]*\).*/\1/p' <<<"${line}")
  cat >"${work}/fresh.toml" <<'RULES'
[[rule]]
id = "RUN-006"
area = "runbook"
title = "Runbook changed in the last year"
severity = "warning"
level = 4
check = [ { key = "runbook.path", changed_within_days = 365 } ]
RULES
  check_ms=$(for _ in 1 2 3 4 5; do ms "${opsgate}" check "${repo}" --rules "${work}/fresh.toml" --at "${at_iso}" --quiet; done | median)
  gitlog_ms=$(for _ in 1 2 3 4 5; do ms git -C "${repo}" log -1 --format=%ct -- docs/runbook.md; done | median)
  ratio=$(awk -v a="${check_ms}" -v b="${gitlog_ms}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  printf '%-9s %-10s %8s %10s %10s %12s %12s %8s\n' "${commits}" "${result}" "${walked}" \
    "${walk_ms}" "${rss}" "${check_ms}" "${gitlog_ms}" "${ratio}x"
done
echo "walked = commits loaded by the first-parent walk (the window is ${days} days, one commit an hour);"
echo "ratio = opsgate check (whole run) / git log -1 -- PATH (which walks to the file's last change)."
