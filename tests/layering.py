#!/usr/bin/env python3
"""Checks the layering of gate/ (gate/README.md): each folder includes only its own headers and
those of the layers below it, and the pure layers stay away from libgit2, libcurl, the clock
and threads. The build already refuses most wrong includes (each folder's headers are on the
include path of its own target and the ones above it only); this also catches what include
paths cannot keep out: system headers, `../` paths, and a header that merely happens to be
reachable."""

import pathlib
import re
import sys

GATE = pathlib.Path(__file__).resolve().parent.parent / "gate"

ALLOWED = {
    "base": {"base"},
    "time": {"base", "time"},
    "core": {"base", "time", "core"},
    "git": {"base", "time", "core", "git"},
    "report": {"base", "time", "core", "report"},
    "status": {"base", "status"},
    "check": {"base", "time", "core", "git", "check"},
    "fleet": {"base", "time", "core", "git", "check", "fleet"},
    "cli": {"base", "time", "core", "git", "report", "status", "check", "fleet", "cli"},
}
# Layers that never touch git, the network, the clock or threads (the clock is read once, by
# the library entry point, when no evaluation time is given).
PURE = {"time", "core", "report"}
FORBIDDEN_IN_PURE = [
    (re.compile(r"#include\s*<git2"), "libgit2"),
    (re.compile(r"#include\s*<curl/"), "libcurl"),
    (re.compile(r"system_clock::now|steady_clock::now|\btime\(nullptr\)"), "the clock"),
    (re.compile(r"std::thread\b|std::jthread\b|std::async\b"), "a thread of its own"),
]
CLOCK_OK = {("time", "timeutil.cpp")}  # now_utc(), which only check/ and cli/ call

INCLUDE = re.compile(r'^\s*#include\s*"([^"]+)"', re.M)


def main():
    headers = {}
    for folder in ALLOWED:
        for header in (GATE / folder).glob("*.hpp"):
            if header.name in headers:
                print(f"{header}: the name is also {headers[header.name]}")
                return 1
            headers[header.name] = folder
    problems = []
    for folder, allowed in ALLOWED.items():
        for source in sorted((GATE / folder).glob("*.[ch]pp")):
            text = source.read_text()
            for name in INCLUDE.findall(text):
                if "/" in name:
                    problems.append(f"{source}: #include \"{name}\": include by name, not by path")
                    continue
                owner = headers.get(name)
                if owner is None:
                    problems.append(f"{source}: #include \"{name}\": no such header in gate/")
                elif owner not in allowed:
                    problems.append(
                        f"{source}: #include \"{name}\": {folder}/ may not use {owner}/ "
                        f"(allowed: {', '.join(sorted(allowed))})")
            if folder in PURE:
                for pattern, what in FORBIDDEN_IN_PURE:
                    if what == "the clock" and (folder, source.name) in CLOCK_OK:
                        continue
                    if pattern.search(text):
                        problems.append(f"{source}: {folder}/ must not use {what}")
            if folder != "cli" and folder != "check" and re.search(r"\bnow_utc\(\)", text) \
                    and (folder, source.name) not in CLOCK_OK and source.suffix == ".cpp":
                problems.append(f"{source}: only check/ and cli/ read the clock (now_utc)")
    stray = [p for p in GATE.glob("*.[ch]pp")]
    for path in stray:
        problems.append(f"{path}: every source lives in a layer's folder")
    for problem in problems:
        print(problem)
    print(f"layering: {len(problems)} problem(s) in {sum(1 for _ in GATE.rglob('*.[ch]pp'))} files")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
