#!/usr/bin/env python3
"""Hostile repositories, as a pre-receive hook would meet them, and what opsgate costs on each.

    hostile.py make KIND DIR        builds the repository of one KIND in DIR (the e2e suite
                                    tests/e2e/hostile_test.sh uses it)
    hostile.py bench --build BUILD  builds every KIND in a temp dir, runs the release binary on
                                    each (through opsgate_bench_spawn: wall time, peak RSS, exit
                                    code) and prints one row per input beside its bound

Kinds (issue 17's table): deep-path (a 10,000-component path, check --base), deep-push (a
20,000-component path through a real pre-receive hook), big-runbook (300 MB runbook, 1.4 MB
packed), huge-runbook (900 MB), big-manifest (an oversized manifest), deep-header (a
[t.t.t...] header of 40,000 parts), deep-tree (a tree nested 80,000 levels, built without git).

Trees are written as loose objects directly (a path of 10,000 components is past what a file
system holds, and git accepts such trees from a push); blobs that large come from git itself.
"""

import argparse
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

MANIFEST = (b'schema = 1\n[service]\nname = "svc"\nowner = "team"\ntier = "critical"\n'
            b'stateful = true\n[runbook]\npath = "docs/runbook.md"\nlast_review = 2026-11-01\n')
DATE = "1764000000 +0000"


class Objects:
    """Loose objects written into a repository's object database, as git would."""

    def __init__(self, repo):
        self.git_dir = os.path.join(repo, ".git") if os.path.isdir(os.path.join(repo, ".git")) \
            else repo

    @staticmethod
    def loose(kind, data):
        """The object as git hashes it (and stores it loose), with its id."""
        raw = f"{kind} {len(data)}\0".encode() + data
        return raw, hashlib.sha1(raw).hexdigest()

    def write(self, kind, data):
        raw, oid = self.loose(kind, data)
        directory = os.path.join(self.git_dir, "objects", oid[:2])
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, oid[2:])
        if not os.path.exists(path):
            with open(path, "wb") as out:
                out.write(zlib.compress(raw, 1))
        return oid

    def tree(self, entries):
        """entries: [(mode, name, oid)], sorted as git sorts them."""
        data = b"".join(f"{mode} {name}\0".encode() + bytes.fromhex(oid)
                        for mode, name, oid in sorted(entries, key=lambda e: e[1] + ("/" if e[0] == "40000" else "")))
        return self.write("tree", data)

    def commit(self, tree, parents, message):
        lines = [f"tree {tree}"] + [f"parent {p}" for p in parents]
        lines += [f"author a <a@example.org> {DATE}", f"committer a <a@example.org> {DATE}", "",
                  message, ""]
        return self.write("commit", "\n".join(lines).encode())

    def set_ref(self, ref, oid):
        path = os.path.join(self.git_dir, ref)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as out:
            out.write(oid + "\n")


class PackedObjects(Objects):
    """Objects written as one pack that git index-pack indexes: the deep kinds hold tens of
    thousands of trees, and a file per object took most of the time they took to build."""

    TYPES = {"commit": 1, "tree": 2, "blob": 3, "tag": 4}

    def __init__(self, repo):
        super().__init__(repo)
        self.pending = {}

    def write(self, kind, data):
        oid = self.loose(kind, data)[1]
        self.pending.setdefault(oid, (kind, data))
        return oid

    def flush(self):
        """Writes every object written so far as objects/pack/pack-<checksum>.pack and its index."""
        parts = [b"PACK", struct.pack(">II", 2, len(self.pending))]
        for kind, data in self.pending.values():
            size = len(data)
            byte = (self.TYPES[kind] << 4) | (size & 0x0F)
            size >>= 4
            header = bytearray()
            while size:
                header.append(byte | 0x80)
                byte, size = size & 0x7F, size >> 7
            header.append(byte)
            parts += [bytes(header), zlib.compress(data, 1)]
        pack = b"".join(parts)
        checksum = hashlib.sha1(pack).digest()
        directory = os.path.join(self.git_dir, "objects", "pack")
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, f"pack-{checksum.hex()}.pack")
        with open(path, "wb") as out:
            out.write(pack + checksum)
        subprocess.run(["git", "index-pack", path], cwd=self.git_dir, check=True,
                       stdout=subprocess.DEVNULL)
        self.pending = {}


