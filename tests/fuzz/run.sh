#!/usr/bin/env bash
# Fuzzes every target of tests/fuzz with AFL++ for a bounded time, two at a time, then prints
# what was done and found. See tests/fuzz/README.md.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET]     (default 30)
#
# Environment: FUZZ_TARGETS="manifest window" to fuzz only some targets; FUZZ_JOBS (default 2)
# parallel afl-fuzz instances; FUZZ_SANITIZERS (default address,undefined; "" for none).
# Builds into build-fuzz/ (configured once; delete it to reconfigure). Exit 0 when nothing was
# found, 1 when a crash or a hang (an input over 1 s) was saved (copied to
# build-fuzz/findings/<target>/, with the command that replays it), 2 on a setup error, 77 (skip)
# when AFL++ is not installed.
set -euo pipefail

seconds=${1:-30}
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "usage: $0 [SECONDS_PER_TARGET]" >&2
  exit 2
fi
jobs=${FUZZ_JOBS:-2}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fuzz_dir=$root/tests/fuzz
build=$root/build-fuzz
targets=(${FUZZ_TARGETS:-manifest rules window markdown report hook tree})
sanitizers=${FUZZ_SANITIZERS-address,undefined}

driver=""
for dir in /usr/lib/afl /usr/local/lib/afl; do
  [[ -f $dir/libAFLDriver.a ]] && driver=$dir/libAFLDriver.a && break
done
if ! command -v afl-fuzz >/dev/null || [[ -z $driver ]]; then
  echo "run.sh: AFL++ is not installed (afl-fuzz and libAFLDriver.a): apt-get install afl++;" \
    "skipping" >&2
  exit 77
fi

# afl-g++-fast (GCC plugin mode) when the plugin loads into this GCC; Debian 12's afl++ 4.04c
# plugin refuses GCC 12.2.0-14+deb12u1, so then plain GCC with -fsanitize-coverage=trace-pc.
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
echo 'int main() { return 0; }' >"$probe_dir/probe.cpp"
if command -v afl-g++-fast >/dev/null &&
  AFL_QUIET=1 timeout 60 afl-g++-fast "$probe_dir/probe.cpp" -o "$probe_dir/probe" \
    >"$probe_dir/log" 2>&1; then
  cc=afl-gcc-fast cxx=afl-g++-fast
  instrumentation="afl-g++-fast (GCC plugin)"
else
  cc=gcc cxx=g++
  why=$(grep -m1 -o 'GCC and plugin have incompatible versions' "$probe_dir/log" ||
    echo "see its output")
  instrumentation="GCC -fsanitize-coverage=trace-pc (afl-g++-fast unusable: $why)"
fi

if [[ ! -f $build/CMakeCache.txt ]]; then
  # -g1: line tables, all a finding's stack needs; full debug information only costs compile time.
  timeout 600 cmake -S "$root" -B "$build" -DOPSGATE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
    -DOPSGATE_WERROR=ON -DCMAKE_C_COMPILER=$cc -DCMAKE_CXX_COMPILER=$cxx \
    "-DOPSGATE_FUZZ_SANITIZERS=$sanitizers" >"$build.configure.log" 2>&1 ||
    { cat "$build.configure.log" >&2; echo "run.sh: configuring $build failed" >&2; exit 2; }
  mv "$build.configure.log" "$build/configure.log"
else
  # Regenerate: make does not know a target added to the CMakeLists since the last configure.
  timeout 600 cmake -S "$root" -B "$build" >"$build/configure.log" 2>&1 ||
    { cat "$build/configure.log" >&2; echo "run.sh: configuring $build failed" >&2; exit 2; }
fi
sanitizers=$(sed -n 's/^OPSGATE_FUZZ_SANITIZERS:STRING=//p' "$build/CMakeCache.txt")
echo "run.sh: instrumentation: $instrumentation; sanitizers: ${sanitizers:-none}"
echo "run.sh: building ${targets[*]} in $build"
AFL_QUIET=1 timeout 3600 cmake --build "$build" -j "$jobs" --target "${targets[@]/#/fuzz_}" \
  >"$build/build.log" 2>&1 ||
  { tail -40 "$build/build.log" >&2; echo "run.sh: build failed ($build/build.log)" >&2; exit 2; }

dictionary() {
  case $1 in
    manifest | rules | window) echo "$fuzz_dir/dict/toml.dict" ;;
    markdown) echo "$fuzz_dir/dict/markdown.dict" ;;
  esac
}

# afl-fuzz wants symbolize=0 and abort_on_error=1; no allocation stacks (malloc_context_size=0)
# makes a sanitized execution several times faster. Replaying a finding shows full stacks.
asan_options=abort_on_error=1:symbolize=0:detect_leaks=0:hard_rss_limit_mb=2048
asan_options+=:malloc_context_size=0

