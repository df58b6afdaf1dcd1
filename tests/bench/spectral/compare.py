#!/usr/bin/env python3
"""Check that Spectral with ruleset.yaml and `opsgate check` fail the same rules on manifests.

    compare.py SPECTRAL OPSGATE REPO [MANIFEST...] [--at TIME] [--worktree | --rev REV]
               [--from-worktree MANIFEST]... [--known-gap MANIFEST]...
               [--rules SRC] [--ruleset RULESET] [--keep DIR]

A MANIFEST is a manifest's path in REPO (relative, or absolute inside REPO). Like opsgate, the
MANIFEST arguments are read from git at REV (default HEAD: `git show REV:PATH`), or from the
work tree with --worktree; those given with --from-worktree always from the work tree. Those
given with --known-gap (also read from the work tree) are known gaps of the JSON form: there
the two tools must DISagree. Each manifest is converted to JSON (toml2json.py), and Spectral
runs once over all of them: `SPECTRAL lint --ruleset RULESET 000-a.json 001-b.json ... -f json`
(it lints each document on its own and names it in each result's `source`; one Node start-up
instead of one per manifest). opsgate runs once per manifest:
`OPSGATE check REPO --manifest MANIFEST --format json --at TIME`.

Only the rules of RULESET (the expressible ones) are compared. A rule counts as failing for
opsgate when its finding is `fail` or `waived` (a waiver does not change the check, and
Spectral has no waivers). The severities of the ruleset must also match opsgate's
(error = error, warn = warning).

Exit status: 0 when every manifest gives the expected answer (agree, or disagree for a known
gap), 1 when one does not (with a diff), 2 when a tool could not run (on any manifest).
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


class SpectralRun:
    """One Spectral run over all the manifests' JSON, in the background.

    Spectral runs in json_dir on the bare file names (glob-safe: see json_name), with
    --fail-on-unmatched-globs so that a document it cannot find is an error, not a silent pass.
    Its output goes to files in out_dir, so that it never waits on a full pipe while opsgate runs.
    """

    def __init__(self, spectral, ruleset, json_dir, names, out_dir):
        self.json_dir, self.names = json_dir, names
        self.command = [spectral, "lint", "--ruleset", ruleset, *names, "-f", "json", "--quiet",
                        "--fail-on-unmatched-globs"]
        self.stdout = open(os.path.join(out_dir, "spectral.stdout"), "w+", encoding="utf-8")
        self.stderr = open(os.path.join(out_dir, "spectral.stderr"), "w+", encoding="utf-8")
        try:
            self.process = subprocess.Popen(
                self.command, cwd=json_dir, stdout=self.stdout, stderr=self.stderr
            )
        except OSError as error:
            self.close()
            raise ToolError(f"cannot run {spectral}: {error}")

    def close(self):
        self.stdout.close()
        self.stderr.close()

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.close()

    def failures(self):
        """{file name in json_dir: {code: {"severity", "messages"}}}."""
        returncode = self.process.wait()
        self.stdout.seek(0)
        self.stderr.seek(0)
        stdout, stderr = self.stdout.read(), self.stderr.read()
        self.close()
        if returncode not in (0, 1):
            raise ToolError(
                f"{' '.join(self.command)} exited {returncode}\n{stderr.strip()}\n"
                f"{stdout.strip()[:2000]}"
            )
        try:
            results = json.loads(stdout)
        except json.JSONDecodeError:
            raise ToolError(f"spectral printed no JSON:\n{stdout[:2000]}\n{stderr[:2000]}")
        by_path = {os.path.realpath(os.path.join(self.json_dir, name)): name for name in self.names}
        failures = {name: {} for name in self.names}
        for result in results:
            source = os.path.join(self.json_dir, result.get("source") or "")
            name = by_path.get(os.path.realpath(source))
            if name is None:
                raise ToolError(f"spectral reported a source it was not given: {source}")
            code = result["code"]
            entry = failures[name].setdefault(
                code, {"severity": SPECTRAL_SEVERITY.get(result["severity"], "?"), "messages": []}
            )
            where = ".".join(str(part) for part in result.get("path", [])) or "$"
            entry["messages"].append(f"{where}: {result['message']}")
        return failures


def json_name(index, relpath):
    """The manifest's JSON file name: no glob characters (Spectral's arguments are globs)."""
    return f"{index:03d}-" + re.sub(r"[^A-Za-z0-9._-]", "_", relpath.replace("/", "__")) + ".json"


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


class Manifest:
    def __init__(self, relpath, worktree, known_gap=False):
        self.relpath = relpath
        self.worktree = worktree
        self.known_gap = known_gap
        self.json_name = None
        self.findings = None  # opsgate's, by rule id
        self.error = None  # why a tool could not run on it


def manifests_to_check(args, repo):
    def relative(path):
        if os.path.isabs(path):
            path = os.path.relpath(path, repo)
        return path.replace(os.sep, "/")

    return (
        [Manifest(relative(path), args.worktree) for path in args.manifest]
        + [Manifest(relative(path), True) for path in args.from_worktree or []]
        + [Manifest(relative(path), True, known_gap=True) for path in args.known_gap or []]
    )


def differences(expressible, spectral, findings):
    """(problems, opsgate_failed) for one manifest."""
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
    return problems, opsgate_failed


def compare(args):
    """Exit status: 0 all as expected, 1 one is not, 2 a tool could not run on one."""
    repo = os.path.abspath(args.repo)
    ruleset = os.path.abspath(args.ruleset)
    expressible = ruleset_rules(ruleset)
    manifests = manifests_to_check(args, repo)
    if not manifests:
        raise ToolError("no manifest to compare")

    with tempfile.TemporaryDirectory(prefix="opsgate-spectral-") as tmp:
        json_dir = os.path.abspath(args.keep or tmp)
        os.makedirs(json_dir, exist_ok=True)
        for index, manifest in enumerate(manifests):
            try:
                text = manifest_text(repo, manifest.relpath, args.rev or "HEAD", manifest.worktree)
                data = toml2json.convert(text)
                manifest.json_name = json_name(index, manifest.relpath)
                with open(os.path.join(json_dir, manifest.json_name), "w", encoding="utf-8") as out:
                    json.dump(data, out, indent=2, ensure_ascii=False, allow_nan=False)
            except (ToolError, OSError, ValueError) as error:
                manifest.error = f"cannot convert it: {error}"
        names = [manifest.json_name for manifest in manifests if manifest.error is None]
        # Spectral (~1 s of Node start-up, then each document) runs while opsgate checks.
        job = SpectralRun(args.spectral, ruleset, json_dir, names, tmp) if names else None
        try:
            for manifest in manifests:
                if manifest.error is not None:
                    continue
                try:
                    manifest.findings = opsgate_findings(
                        args.opsgate, repo, manifest.relpath, args.at, args.rev,
                        manifest.worktree, args.rules,
                    )
                except (ToolError, OSError, ValueError, KeyError) as error:
                    manifest.error = f"opsgate: {error}"
            spectral = job.failures() if job else {}
        finally:
            if job:
                job.kill()

    status = 0
    for manifest in manifests:
        relpath = manifest.relpath
        if manifest.error is not None:
            print(f"compare.py: {relpath}: {manifest.error}", file=sys.stderr)
            if manifest.known_gap:
                print(f"known gap {relpath}: compare.py failed")
            status = 2
            continue

        problems, opsgate_failed = differences(
            expressible, spectral[manifest.json_name], manifest.findings
        )
        if manifest.known_gap:
            if problems:
                print(f"known gap {relpath}: disagrees, as documented")
                continue
            print(f"known gap {relpath}: now AGREES (update README.md)")
            status = max(status, 1)
        elif problems:
            print(f"DISAGREE {relpath}: {len(problems)} difference(s)")
            for problem in problems:
                print(f"  {problem}")
            status = max(status, 1)
            continue

        statuses = {}
        for rule_id in expressible:
            rule_status = manifest.findings.get(rule_id, {}).get("status", "absent")
            statuses[rule_status] = statuses.get(rule_status, 0) + 1
        summary = ", ".join(f"{count} {name}" for name, count in sorted(statuses.items()))
        failed = " ".join(sorted(opsgate_failed)) or "none"
        print(
            f"agree {relpath}: {len(expressible)} expressible rules (opsgate: {summary}); "
            f"failing: {failed}"
        )
    return status


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spectral", help="the spectral binary")
    parser.add_argument("opsgate", help="the opsgate binary")
    parser.add_argument("repo", help="the git repository holding the manifest")
    parser.add_argument("manifest", nargs="*", help="manifest paths in REPO")
    parser.add_argument("--at", default=DEFAULT_AT, help=f"evaluation time (default {DEFAULT_AT})")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--worktree", action="store_true", help="read the MANIFEST arguments from the work tree"
    )
    where.add_argument("--rev", help="revision to read (default HEAD)")
    parser.add_argument(
        "--from-worktree", action="append", metavar="MANIFEST",
        help="a manifest read from the work tree (repeatable)",
    )
    parser.add_argument(
        "--known-gap", action="append", metavar="MANIFEST",
        help="a manifest (from the work tree) on which the tools must disagree (repeatable)",
    )
    parser.add_argument("--rules", action="append", help="rule pack for opsgate (repeatable)")
    parser.add_argument(
        "--ruleset", default=os.path.join(HERE, "ruleset.yaml"), help="the Spectral ruleset"
    )
    parser.add_argument("--keep", help="write the manifests' JSON into this directory and keep it")
    args = parser.parse_args()
    try:
        return compare(args)
    except (ToolError, OSError, ValueError, KeyError) as error:
        print(f"compare.py: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
