"""Run every benchmark in this folder (bench/bench_*.py), one after the other.

    python bench/run_all.py            # full runs
    python bench/run_all.py --quick    # quick runs, for scripts that offer --quick

Each script runs in its own process with this Python, so thread settings and
imports do not leak from one to the next. ``--quick`` is passed to the scripts whose
command line offers it; the others run as they are. The exit status is non-zero if
any script failed; the others still run.
"""

from __future__ import annotations

import argparse
import pathlib
import subprocess
import sys
import time


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="quick runs where offered")
    args = parser.parse_args(argv)
    here = pathlib.Path(__file__).resolve().parent
    failed = []
    for script in sorted(here.glob("bench_*.py")):
        extra = ["--quick"] if args.quick and '"--quick"' in script.read_text() else []
        print(f"\n===== {script.name} {' '.join(extra)}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script), *extra], cwd=here.parent)
        print(f"===== {script.name}: exit {rc}, {time.perf_counter() - t0:.1f} s", flush=True)
        if rc != 0:
            failed.append(script.name)
    if failed:
        print(f"\nFAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
