#!/usr/bin/env python3
"""Generates a benchmark repository with `git fast-import`.

N first-parent commits, one an hour ending at --end, each touching one of --files noise files
(spread over directories of 100), or in a monorepo the source of one service. The first commit also writes the service: a built-in manifest
and docs/runbook.md, or every file of --template (an example service directory), at the root or,
with --services K, as K copies under services/svc-NNN/ (a monorepo). Nothing touches the service
files again (so on long histories the runbook is "years old") unless --runbook-age-hours rewrites
the (first) runbook that many hours before the end."""
import argparse
import os
import re
import subprocess
import sys

MANIFEST = """schema = 1
[service]
name = "bench"
owner = "team-bench"
tier = "critical"
stateful = true
contact = "bench@example.org"
[runbook]
path = "docs/runbook.md"
last_review = 2026-10-01
"""
RUNBOOK = "# Runbook\n## Restore\n## Rollback\n## Escalation\n"


def template_files(template):
    """{relative path: bytes} of every file under the template directory."""
    if template is None:
        return {"operability.toml": MANIFEST.encode(), "docs/runbook.md": RUNBOOK.encode()}
    files = {}
    for root, _, names in os.walk(template):
        for name in names:
            full = os.path.join(root, name)
            with open(full, "rb") as handle:
                files[os.path.relpath(full, template)] = handle.read()
    return files


def service_files(template, services):
    base = template_files(template)
    if not services:
        return base, ""
    files = {}
    for index in range(services):
        prefix = "services/svc-%03d/" % index
        for path, data in base.items():
            if path == "operability.toml":
                data = re.sub(rb'(?m)^name = "[^"]*"', b'name = "svc-%03d"' % index, data, count=1)
            files[prefix + path] = data
    return files, "services/svc-000/"


def write_blob(out, path, data):
    out.write(b"M 100644 inline %s\n" % path.encode())
    out.write(b"data %d\n" % len(data) + data + b"\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path")
    parser.add_argument("--commits", type=int, required=True)
    parser.add_argument("--end", type=int, default=1795680000, help="unix time of the last commit")
    parser.add_argument("--files", type=int, default=1000, help="noise files (default 1000)")
    parser.add_argument("--template", help="a service directory to copy (default: built-in)")
    parser.add_argument("--services", type=int, default=0, help="a monorepo of K services")
    parser.add_argument("--bare", action="store_true", help="a bare repository (no checkout)")
    parser.add_argument("--runbook-age-hours", type=int, default=None)
    parser.add_argument("--interval", type=int, default=3600,
                        help="seconds between commits (default 3600: one an hour)")
    parser.add_argument("--owner", help="service.owner of the services (default: the template's)")
    args = parser.parse_args()

    init = ["git", "init", "-q", "-b", "main"] + (["--bare"] if args.bare else []) + [args.path]
    subprocess.run(init, check=True)
    proc = subprocess.Popen(["git", "-C", args.path, "fast-import", "--quiet"],
                            stdin=subprocess.PIPE)
    out = proc.stdin
    files, first_service = service_files(args.template, args.services)
    runbook = first_service + "docs/runbook.md"
    if args.owner:
        files = {path: re.sub(rb'(?m)^owner = "[^"]*"', b'owner = "%s"' % args.owner.encode(), data,
                              count=1) if path.endswith("operability.toml") else data
                 for path, data in files.items()}
    start = args.end - args.interval * (args.commits - 1)
    change_at = None
    if args.runbook_age_hours is not None:
        change_at = args.commits - 1 - args.runbook_age_hours
    for i in range(args.commits):
        when = start + args.interval * i
        out.write(b"commit refs/heads/main\n")
        out.write(b"committer Bench <bench@example.org> %d +0000\n" % when)
        message = b"commit %d" % i
        out.write(b"data %d\n%s\n" % (len(message), message))
        if i == 0:
            for path, data in sorted(files.items()):
                write_blob(out, path, data)
            for n in range(args.files):  # every noise file exists from the start
                write_blob(out, "noise/%03d/%d.txt" % (n // 100, n), b"0\n")
        elif i == change_at:
            write_blob(out, runbook, files.get(runbook, RUNBOOK.encode()) + b"revision %d\n" % i)
        if args.services:  # a monorepo commit changes the code of one service
            service = (i * 7919) % args.services
            write_blob(out, "services/svc-%03d/src/%d.txt" % (service, i % 10), b"%d\n" % i)
        else:
            n = i % args.files
            write_blob(out, "noise/%03d/%d.txt" % (n // 100, n), b"%d\n" % i)
    out.close()
    if proc.wait() != 0:
        sys.exit("git fast-import failed")
    if not args.bare:
        subprocess.run(["git", "-C", args.path, "reset", "-q", "--hard", "main"], check=True)


if __name__ == "__main__":
    main()
