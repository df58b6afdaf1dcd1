#!/usr/bin/env python3
"""Check that Spectral with ruleset.yaml and `opsgate check` fail the same rules on a manifest.

    compare.py SPECTRAL OPSGATE REPO MANIFEST [--at TIME] [--worktree | --rev REV]
               [--rules SRC] [--ruleset RULESET] [--keep DIR]

MANIFEST is the manifest's path in REPO (relative, or absolute inside REPO). Like opsgate,
the manifest is read from git at REV (default HEAD: `git show REV:PATH`), or from the work
tree with --worktree. It is converted to JSON (toml2json.py) and linted with
`SPECTRAL lint --ruleset RULESET manifest.json -f json`; opsgate runs
`OPSGATE check REPO --manifest MANIFEST --format json --at TIME`.

Only the rules of RULESET (the expressible ones) are compared. A rule counts as failing for
opsgate when its finding is `fail` or `waived` (a waiver does not change the check, and
Spectral has no waivers). The severities of the ruleset must also match opsgate's
(error = error, warn = warning).

Exit status: 0 when both agree, 1 with a diff when they do not, 2 when a tool could not run.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import toml2json  # noqa: E402

DEFAULT_AT = "2026-11-26T22:00:00+01:00"
SPECTRAL_SEVERITY = {0: "error", 1: "warn", 2: "info", 3: "hint"}
OPSGATE_SEVERITY = {"error": "error", "warning": "warn", "info": "info"}


class ToolError(Exception):
    pass


def ruleset_rules(path):
    """{rule id: severity} of the Spectral ruleset."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    try:
        import yaml
    except ImportError:
        yaml = None
    if yaml is not None:
        rules = yaml.safe_load(text).get("rules", {})
        return {rule_id: str(rule.get("severity", "warn")) for rule_id, rule in rules.items()}
    # Without PyYAML: rule ids are the two-space-indented keys, each followed by its severity.
    found, current = {}, None
    for line in text.splitlines():
        match = re.match(r"^  ([A-Za-z0-9_-]+):\s*$", line)
        if match:
            current = match.group(1)
            found[current] = "warn"
            continue
        match = re.match(r"^    severity:\s*(\w+)", line)
        if match and current:
            found[current] = match.group(1)
    return found


def run(command, ok_codes):
    try:
        done = subprocess.run(command, capture_output=True, text=True)
    except OSError as error:
        raise ToolError(f"cannot run {command[0]}: {error}")
    if done.returncode not in ok_codes:
        raise ToolError(
            f"{' '.join(command)} exited {done.returncode}\n{done.stderr.strip()}\n"
            f"{done.stdout.strip()[:2000]}"
        )
    return done


def manifest_text(repo, relpath, rev, worktree):
    if worktree:
        with open(os.path.join(repo, relpath), "rb") as handle:
            return handle.read().decode("utf-8")
    done = run(["git", "-C", repo, "show", f"{rev}:{relpath}"], {0})
    return done.stdout


def spectral_failures(spectral, ruleset, json_path):
    done = run([spectral, "lint", "--ruleset", ruleset, json_path, "-f", "json", "--quiet"], {0, 1})
    try:
        results = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise ToolError(f"spectral printed no JSON:\n{done.stdout[:2000]}\n{done.stderr[:2000]}")
    failures = {}
    for result in results:
        code = result["code"]
        entry = failures.setdefault(
            code, {"severity": SPECTRAL_SEVERITY.get(result["severity"], "?"), "messages": []}
        )
        where = ".".join(str(part) for part in result.get("path", [])) or "$"
        entry["messages"].append(f"{where}: {result['message']}")
    return failures


def opsgate_findings(opsgate, repo, relpath, at, rev, worktree, rules):
    command = [opsgate, "check", repo, "--manifest", relpath, "--format", "json", "--at", at]
    if worktree:
        command.append("--worktree")
    elif rev:
        command += ["--rev", rev]
    for source in rules or []:
        command += ["--rules", source]
    done = run(command, {0, 1})
    report = json.loads(done.stdout)
    for manifest in report["manifests"]:
        if manifest["path"] == relpath:
            return {finding["rule"]: finding for finding in manifest["findings"]}
    raise ToolError(f"opsgate's report has no manifest {relpath}")


