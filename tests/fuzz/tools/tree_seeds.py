#!/usr/bin/env python3
"""Writes the seed corpus of the `tree` target (tests/fuzz/corpus/tree/).

The bytes follow the order tree_fuzz.cpp's Program consumes them: two bytes choosing the head
and base trees (counted back from the newest tree), then instructions. Each seed builds one
shape a hostile push can have (a monorepo, deep chains, a bomb, a wide directory, odd names and
modes, symlinks, a manifest naming a path thousands of directories down) that the fuzzer then
mutates. Run it from the repository root after changing that order or the tables below.
"""
import os

CORPUS = "tests/fuzz/corpus/tree"

# tree_fuzz.cpp's name_table() and k_modes, by index.
NAMES = ["operability.toml", "docs", "runbook.md", "monitoring", "alerts.yaml", "scripts",
         "rollback.sh", "services", "a", "b", "..", ".", ".git", "", "/", "a/b", "/a", "a/",
         "../operability.toml", "docs/runbook.md", "operability.toml/", "OPERABILITY.TOML",
         "operability.toml\n", " operability.toml", "\x1b[2J", "\u202elmth.exe", "caf\\xe9",
         "x\\x01y", "n*255", "l*4096", "operability.toml\\0x"]
MODES = ["100644", "40000", "100755", "120000", "160000", "040000", "100664", "0", "644", "755",
         "1", "177777", "200000", "-1", "", "40755", "140000", "060000", "10644", " 100644"]

# The objects every program starts from, oldest first (pick(n) counts back from the newest).
START = ["manifest", "runbook", "alerts", "script", "empty tree", "docs", "monitoring",
         "scripts", "sample root"]


def name(value):
    return bytes([NAMES.index(value)])


def mode(value):
    return bytes([MODES.index(value)])


def pick(back):
    """The object `back` places before the newest (0: the newest), or "missing": an id
    nothing stores."""
    return bytes([255, 7]) if back == "missing" else bytes([back])


def count(value):
    return bytes([value >> 8, value & 0xFF])


def blob(content):
    return bytes([0, len(content)]) + content


def preset(index):
    return bytes([1, index])


def tree(entries, sort=True):
    out = bytes([2, len(entries)])
    for entry_mode, entry_name, back in entries:
        out += mode(entry_mode) + name(entry_name) + pick(back)
    return out + bytes([0 if sort else 1])


def chain(back, dir_name, depth):
    return bytes([3]) + pick(back) + name(dir_name) + count(depth - 1)


def bomb(back, width, levels):
    return bytes([4]) + pick(back) + bytes([width - 2, levels - 1])


def wide(entry_mode, back, entries):
    return bytes([5]) + mode(entry_mode) + pick(back) + count(entries)


def raw_tree(data):
    return bytes([6, len(data)]) + data


def edit(tree_back, entry_mode, entry_name, back, replace=True):
    return bytes([7, tree_back]) + mode(entry_mode) + name(entry_name) + pick(back) + \
        bytes([1 if replace else 0])


def deep_manifest(dir_name, depth):
    return bytes([8]) + name(dir_name) + count(depth)


def choose(head, base):
    return bytes([head, base])


SAMPLE = START.index("sample root")
MANIFEST = len(START) - 1 - START.index("manifest")  # pick() distance from a fresh start

SEEDS = {
    # The sample service as it is: one manifest at the root, evaluated.
    "sample.bin": choose(0, 0),
    # A monorepo: the sample service twice under services/, changed against the sample.
    "monorepo.bin": choose(0, 2) + tree([("40000", "a", 0), ("40000", "b", 0)])
    + tree([("40000", "services", 0)]),
    # A change inside one service: its runbook replaced by the alerts.
    "edit-runbook.bin": choose(0, 2) + edit(3, "100644", "runbook.md", 6)
    + edit(1, "40000", "docs", 0),
    # Deep chains: 4095 levels above the sample (walked), 5000 (refused past 4096).
    "chain-4095.bin": choose(0, 1) + chain(0, "a", 4095),
    "chain-5000.bin": choose(0, 1) + chain(0, "b", 5000),
    # Long names down a chain: 200 levels of 255-byte names (paths of 51 KB).
    "chain-long-names.bin": choose(0, 1) + chain(0, "n*255", 200),
    # A bomb: 64 entries per level to one subtree, two levels (4096 sample services).
    "bomb.bin": choose(0, 1) + bomb(0, 64, 2),
    # More manifests than one run judges (10,001 > 10,000).
    "wide-manifests.bin": choose(0, 1) + wide("100644", MANIFEST, 10001),
    # Odd names and modes, unsorted, with a duplicate.
    "odd-names.bin": choose(0, 1) + tree([
        ("40000", "..", 0), ("100644", ".", 0), ("40000", ".git", 0), ("100644", "/", 8),
        ("40000", "a/b", 0), ("100644", "\x1b[2J", 8), ("160000", "\u202elmth.exe", 3),
        ("100644", "operability.toml", 8)], sort=False)
    + tree([("40000", "docs", 0), ("100755", "docs", 1), ("177777", "operability.toml", 9),
            ("1", "x\\x01y", 2), ("120000", "runbook.md", 3)], sort=False),
    # Entries git cannot parse: an empty name, a name cut by a NUL.
    "unparsable.bin": choose(0, 1) + tree([("100644", "", 8)])
    + tree([("100644", "operability.toml\\0x", 9)]),
    # Symlinks: in the tree, out of it, to a directory, looping.
    "symlinks.bin": choose(0, 1) + preset(3) + preset(4) + preset(5) + preset(6)
    + tree([("120000", "services", 3), ("120000", "docs", 2), ("120000", "operability.toml", 1),
            ("120000", "a", 0), ("40000", "b", 5)]),
    # A manifest whose runbook lies 4000 directories down a chain that holds it.
    "deep-runbook.bin": choose(0, 1) + chain(3, "a", 4000) + deep_manifest("a", 4001)
    + tree([("100644", "operability.toml", 0), ("40000", "a", 1)]),
    # Ids nothing stores, a blob where a tree should be, bytes that are no tree.
    "damaged.bin": choose(0, 1) + raw_tree(b"100644 x\0short")
    + tree([("40000", "docs", "missing"), ("40000", "scripts", 2),
            ("100644", "operability.toml", 9), ("40000", "monitoring", 0)]),
    # A manifest over the size limit, and a fuzzed one.
    "oversize.bin": choose(0, 1) + preset(8) + blob(b"schema = 1\n[service]\nname = \"x\"\n")
    + tree([("100644", "operability.toml", 1), ("40000", "a", 10)])
    + tree([("100644", "operability.toml", 1)]),
}


def main():
    os.makedirs(CORPUS, exist_ok=True)
    for file_name, data in SEEDS.items():
        with open(os.path.join(CORPUS, file_name), "wb") as out:
            out.write(data)


if __name__ == "__main__":
    main()
