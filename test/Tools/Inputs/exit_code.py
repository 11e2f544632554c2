#!/usr/bin/python3
"""Runs a command, passes its stdout/stderr through, then prints
`exit=<status>` (negative: killed by that signal) and exits 0, so a test can
FileCheck the exact exit status: `%exitcode CMD ARGS... 2>&1` (lit.cfg.py)."""
import subprocess
import sys

r = subprocess.run(sys.argv[1:])
sys.stdout.flush()
print("exit=%d" % r.returncode)