def git(repo, *args, env=None):
    subprocess.run(["git", "-C", repo, *args], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def chain(objects, depth, leaf_tree, name="d"):
    """A tree holding `name`/`name`/... `depth` levels down to leaf_tree."""
    tree = leaf_tree
    for _ in range(depth):
        tree = objects.tree([("40000", name, tree)])
    return tree


def make_deep_path(repo, depth=10_000):
    """Two commits: the second adds a file `depth` directories deep beside the service."""
    git(repo, "init", "-q", "-b", "main")
    objects = PackedObjects(repo)
    manifest = objects.write("blob", MANIFEST)
    runbook = objects.write("blob", b"# Runbook\n## Restore\n## Rollback\n## Escalation\n")
    docs = objects.tree([("100644", "runbook.md", runbook)])
    base_root = objects.tree([("100644", "operability.toml", manifest), ("40000", "docs", docs)])
    base = objects.commit(base_root, [], "service")
    leaf = objects.tree([("100644", "x", objects.write("blob", b"x\n"))])
    deep = chain(objects, depth - 1, leaf)
    root = objects.tree([("100644", "operability.toml", manifest), ("40000", "docs", docs),
                         ("40000", "d", deep)])
    head = objects.commit(root, [base], f"a path of {depth} components")
    objects.flush()
    objects.set_ref("refs/heads/main", head)
    return base, head


def make_deep_push(workdir, depth=20_000):
    """A bare server for opsgate's pre-receive hook, and a client holding the deep commit."""
    server = os.path.join(workdir, "server.git")
    client = os.path.join(workdir, "client")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", server], check=True)
    os.makedirs(client)
    base, head = make_deep_path(client, depth)
    return server, client, base, head


def make_runbook(repo, megabytes):
    git(repo, "init", "-q", "-b", "main")
    os.makedirs(os.path.join(repo, "docs"))
    with open(os.path.join(repo, "operability.toml"), "wb") as out:
        out.write(MANIFEST)
    line = b"the same line, over and over, so that it packs to almost nothing\n"
    with open(os.path.join(repo, "docs", "runbook.md"), "wb") as out:
        out.write(b"# Runbook\n")
        chunk = line * (1 << 14)
        for _ in range(megabytes * (1 << 20) // len(chunk)):
            out.write(chunk)
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=a", "-c", "user.email=a@example.org", "commit", "-q", "-m", "big")
    git(repo, "gc", "-q")
    os.remove(os.path.join(repo, "docs", "runbook.md"))  # the check reads git, not the disk


def make_big_manifest(repo):
    git(repo, "init", "-q", "-b", "main")
    with open(os.path.join(repo, "operability.toml"), "wb") as out:
        out.write(MANIFEST)
        out.write(b"# " + b"x" * (600 << 20) + b"\n")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=a", "-c", "user.email=a@example.org", "commit", "-q", "-m", "big")
    git(repo, "gc", "-q")
    os.remove(os.path.join(repo, "operability.toml"))


def make_deep_header(repo):
    git(repo, "init", "-q", "-b", "main")
    with open(os.path.join(repo, "operability.toml"), "wb") as out:
        out.write(MANIFEST + b"[" + b".".join([b"t"] * 40_000) + b"]\nx = 1\n")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=a", "-c", "user.email=a@example.org", "commit", "-q", "-m", "deep")


def make_deep_tree(repo, depth=80_000):
    git(repo, "init", "-q", "-b", "main")
    objects = PackedObjects(repo)
    leaf = objects.tree([("100644", "operability.toml", objects.write("blob", MANIFEST))])
    head = objects.commit(chain(objects, depth, leaf), [], f"a tree {depth} levels deep")
    objects.flush()
    objects.set_ref("refs/heads/main", head)


KINDS = {
    "deep-path": lambda d: make_deep_path(d),
    "big-runbook": lambda d: make_runbook(d, 300),
    "huge-runbook": lambda d: make_runbook(d, 900),
    "big-manifest": make_big_manifest,
    "deep-header": make_deep_header,
    "deep-tree": make_deep_tree,
}

# (kind, description, bound: seconds, MiB, expected exit)
ROWS = [
    # Both refused (exit 2) for nesting deeper than git's core.maxTreeDepth, as a full check is.
    ("deep-path", "a 10,000-component path, check --base", 1.0, 32, 2),
    ("deep-push", "a 20,000-component path through pre-receive", 1.0, 32, 2),
    ("big-runbook", "a 300 MB runbook (refused at the size limit)", 1.0, 64, 1),
    ("huge-runbook", "a 900 MB runbook", 1.0, 64, 1),
    ("big-manifest", "an oversized manifest", 1.0, 64, 2),
    ("deep-header", "a [t.t.t...] header of 40,000 parts", 1.0, 64, 2),
    ("deep-tree", "a tree nested 80,000 levels", 1.0, 64, 2),
]


def spawn(build, cmd, cwd=None, env=None, stdin=None):
    """(seconds, peak MiB, exit) of one run through opsgate_bench_spawn."""
    out = subprocess.run([os.path.join(build, "tests", "bench", "opsgate_bench_spawn")] + cmd,
                         cwd=cwd, env=env, input=stdin, capture_output=True, text=True,
                         check=True)
    micros, kib, code = out.stdout.split()[:3]
    return int(micros) / 1e6, int(kib) / 1024, int(code)


def bench(build, opsgate=None):
    opsgate = opsgate or os.path.join(build, "gate", "opsgate")
    at = "--at=2026-11-26T10:00:00Z"
    print(f"{'input':<50} {'time':>8} {'peak':>9} {'exit':>5}   bound")
    failed = 0
    with tempfile.TemporaryDirectory(prefix="opsgate-hostile-") as tmp:
        for kind, description, seconds, mib, expected in ROWS:
            work = os.path.join(tmp, kind)
            os.makedirs(work)
            if kind == "deep-push":
                server, client, base, head = make_deep_push(work)
                git(client, "push", "-q", server, f"{base}:refs/heads/main")
                hook = f"{server}/hooks/pre-receive"
                figures = os.path.join(work, "hook-figures")
                # The hook alone is measured (GNU time keeps its stdin, git's ref lines); the
                # push around it is git's own work.
                with open(hook, "w") as out:
                    out.write(f"#!/bin/sh\nexec /usr/bin/time -f '%e %M %x' -o {figures} "
                              f"{opsgate} hook pre-receive {at} --no-color\n")
                os.chmod(hook, 0o755)
                pushed = subprocess.run(["git", "-C", client, "push", "-q", server,
                                         f"{head}:refs/heads/main"], capture_output=True)
                with open(figures) as measured:
                    fields = measured.read().split()
                took, peak, code = float(fields[-3]), int(fields[-2]) / 1024, int(fields[-1])
                # The push must have been refused because the hook said so.
                code = code if pushed.returncode != 0 else 0
            else:
                KINDS[kind](work)
                cmd = [opsgate, "check", at]
                if kind == "deep-path":
                    cmd += ["--base", "HEAD~1"]
                took, peak, code = spawn(build, cmd, cwd=work)
            ok = took < seconds and peak < mib and code == expected
            failed += not ok
            print(f"{description:<50} {took:7.2f}s {peak:6.1f}MiB {code:>5}   "
                  f"< {seconds:g} s, < {mib} MiB, exit {expected}  {'met' if ok else 'MISSED'}")
            shutil.rmtree(work, ignore_errors=True)
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make")
    make.add_argument("kind", choices=sorted(KINDS) + ["deep-push"])
    make.add_argument("dir")
    make.add_argument("--depth", type=int, default=20_000,
                      help="deep-push: the path's components (default 20,000)")
    run = sub.add_parser("bench")
    run.add_argument("--build", required=True)
    run.add_argument("--opsgate", help="another opsgate binary to measure (e.g. an older one)")
    args = parser.parse_args()
    if args.command == "make":
        os.makedirs(args.dir, exist_ok=True)
        if args.kind == "deep-push":
            server, client, base, head = make_deep_push(args.dir, args.depth)
            print(server, client, base, head)
        else:
            KINDS[args.kind](args.dir)
        return 0
    return 1 if bench(args.build, args.opsgate) else 0


if __name__ == "__main__":
    sys.exit(main())