def compare(args):
    repo = os.path.abspath(args.repo)
    relpath = args.manifest
    if os.path.isabs(relpath):
        relpath = os.path.relpath(relpath, repo)
    relpath = relpath.replace(os.sep, "/")
    ruleset = os.path.abspath(args.ruleset)
    expressible = ruleset_rules(ruleset)

    data = toml2json.convert(manifest_text(repo, relpath, args.rev or "HEAD", args.worktree))
    with tempfile.TemporaryDirectory(prefix="opsgate-spectral-") as tmp:
        json_path = os.path.join(args.keep or tmp, relpath.replace("/", "__") + ".json")
        os.makedirs(os.path.dirname(json_path), exist_ok=True)
        with open(json_path, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, ensure_ascii=False, allow_nan=False)
        spectral = spectral_failures(args.spectral, ruleset, json_path)

    findings = opsgate_findings(
        args.opsgate, repo, relpath, args.at, args.rev, args.worktree, args.rules
    )

    problems = []
    unknown = sorted(set(spectral) - set(expressible))
    if unknown:
        problems.append(f"spectral reported codes that are not rules of the ruleset: {unknown}")
    not_loaded = sorted(set(expressible) - set(findings))
    if not_loaded:
        problems.append(f"ruleset rules that opsgate did not evaluate: {not_loaded}")
    for rule_id, severity in sorted(expressible.items()):
        finding = findings.get(rule_id)
        if finding and OPSGATE_SEVERITY.get(finding["severity"]) != severity:
            problems.append(
                f"{rule_id}: severity {severity} in the ruleset, {finding['severity']} in opsgate"
            )

    opsgate_failed = {
        rule_id
        for rule_id, finding in findings.items()
        if rule_id in expressible and finding["status"] in ("fail", "waived")
    }
    spectral_failed = set(spectral) & set(expressible)
    for rule_id in sorted(opsgate_failed - spectral_failed):
        finding = findings[rule_id]
        problems.append(
            f"{rule_id}: only opsgate fails it ({finding['status']}): {finding.get('message')}"
        )
    for rule_id in sorted(spectral_failed - opsgate_failed):
        status = findings.get(rule_id, {}).get("status", "absent")
        problems.append(
            f"{rule_id}: only spectral fails it (opsgate: {status}, "
            f"{findings.get(rule_id, {}).get('message')}): "
            + " | ".join(spectral[rule_id]["messages"])
        )

    statuses = {}
    for rule_id in expressible:
        status = findings.get(rule_id, {}).get("status", "absent")
        statuses[status] = statuses.get(status, 0) + 1
    summary = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
    if problems:
        print(f"DISAGREE {relpath}: {len(problems)} difference(s)")
        for problem in problems:
            print(f"  {problem}")
        return 1
    failed = " ".join(sorted(opsgate_failed)) or "none"
    print(
        f"agree {relpath}: {len(expressible)} expressible rules (opsgate: {summary}); "
        f"failing: {failed}"
    )
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spectral", help="the spectral binary")
    parser.add_argument("opsgate", help="the opsgate binary")
    parser.add_argument("repo", help="the git repository holding the manifest")
    parser.add_argument("manifest", help="the manifest path in REPO")
    parser.add_argument("--at", default=DEFAULT_AT, help=f"evaluation time (default {DEFAULT_AT})")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--worktree", action="store_true", help="read the work tree, not git")
    where.add_argument("--rev", help="revision to read (default HEAD)")
    parser.add_argument("--rules", action="append", help="rule pack for opsgate (repeatable)")
    parser.add_argument(
        "--ruleset", default=os.path.join(HERE, "ruleset.yaml"), help="the Spectral ruleset"
    )
    parser.add_argument("--keep", help="write the manifest JSON into this directory and keep it")
    args = parser.parse_args()
    try:
        return compare(args)
    except (ToolError, OSError, ValueError, KeyError) as error:
        print(f"compare.py: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
