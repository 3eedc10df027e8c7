"""How long a live slider of every chapter demo takes to show a frame (bplib.figures).

For each ``*_demo`` factory in bplib/demos, the live ipywidgets control is driven from
Python (``control.value = v`` runs its observer at once) and the clock stops when the
new PNG is in the Image widget. Three kinds of move, over one random plan per demo:

* new: a frame never shown before (the demo function runs, matplotlib draws, the
  PNG is written), every grid point of the plan a different one;
* plain: the reference, interleaved move for move: the same figure made by the demo
  function and written with a plain ``fig.savefig(buf, format="png")`` at the same
  resolution (the figure's own layout engine, default PNG compression);
* shown: the same moves again, now from memory.

Goals: new median <= 150 ms and 90th percentile <= 300 ms; shown <= 5 ms.
The load average is printed before and after: on a busy machine every time grows.
Usage: python bench/bench_interactive.py [--moves N] [--quick] [--seed S]
"""

from __future__ import annotations

import argparse
import inspect
import io
import os
import platform
import time

import matplotlib
import numpy as np

from bplib.demos import demo_factories
from bplib.figures import DPI

GOAL_NEW_MEDIAN_S, GOAL_NEW_P90_S, GOAL_SHOWN_S = 0.150, 0.300, 0.005


def timed(live, name, value) -> float:
    """Seconds until ``live`` shows its frame after the reader sets ``name = value``."""
    t0 = time.perf_counter()
    live.controls[name].value = value
    return time.perf_counter() - t0


def plain_savefig(demo, values) -> float:
    t0 = time.perf_counter()
    out = demo.fn(**values)
    fig = out[0] if isinstance(out, tuple) else out
    fig.savefig(io.BytesIO(), format="png", dpi=DPI)
    return time.perf_counter() - t0


def bench_one(factory, n_moves, rng):
    """A reader's moves, one control at a time, each to a frame never shown before;
    then the same moves again from the start, every frame now in memory."""
    demo = factory()
    t0 = time.perf_counter()
    live = demo.widget()          # the first frame, with the layout every frame shares
    first = time.perf_counter() - t0
    moves, new, plain = [], [], []
    for _ in range(100 * n_moves):
        if len(moves) == min(n_moves, demo.n_frames - 1):
            break
        s = demo.sliders[rng.integers(len(demo.sliders))]
        value = s.values[rng.integers(len(s))]
        target = {**live.values, s.name: value}
        if demo.is_ready(**target):
            continue
        moves.append((s.name, value))
        new.append(timed(live, s.name, value))
        plain.append(plain_savefig(demo, target))
    for name, value in demo.initial.items():
        live.controls[name].value = value
    shown = [timed(live, name, value) for name, value in moves]
    return demo.n_frames, first, np.array(new), np.array(plain), np.array(shown)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=20, help="new frames per demo")
    parser.add_argument("--quick", action="store_true", help="5 new frames per demo")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n_moves = 5 if args.quick else args.moves
    ms, rng = 1e3, np.random.default_rng(args.seed)
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, matplotlib {matplotlib.__version__}; "
          f"{n_moves} new frames per demo; times in ms")
    print("# load average (1, 5, 15 min) before: " +
          ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    header = (f"{'demo':<24} {'frames':>6} {'first':>6} {'new med':>8} {'new p90':>8} "
              f"{'plain med':>9} {'new/plain':>9} {'shown med':>9}  goals met")
    print(header)
    print("-" * len(header))
    met = []
    for name, factory in demo_factories().items():
        required = [p for p in inspect.signature(factory).parameters.values()
                    if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL,
                                                               p.VAR_KEYWORD)]
        if required:
            print(f"{name:<24} skipped: needs arguments {[p.name for p in required]}")
            continue
        n, first, new, plain, shown = bench_one(factory, n_moves, rng)
        med, p90, shown_med = np.median(new), np.percentile(new, 90), np.median(shown)
        ok = med <= GOAL_NEW_MEDIAN_S and p90 <= GOAL_NEW_P90_S and shown_med <= GOAL_SHOWN_S
        met.append(ok)
        print(f"{name:<24} {n:>6} {first * ms:>6.0f} {med * ms:>8.1f} {p90 * ms:>8.1f} "
              f"{np.median(plain) * ms:>9.1f} {med / np.median(plain):>8.2f}x "
              f"{shown_med * ms:>9.2f}  {'yes' if ok else 'NO'}")
    print("# load average after: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"\nGoals (new median <= {GOAL_NEW_MEDIAN_S * ms:.0f} ms, new p90 <= "
          f"{GOAL_NEW_P90_S * ms:.0f} ms, shown <= {GOAL_SHOWN_S * ms:.0f} ms): "
          f"met by {sum(met)} of {len(met)} demos")


if __name__ == "__main__":
    main()
