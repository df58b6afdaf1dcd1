#!/usr/bin/env python3
"""opsgate's benchmarks: figures and ratios, printed (never a timed test).

Generates (once, cached) a repository of 100,000 commits and 20,000 files holding the billing-api
example service (its runbook last changed 11 years ago), the same service on 10,000 commits, and
a monorepo of 200 services, all packed by `git gc` with a commit-graph carrying changed-path
Bloom filters (copies with core.commitGraph = false show the walk without it); then measures,
interleaved in the same run:

  floor     tests/bench/floor.c: Debian's libgit2 opening the repository and reading one blob
  cat-file  git cat-file -p HEAD:operability.toml
  opsgate   opsgate check with the baseline pack (freshness rules included), bare repository
  opsgate, CA bundle loaded   the same with OPSGATE_LIBGIT2_CA_BUNDLE=load (what the deferral
            in gate/cli/tls_deferral.hpp saves)
  opsgate --base HEAD~1   in the monorepo: a merge request's check, one service in scope
  libraries alone   tests/bench/library_bound.cpp: libgit2 and toml++ doing only the reading
            and parsing a check cannot skip (rules, manifests, runbook blobs), configured as
            opsgate configures them: the share of a target the fixed libraries take by themselves
  spectral  @stoplight/spectral-cli linting the same manifest as JSON with the baseline rules
            it can express (tests/bench/spectral/), when npm is available

Prints medians, peak resident memory (wait4's ru_maxrss of the child alone, via
tests/bench/spawn.c), the ratios, the in-process evaluation time (opsgate check --timings, and
the libraries' own in-process time beside it) and each target of issue 7 with its verdict.
--check-targets makes a missed target exit 1.

--compare NAME=BINARY (repeatable) runs another opsgate executable (a build of another commit,
or of this one with a device taken out) on the same cases, interleaved with this build's in the
same rounds, and prints each case's median for both and the difference: how a change is
measured before/after in one run (docs/performance.md).

Usage: tests/bench/bench.py [--build BUILD] [--runs N] [--quick] [--no-spectral]
                            [--compare NAME=BINARY]...
       (or: cmake --build build --target bench)
--instructions adds, for each --compare build, the instructions each case executes (callgrind):
a count that a busy machine does not change, for differences smaller than its noise.
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent.parent
BASELINE = SOURCE / "rules" / "baseline"
TEMPLATE = SOURCE / "examples" / "billing-api"
AT = "2026-11-26T22:00:00+01:00"  # a Thursday night: the production window is open
END = 1795680000  # 2026-11-26T08:00:00Z, the last commit
# What a monorepo's merge-request pipeline runs: only the services the change touches (the last
# commit of the generated monorepo changes one service).
MERGE_REQUEST = "opsgate check --base HEAD~1 (1 service)"
# The fixed libraries doing only the reading and parsing a check cannot skip.
LIBRARIES = "libgit2 + toml++ alone (library_bound)"


def fail(message):
    sys.exit("bench: " + message)


class Spawner:
    """Runs one command through opsgate_bench_spawn: (milliseconds, peak RSS KiB, exit code)."""

    def __init__(self, spawn):
        self.spawn = spawn

    def run(self, cmd, env=None, stderr_file=None):
        """(wall ms, peak RSS KiB, exit code, CPU ms)"""
        full_env = dict(os.environ, **(env or {}))
        if stderr_file:
            full_env["BENCH_STDERR"] = stderr_file
        out = subprocess.run([self.spawn] + cmd, env=full_env, capture_output=True, text=True,
                             check=True).stdout.split()
        return int(out[0]) / 1000.0, int(out[1]), int(out[2]), int(out[3]) / 1000.0


def measure(spawner, commands, runs, warmup=2):
    """Runs every command runs+warmup times, round-robin, so that a noisy moment of the machine
    hits all of them alike. Returns {name: {"ms": median wall, "cpu": median CPU ms, "rss": max
    KiB}}."""
    samples = {name: [] for name in commands}
    cpu = {name: [] for name in commands}
    peaks = {name: 0 for name in commands}
    for round_ in range(runs + warmup):
        for name, (cmd, env, codes) in commands.items():
            ms, rss, code, cpu_ms = spawner.run(cmd, env)
            if code not in codes:
                detail = subprocess.run(cmd, env=dict(os.environ, **(env or {})),
                                        capture_output=True, text=True)
                fail("%s exited %d (expected %s): %s\n%s%s" % (
                    name, code, codes, " ".join(cmd), detail.stdout[-2000:], detail.stderr[-2000:]))
            if round_ >= warmup:
                samples[name].append(ms)
                cpu[name].append(cpu_ms)
                peaks[name] = max(peaks[name], rss)
    return {name: {"ms": statistics.median(samples[name]), "cpu": statistics.median(cpu[name]),
                   "rss": peaks[name]}
            for name in commands}


def in_process_ms(spawner, cmd, runs):
    """Median of the "after libgit2 init" time a command prints on stderr (opsgate check
    --timings, opsgate_bench_library_bound), in milliseconds."""
    values = []
    with tempfile.NamedTemporaryFile("r", suffix=".timings") as stderr:
        for _ in range(runs + 1):
            spawner.run(cmd, stderr_file=stderr.name)
            text = Path(stderr.name).read_text()
            found = re.search(r"after libgit2 init ([0-9.]+) ms", text)
            if not found:
                fail("no timings in: " + text)
            values.append(float(found.group(1)))
    return statistics.median(values[1:])


def generate(work, name, quick, **params):
    """A cached generated repository (regenerated when its parameters change)."""
    path = work / name
    stamp = path / "bench-params.json"
    wanted = json.dumps(params, sort_keys=True)
    if stamp.exists() and stamp.read_text() == wanted:
        return path
    shutil.rmtree(path, ignore_errors=True)
    args = [sys.executable, str(HERE / "gen_repo.py"), str(path), "--bare", "--end", str(END),
            "--commits", str(params["commits"]), "--files", str(params["files"]),
            "--template", str(TEMPLATE)]
    if params.get("services"):
        args += ["--services", str(params["services"])]
    print("bench: generating %s (%s)" % (name, wanted), flush=True)
    subprocess.run(args, check=True)
    # One pack as a clone has, and the commit-graph with changed-path filters that git (and
    # GitLab's Gitaly) maintain; the copy without it shows what the filters save.
    subprocess.run(["git", "-C", str(path), "gc", "-q"], check=True)
    subprocess.run(["git", "-C", str(path), "commit-graph", "write", "--reachable",
                    "--changed-paths"], check=True)
    stamp.write_text(wanted)
    return path


def without_graph(repo):
    """A copy of `repo` whose commit-graph is switched off (core.commitGraph = false)."""
    copy = repo.with_name(repo.name + "-nograph")
    if not (copy / "bench-params.json").exists() or \
            (copy / "bench-params.json").read_text() != (repo / "bench-params.json").read_text():
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(repo, copy)
        subprocess.run(["git", "-C", str(copy), "config", "core.commitGraph", "false"], check=True)
    return copy


def spectral_setup(work):
    """(spectral binary, ruleset, manifest JSON) or None with the reason printed."""
    install = HERE / "spectral" / "install.sh"
    if not install.exists():
        print("spectral: skipped (tests/bench/spectral/install.sh missing)")
        return None
    prefix = Path(os.environ.get("OPSGATE_TOOLS_CACHE",
                                 Path.home() / ".cache" / "opsgate-ci")) / "spectral"
    done = subprocess.run(["bash", str(install), str(prefix)], capture_output=True, text=True)
    if done.returncode != 0:
        print("spectral: skipped (%s)" % (done.stderr.strip() or "install failed"))
        return None
    binary = done.stdout.strip().splitlines()[-1]
    manifest = work / "billing-api.json"
    with open(manifest, "w") as out:
        subprocess.run([sys.executable, str(HERE / "spectral" / "toml2json.py"),
                        str(TEMPLATE / "operability.toml")], stdout=out, check=True)
    return binary, str(HERE / "spectral" / "ruleset.yaml"), str(manifest)


def mib(kib):
    return kib / 1024.0


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=str(SOURCE / "build"), help="build directory")
    parser.add_argument("--work", help="where generated repositories are cached "
                        "(default: BUILD/bench-repos)")
    parser.add_argument("--runs", type=int, default=21, help="measured runs per command")
    parser.add_argument("--quick", action="store_true",
                        help="small repositories, 3 runs: checks the driver, not the figures")
    parser.add_argument("--no-spectral", action="store_true")
    parser.add_argument("--check-targets", action="store_true", help="exit 1 on a missed target")
    parser.add_argument("--compare", action="append", default=[], metavar="NAME=BINARY",
                        help="another opsgate executable measured on the same cases, "
                        "interleaved (repeatable)")
    parser.add_argument("--instructions", action="store_true",
                        help="with --compare: also count each build's instructions on the "
                        "cases under valgrind's callgrind (the same on a busy machine)")
    args = parser.parse_args()

    build = Path(args.build).resolve()
    opsgate = build / "gate" / "opsgate"
    floor = build / "tests" / "bench" / "opsgate_bench_floor"
    spawn = build / "tests" / "bench" / "opsgate_bench_spawn"
    bound = build / "tests" / "bench" / "opsgate_bench_library_bound"
    for binary in (opsgate, floor, spawn, bound):
        if not os.access(binary, os.X_OK):
            fail("%s is missing: cmake --build %s first" % (binary, build))
    others = {}
    for spec in args.compare:
        name, sep, binary = spec.partition("=")
        if not sep or not name or not os.access(binary, os.X_OK):
            fail("--compare wants NAME=BINARY, an executable opsgate: " + spec)
        if name in others:
            fail("--compare names %s twice" % name)
        others[name] = str(Path(binary).resolve())
    work = Path(args.work) if args.work else build / "bench-repos"
    work.mkdir(parents=True, exist_ok=True)
    runs = 3 if args.quick else args.runs
    spawner = Spawner(str(spawn))

    scale = (dict(big=2000, small=500, files=200, services=10, mono_commits=200) if args.quick
             else dict(big=100000, small=10000, files=20000, services=200, mono_commits=5000))
    big = generate(work, "single-%d" % scale["big"], args.quick, commits=scale["big"],
                   files=scale["files"])
    small = generate(work, "single-%d" % scale["small"], args.quick, commits=scale["small"],
                     files=scale["files"])
    mono = generate(work, "monorepo-%d" % scale["services"], args.quick,
                    commits=scale["mono_commits"], files=scale["files"] // 10,
                    services=scale["services"], generator=2)

    def check(repo, binary=opsgate):
        return [str(binary), "check", str(repo), "--rules", str(BASELINE), "--at", AT, "--quiet"]

    def libraries(repo):
        return [str(bound), str(repo), str(BASELINE)]

    gate_codes = (0, 1)  # pass or fail are both evaluations; 2 would be an error
    # Provenance (issue 19): a pack failing keys from the first line of the manifest to its last
    # makes every failed finding cite its commit: the widest blame a manifest can ask for, over
    # the whole history (the baseline's own failing warning, RUN-006, is blamed in "opsgate
    # check" already).
    blame_pack = work / "blame-pack.toml"
    blame_pack.write_text("".join(
        '[[rule]]\nid = "BLAME-%d"\narea = "service"\ntitle = "t"\nseverity = "error"\n'
        'level = 1\ncheck = [ { key = "%s", present = false } ]\n\n' % (i, key)
        for i, key in enumerate(["service.name", "backup.retention_days", "runbook.last_review",
                                 "rollback.database"])))

    def blamed(repo):
        return [str(opsgate), "check", str(repo), "--rules", str(blame_pack), "--at", AT,
                "--quiet"]
    def compared(cases):
        """The cases again for every --compare executable, named "CASE [NAME]"."""
        rows = {}
        for case, (cmd, env, codes) in cases.items():
            for name, binary in others.items():
                rows["%s [%s]" % (case, name)] = ([binary] + cmd[1:], env, codes)
        return rows

    single = measure(spawner, {
        "floor": ([str(floor), str(big), "HEAD:operability.toml"], None, (0,)),
        "git cat-file": (["git", "-C", str(big), "cat-file", "-p", "HEAD:operability.toml"],
                         None, (0,)),
        "opsgate check": (check(big), None, gate_codes),
        LIBRARIES: (libraries(big), None, (0,)),
        "opsgate check, CA bundle loaded": (check(big), {"OPSGATE_LIBGIT2_CA_BUNDLE": "load"},
                                            gate_codes),
        "opsgate check, %d commits" % scale["small"]: (check(small), None, gate_codes),
        "opsgate check, every key failing (blamed)": (blamed(big), None, gate_codes),
        "opsgate check, no commit-graph": (check(without_graph(big)), None, gate_codes),
        "opsgate check, %d commits, no commit-graph" % scale["small"]:
            (check(without_graph(small)), None, gate_codes),
        **compared({"opsgate check": (check(big), None, gate_codes),
                    "opsgate check, every key failing (blamed)": (blamed(big), None, gate_codes)}),
    }, runs)
    monorepo = measure(spawner, {
        "floor": ([str(floor), str(mono), "HEAD:services/svc-000/operability.toml"], None, (0,)),
        "opsgate check": (check(mono), None, gate_codes),
        LIBRARIES: (libraries(mono), None, (0,)),
        MERGE_REQUEST: (check(mono) + ["--base", "HEAD~1"], None, gate_codes),
        **compared({"opsgate check": (check(mono), None, gate_codes),
                    MERGE_REQUEST: (check(mono) + ["--base", "HEAD~1"], None, gate_codes)}),
    }, runs)
    eval_single = in_process_ms(spawner, check(big) + ["--timings"], runs)
    eval_mono = in_process_ms(spawner, check(mono) + ["--timings"], runs)
    eval_merge_request = in_process_ms(spawner, check(mono) + ["--base", "HEAD~1", "--timings"],
                                       runs)
    libraries_single = in_process_ms(spawner, libraries(big), runs)
    # In process, this build and each compared one alternately, run after run.
    eval_compared = {}
    for label, cmd in (("single service", check(big)), ("monorepo", check(mono))):
        builds = {"this build": cmd + ["--timings"]}
        builds.update({name: [binary] + cmd[1:] + ["--timings"]
                       for name, binary in others.items()})
        values = {name: [] for name in builds}
        for _ in range(runs if others else 0):
            for name, timed in builds.items():
                values[name].append(in_process_ms(spawner, timed, 1))
        if others:
            eval_compared[label] = {name: statistics.median(v) for name, v in values.items()}
    libraries_mono = in_process_ms(spawner, libraries(mono), runs)

    spectral = None
    if not args.no_spectral and not args.quick:
        setup = spectral_setup(work)
        if setup:
            binary, ruleset, manifest = setup
            spectral = measure(spawner, {
                "spectral lint": ([binary, "lint", "--quiet", "--ruleset", ruleset, manifest],
                                  None, (0, 1)),
                "opsgate check": (check(big), None, gate_codes),
            }, max(5, runs // 4), warmup=1)

    version = subprocess.run([str(opsgate), "version"], capture_output=True, text=True).stdout
    print()
    print("machine: %s, %d cores, %s" % (platform.machine(), os.cpu_count(),
                                        platform.platform()))
    print("versions: %s; %s" % (" / ".join(version.strip().splitlines()),
                                subprocess.run(["git", "--version"], capture_output=True,
                                               text=True).stdout.strip()))
    print("runs: %d per command, interleaved; median wall time; peak RSS of the child" % runs)
    print()
    row = "%-44s %10s %10s %9s"
    floor_ms = single["floor"]["ms"]
    print("single service: %d commits, %d files, bare (%s)" % (scale["big"], scale["files"], big))
    print(row % ("command", "median ms", "peak MiB", "x floor"))
    for name, figures in single.items():
        print(row % (name, "%.2f" % figures["ms"], "%.1f" % mib(figures["rss"]),
                     "%.2f" % (figures["ms"] / floor_ms)))
    print(row % ("opsgate evaluation in process (--timings)", "%.2f" % eval_single, "", ""))
    print(row % ("  libgit2 + toml++ alone, in process", "%.2f" % libraries_single, "", ""))
    print()
    mono_floor = monorepo["floor"]["ms"]
    print("monorepo: %d services, %d commits (%s)" % (scale["services"], scale["mono_commits"],
                                                     mono))
    print(row % ("command", "median ms", "peak MiB", "x floor"))
    for name, figures in monorepo.items():
        print(row % (name, "%.2f" % figures["ms"], "%.1f" % mib(figures["rss"]),
                     "%.2f" % (figures["ms"] / mono_floor)))
    print(row % ("opsgate evaluation in process (--timings)", "%.2f" % eval_mono, "", ""))
    print(row % ("  the same, --base HEAD~1", "%.2f" % eval_merge_request, "", ""))
    print(row % ("  libgit2 + toml++ alone, in process", "%.2f" % libraries_mono, "", ""))
    if spectral:
        print()
        print("spectral: the billing-api manifest as JSON, equivalent rules (tests/bench/spectral)")
        print(row % ("command", "median ms", "peak MiB", "x opsgate"))
        for name, figures in spectral.items():
            print(row % (name, "%.2f" % figures["ms"], "%.1f" % mib(figures["rss"]),
                         "%.1f" % (figures["ms"] / spectral["opsgate check"]["ms"])))

    if others:
        print()
        print("compared (interleaved in the same rounds; medians; difference = other - this "
              "build; CPU = user + system time, what a busy machine changes least)")
        crow = "%-50s %-10s %9s %9s %8s %9s %9s %8s"
        print(crow % ("case", "build", "wall ms", "other", "diff", "CPU ms", "other", "diff"))

        def diff(this, other):
            return "%+.1f%%" % (100.0 * (other - this) / this) if this else "-"
        for group, table in (("single", single), ("monorepo", monorepo)):
            for case in table:
                for name in others:
                    other = table.get("%s [%s]" % (case, name))
                    if other is None:
                        continue
                    this = table[case]
                    print(crow % ("%s: %s" % (group, case), name, "%.2f" % this["ms"],
                                  "%.2f" % other["ms"], diff(this["ms"], other["ms"]),
                                  "%.2f" % this["cpu"], "%.2f" % other["cpu"],
                                  diff(this["cpu"], other["cpu"])))
        for label, medians in eval_compared.items():
            for name in others:
                this_ms, other_ms = medians["this build"], medians[name]
                print(crow % ("%s: evaluation in process" % label, name, "%.2f" % this_ms,
                              "%.2f" % other_ms, diff(this_ms, other_ms), "", "", ""))

    if others and args.instructions:
        if not shutil.which("valgrind"):
            fail("--instructions needs valgrind (apt-get install valgrind)")
        print()
        print("instructions (valgrind --tool=callgrind, every thread; difference = other - this "
              "build)")
        irow = "%-50s %-10s %14s %14s %8s"
        print(irow % ("case", "build", "this", "other", "diff"))
        cases = {"single: opsgate check": check(big), "monorepo: opsgate check": check(mono),
                 "monorepo: " + MERGE_REQUEST: check(mono) + ["--base", "HEAD~1"]}
        for case, cmd in cases.items():
            counts = {}
            for name, binary in [("this build", str(opsgate))] + list(others.items()):
                out = subprocess.run(["valgrind", "--tool=callgrind",
                                      "--callgrind-out-file=/dev/null", binary] + cmd[1:],
                                     capture_output=True, text=True)
                found = re.search(r"Collected : (\d+)", out.stderr)
                if not found:
                    fail("callgrind printed no count for %s: %s" % (name, out.stderr[-500:]))
                counts[name] = int(found.group(1))
            for name in others:
                print(irow % (case, name, "{:,}".format(counts["this build"]),
                              "{:,}".format(counts[name]),
                              diff(counts["this build"], counts[name])))

    gate_ms = single["opsgate check"]["ms"]
    peak = max(single["opsgate check"]["rss"], monorepo["opsgate check"]["rss"])
    fresh = gate_ms / single["opsgate check, %d commits" % scale["small"]]["ms"]
    fresh_nograph = (single["opsgate check, no commit-graph"]["ms"] /
                     single["opsgate check, %d commits, no commit-graph" % scale["small"]]["ms"])
    targets = [
        ("single-service check within 1.5x the floor", gate_ms / floor_ms <= 1.5,
         "%.2fx (%.2f ms vs %.2f ms)" % (gate_ms / floor_ms, gate_ms, floor_ms)),
        ("evaluation in process under 2 ms", eval_single < 2.0,
         "%.2f ms (libgit2 + toml++ alone: %.2f ms)" % (eval_single, libraries_single)),
        ("200-service monorepo within 3x the floor", monorepo["opsgate check"]["ms"] / mono_floor
         <= 3.0, "%.2fx, every service evaluated (libgit2 + toml++ alone: %.2fx); %.2fx for a "
         "merge request (--base)" % (
             monorepo["opsgate check"]["ms"] / mono_floor,
             monorepo[LIBRARIES]["ms"] / mono_floor,
             monorepo[MERGE_REQUEST]["ms"] / mono_floor)),
        ("peak memory under 20 MiB", peak < 20 * 1024, "%.1f MiB" % mib(peak)),
        ("freshness flat: 100k vs 10k commits", fresh <= 1.25,
         "%.2fx (without commit-graph %.2fx)" % (fresh, fresh_nograph)),
        ("CA bundle deferral gain", True, "%.2f ms saved" % (
            single["opsgate check, CA bundle loaded"]["ms"] - gate_ms)),
    ]
    if spectral:
        ratio = spectral["spectral lint"]["ms"] / spectral["opsgate check"]["ms"]
        targets.append(("at least 40x faster than spectral", ratio >= 40, "%.1fx" % ratio))
    print()
    print("targets%s:" % (" (quick run: figures not meaningful)" if args.quick else ""))
    missed = 0
    for title, met, value in targets:
        print("  %-44s %-8s %s" % (title, "met" if met else "MISSED", value))
        missed += 0 if met else 1
    if args.check_targets and missed and not args.quick:
        sys.exit(1)


if __name__ == "__main__":
    main()
