"""Run every benchmark in this folder (bench/bench_*.py), one after the other.

    python bench/run_all.py            # full runs
    python bench/run_all.py --quick    # the arguments are passed to every script

Each script runs in its own process with this Python, so thread settings and
imports do not leak from one to the next. By convention every bench_*.py accepts
``--quick``. The exit status is non-zero if any script failed; the others still run.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys
import time


def main(argv):
    here = pathlib.Path(__file__).resolve().parent
    scripts = sorted(here.glob("bench_*.py"))
    failed = []
    for script in scripts:
        print(f"\n===== {script.name} {' '.join(argv)}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script), *argv], cwd=here.parent)
        print(f"===== {script.name}: exit {rc}, {time.perf_counter() - t0:.1f} s", flush=True)
        if rc != 0:
            failed.append(script.name)
    if failed:
        print(f"\nFAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
