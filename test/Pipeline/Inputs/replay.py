"""Replays each dump NN-<phase>.mlir of DIR from the one before it.

  replay.py DIR [--kernel-config FILE]

For each phase, runs `kiln-opt PREV --kiln-phase=phase=<phase>` (with
`kernel-config=FILE` when given, as kiln-compile --kernel-config=FILE) and
compares it with the dump, both printed through kiln-opt. Prints
"<phase>: same" or "<phase>: DIFF" with the first differing lines; exits 1
on any difference.
"""
import difflib
import os
import subprocess
import sys

KILN_OPT = "kiln-opt"


def opt(args, stdin=None):
    return subprocess.run([KILN_OPT] + args, input=stdin, capture_output=True, text=True,
                          check=True).stdout


def main():
    d = sys.argv[1]
    config = ""
    if len(sys.argv) == 4 and sys.argv[2] == "--kernel-config":
        config = f" kernel-config={sys.argv[3]}"
    elif len(sys.argv) != 2:
        sys.exit(__doc__)
    dumps = sorted(f for f in os.listdir(d) if f.endswith(".mlir"))
    bad = 0
    for prev, cur in zip(dumps, dumps[1:]):
        phase = cur.split("-", 1)[1][:-len(".mlir")]
        replayed = opt([], opt([os.path.join(d, prev), f"--kiln-phase=phase={phase}{config}"]))
        dumped = opt([os.path.join(d, cur)])
        if replayed == dumped:
            print(f"{phase}: same")
            continue
        bad += 1
        print(f"{phase}: DIFF")
        diff = difflib.unified_diff(dumped.splitlines(), replayed.splitlines(), lineterm="")
        for line in list(diff)[:20]:
            print("  " + line)
    print(f"replayed {len(dumps) - 1} phases")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
