#!/usr/bin/env python3
"""cpu_time.py OUT -- COMMAND...: runs COMMAND and writes the CPU seconds ("user sys") that it
and every process it started used to OUT; exits with COMMAND's status.

afl-fuzz's persistent-mode target outlives the fork server that started it, so the shell's
`time` never sees its CPU. Made a child subreaper, this process inherits such orphans and reaps
them, which adds their CPU time to its RUSAGE_CHILDREN.
"""
import ctypes
import os
import resource
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.stderr.write("usage: cpu_time.py OUT -- COMMAND...\n")
        return 2
    out, command = sys.argv[1], sys.argv[3:]
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    status = subprocess.call(command)
    # Reap the orphans COMMAND left; they die with afl-fuzz, so a few seconds are plenty.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.1)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out, "w") as stream:
        stream.write(f"{usage.ru_utime:.2f} {usage.ru_stime:.2f}\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
