#!/usr/bin/env python3
"""The fleet scan's cost: `opsgate fleet` over R generated bare repositories of S services each
(the billing-api example as every service, a history of one commit a day for 120 days), with and
without --trend 12w. Prints, for each, the CPU time (user + system) and wall time of the run, the
CPU milliseconds per service beyond start-up (a one-service scan's CPU is the start-up), and the
peak RSS, each the median of --runs runs (wait4). Printed, not checked: a benchmark measures,
the tests judge behaviour. docs/performance.md ("The fleet scan") records the figures.

  python3 tests/bench/fleet_bench.py --build build            # 200 x 5 = 1,000 services
  python3 tests/bench/fleet_bench.py --build build --quick    # 10 x 5, for the smoke test
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
AT = "2026-11-26T10:00:00+01:00"
END = 1795594800  # 2026-11-25T08:20:00Z: the last commit, the day before --at


def generate(directory, repositories, services, commits):
    os.makedirs(directory, exist_ok=True)
    for index in range(repositories):
        path = os.path.join(directory, "repo-%03d.git" % index)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_repo.py"), path, "--bare",
                        "--commits", str(commits), "--interval", "86400", "--end", str(END),
                        "--files", "50", "--services", str(services),
                        "--owner", "team-%02d" % (index % 12),
                        "--template", os.path.join(SOURCE, "examples", "billing-api")],
                       check=True, stdout=subprocess.DEVNULL)


def measure(binary, args, runs):
    """Median CPU seconds (user + system, the process and its threads), wall seconds and peak RSS
    (KiB) of `binary args`, from wait4() (microsecond CPU times)."""
    cpu, wall, rss = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        process = subprocess.Popen([binary] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        wall.append(time.perf_counter() - started)
        error = process.stderr.read().decode(errors="replace")
        process.stderr.close()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            sys.exit("opsgate %s: exit %d\n%s" % (" ".join(args), process.returncode, error))
        cpu.append(usage.ru_utime + usage.ru_stime)
        rss.append(usage.ru_maxrss)
    return statistics.median(cpu), statistics.median(wall), statistics.median(rss)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", required=True, help="the build directory (holds gate/opsgate)")
    parser.add_argument("--repositories", type=int, default=200)
    parser.add_argument("--services", type=int, default=5)
    parser.add_argument("--commits", type=int, default=120)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="10 repositories, one run")
    parser.add_argument("--keep", help="generate into (or reuse) this directory")
    args = parser.parse_args()
    if args.quick:
        args.repositories, args.runs, args.commits = 10, 1, 100
    binary = os.path.join(args.build, "gate", "opsgate")
    work = args.keep or tempfile.mkdtemp(prefix="opsgate-fleet-bench.")
    fleet = os.path.join(work, "fleet")
    single = os.path.join(work, "single")
    try:
        if not os.path.isdir(fleet):
            generate(fleet, args.repositories, args.services, args.commits)
            generate(single, 1, 1, args.commits)
        total = args.repositories * args.services
        rules = ["--rules", os.path.join(SOURCE, "rules", "baseline"), "--at", AT]
        startup = measure(binary, ["fleet"] + rules + [single], args.runs)
        plain = measure(binary, ["fleet"] + rules + [fleet], args.runs)
        trend_startup = measure(binary, ["fleet", "--trend", "12w"] + rules + [single], args.runs)
        trend = measure(binary, ["fleet", "--trend", "12w"] + rules + [fleet], args.runs)
        print("fleet scan: %d repositories x %d services = %d services, %d commits each (one a day), "
              "%d CPU(s) usable, median of %d run(s)" % (args.repositories, args.services, total,
                                                         args.commits, len(os.sched_getaffinity(0)),
                                                         args.runs))
        print("%-24s %10s %10s %16s %12s" % ("run", "CPU s", "wall s", "CPU ms/service", "peak RSS MiB"))
        for name, (cpu, wall, rss), base in (("start-up (1 service)", startup, None),
                                             ("plain scan", plain, startup),
                                             ("start-up, --trend 12w", trend_startup, None),
                                             ("--trend 12w", trend, trend_startup)):
            per = "" if base is None else "%.3f" % ((cpu - base[0]) * 1000.0 / (total - 1))
            print("%-24s %10.3f %10.3f %16s %12.1f" % (name, cpu, wall, per, rss / 1024.0))
        plain_per = (plain[0] - startup[0]) / (total - 1)
        trend_per = (trend[0] - trend_startup[0]) / (total - 1)
        print("trend / plain, CPU per service: %.2fx (13 evaluations a repository: 12 points and now)"
              % (trend_per / plain_per if plain_per > 0 else float("nan")))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