# One afl-fuzz run, bounded by -V and, should it not stop, by timeout.
fuzz_one() {
  local target=$1 work=$build/afl/$1
  rm -rf "$work"
  mkdir -p "$work/in"
  cp "$fuzz_dir/corpus/$target"/* "$work/in/"
  find "$fuzz_dir/regressions/$target" -maxdepth 1 -type f ! -name '.*' \
    -exec cp {} "$work/in/" \;
  # Sanitizers reserve terabytes of address space, so afl-fuzz's -m cannot bound them; ASan's
  # hard_rss_limit_mb does. Without sanitizers afl-fuzz bounds the memory itself.
  local memory=2048
  [[ -n $sanitizers ]] && memory=none
  local dict args=(-i "$work/in" -o "$work/out" -V "$seconds" -t 1000 -m "$memory")
  dict=$(dictionary "$target")
  [[ -n $dict && -f $dict ]] && args+=(-x "$dict")
  # cpu_time.py counts afl-fuzz and every target process it started: the CPU really used.
  timeout --kill-after=30 $((seconds + 330)) python3 "$fuzz_dir/tools/cpu_time.py" "$work/cpu" -- \
    timeout --kill-after=30 $((seconds + 300)) env AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 \
    AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_SKIP_CRASHES=1 \
    AFL_FAST_CAL=1 AFL_NO_CRASH_README=1 AFL_IGNORE_UNKNOWN_ENVS=1 \
    ASAN_OPTIONS=$asan_options UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0 \
    afl-fuzz "${args[@]}" -- "$build/tests/fuzz/fuzz_$target" >"$work/afl.log" 2>&1 || true
}

echo "run.sh: fuzzing ${targets[*]} for ${seconds}s each, $jobs at a time"
running=0
for target in "${targets[@]}"; do
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
  fuzz_one "$target" &
  running=$((running + 1))
done
wait || true

stat_of() {  # stat_of FILE KEY...: the first of the keys found in afl's fuzzer_stats
  local file=$1 key value
  shift
  for key in "$@"; do
    value=$(awk -F' *: *' -v k="$key" '$1 == k { print $2; exit }' "$file" 2>/dev/null)
    [[ -n $value ]] && { echo "$value"; return; }
  done
  echo 0
}

status=0
total_cpu=0
findings=()
history=$build/fuzz-history.tsv
[[ -f $history ]] || printf 'date\ttarget\tseconds\texecs\tcpu_s\tcrashes\thangs\n' >"$history"
printf '\n%-10s %12s %9s %8s %8s %6s %8s\n' target execs execs/s corpus crashes hangs cpu-s
for target in "${targets[@]}"; do
  work=$build/afl/$target
  stats=$work/out/default/fuzzer_stats
  if [[ ! -f $stats ]]; then
    printf '%-10s afl-fuzz did not start; see %s\n' "$target" "$work/afl.log"
    tail -5 "$work/afl.log" 2>/dev/null | sed 's/^/    /'
    status=2
    continue
  fi
  execs=$(stat_of "$stats" execs_done)
  run_time=$(stat_of "$stats" run_time)
  corpus=$(stat_of "$stats" corpus_count paths_total)
  crashes=$(stat_of "$stats" saved_crashes unique_crashes)
  hangs=$(stat_of "$stats" saved_hangs unique_hangs)
  rate=$(awk -v e="$execs" -v t="$run_time" 'BEGIN { printf "%.0f", (t > 0 ? e / t : 0) }')
  # No cpu file: the run was killed from outside (its afl-fuzz figures stay valid).
  cpu=$(awk '{ printf "%.0f", $1 + $2 }' "$work/cpu" 2>/dev/null || true)
  [[ -n $cpu ]] || cpu="?"
  [[ $cpu == "?" ]] || total_cpu=$((total_cpu + cpu))
  printf '%-10s %12s %9s %8s %8s %6s %8s\n' "$target" "$execs" "$rate" "$corpus" "$crashes" \
    "$hangs" "$cpu"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "$run_time" "$execs" \
    "$cpu" "$crashes" "$hangs" >>"$history"
  if ((crashes > 0 || hangs > 0)); then
    status=1
    mkdir -p "$build/findings/$target"
    for kind in crashes hangs; do
      for file in "$work/out/default/$kind"/id:*; do
        [[ -f $file ]] || continue
        name=$kind-$(basename "$file" | tr ':,' '_-')
        cp "$file" "$build/findings/$target/$name"
        findings+=("$target/$name")
      done
    done
  fi
done
awk -v s="$total_cpu" 'BEGIN { printf "total: %.1f CPU-minutes fuzzed\n", s / 60 }'
awk -F'\t' 'NR > 1 { s += $5 } END { printf "so far (%s): %.1f CPU-minutes\n", FILENAME, s / 60 }' \
  "$history"

if ((${#findings[@]} > 0)); then
  echo
  echo "run.sh: findings (kept in $build/findings/):"
  triaged=0
  for finding in "${findings[@]}"; do
    target=${finding%%/*}
    echo "  $build/tests/fuzz/fuzz_$target $build/findings/$finding"
    # Run it once on its own (the first 20 findings, 20 s each): does a crash reproduce outside
    # the persistent loop, how slow is a hang without afl-fuzz beside it? Sanitizers and the
    # coverage callbacks make every input several times slower than in a release build.
    ((triaged++ < 20)) || continue
    start=$(date +%s%N)
    set +e
    ASAN_OPTIONS=detect_leaks=0 timeout 20 "$build/tests/fuzz/fuzz_$target" \
      "$build/findings/$finding" >/dev/null 2>&1
    rc=$?
    set -e
    ms=$((($(date +%s%N) - start) / 1000000))
    if ((rc == 124)); then
      echo "      alone: still running after 20 s"
    elif ((rc != 0)); then
      echo "      alone: exit $rc after $ms ms (reproduces)"
    else
      echo "      alone: passes in $ms ms (sanitized build)"
    fi
  done
  echo "Replay one with a symbolized stack: ASAN_OPTIONS=symbolize=1 <the command above>;"
  echo "without sanitizers: build-fuzzreplay/tests/fuzz/fuzz_<target> --max-ms 1000 FILE."
  echo "Once fixed, keep the input in tests/fuzz/regressions/<target>/ (see tests/fuzz/README.md)."
fi
exit $status
