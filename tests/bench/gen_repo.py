#!/usr/bin/env python3
"""Generates a benchmark repository with `git fast-import`: N first-parent commits, one an hour
ending at --end, each touching a noise file; operability.toml and docs/runbook.md are written by
the first commit only (so the runbook is "years old" on long histories) unless --runbook-age-hours
puts its last change that many hours before the end."""
import argparse
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


def blob(out, data):
    raw = data.encode()
    out.write(b"blob\ndata %d\n" % len(raw) + raw + b"\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--commits", type=int, required=True)
    parser.add_argument("--end", type=int, default=1795680000, help="unix time of the last commit")
    parser.add_argument("--runbook-age-hours", type=int, default=None)
    args = parser.parse_args()
    subprocess.run(["git", "init", "-q", "-b", "main", args.path], check=True)
    proc = subprocess.Popen(["git", "-C", args.path, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    out = proc.stdin
    start = args.end - 3600 * (args.commits - 1)
    change_at = None
    if args.runbook_age_hours is not None:
        change_at = args.commits - 1 - args.runbook_age_hours
    for i in range(args.commits):
        when = start + 3600 * i
        out.write(b"commit refs/heads/main\n")
        out.write(b"committer Bench <bench@example.org> %d +0000\n" % when)
        message = b"commit %d" % i
        out.write(b"data %d\n%s\n" % (len(message), message))
        if i == 0:
            out.write(b"M 100644 inline operability.toml\n")
            blob_data = MANIFEST.encode()
            out.write(b"data %d\n%s\n" % (len(blob_data), blob_data))
        if i == 0 or i == change_at:
            text = ("# Runbook\n## Restore\n## Rollback\n## Escalation\nrevision %d\n" % i).encode()
            out.write(b"M 100644 inline docs/runbook.md\n")
            out.write(b"data %d\n%s\n" % (len(text), text))
        noise = b"%d\n" % i
        out.write(b"M 100644 inline noise/%d.txt\n" % (i % 1000))
        out.write(b"data %d\n%s\n" % (len(noise), noise))
    out.close()
    if proc.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "-C", args.path, "reset", "-q", "--hard", "main"], check=True)


if __name__ == "__main__":
    main()
