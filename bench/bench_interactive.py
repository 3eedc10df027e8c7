"""Live-slider latency of every chapter demo (bplib.interactive).

For each ``*_demo`` factory in bplib/demos, the live ipywidgets control is driven
programmatically (``control.value = v``, which runs the update synchronously) and
the time until the new figure is in the Image widget is measured:

* cold: the frame was never rendered before (its cache is emptied before each
  move), so the demo function runs, the figure is drawn with Agg and encoded as
  PNG. What every frame shares (the axes' ticks and labels, ``static()``
  artists) was drawn at the first frame and is reused, as in a reader's control;
* plain: the same cold moves, drawing every frame in full (``reuse_layers=False``),
  the reference, measured in the same run, move for move, interleaved;
* cached: every frame already rendered (what the background prefetch gives a
  reader a second or two after the control appears).

Each cold move is timed ``--tries`` times (the fastest is kept): on a shared
machine other jobs take the CPU now and then, and the fastest try is the one
they left alone. Medians over the moves are reported.

Goal: cold median < 50 ms per update for every demo.
Usage: python bench/bench_interactive.py [--moves N] [--quick]
"""

from __future__ import annotations

import argparse
import inspect
import platform
import time

import numpy as np

from bplib.interactive import demo_factories

GOAL_S = 0.050


def moves(demo, n, rng):
    """n (control name, value) pairs: random grid values."""
    out = []
    for _ in range(n):
        s = demo.sliders[rng.integers(len(demo.sliders))]
        out.append((s.name, s.values[rng.integers(len(s))]))
    return out


def timed_move(live, name, value, *, cold, tries=1):
    """Seconds until ``live`` shows the frame for ``name = value``, or None if
    the control is already there. ``tries`` > 1: the fastest of that many
    (the later ones redo the update for the same value, from an empty cache
    when ``cold``), so that moments when other jobs hold the CPU drop out."""
    control = live.controls[name]
    if control.value == value:
        return None
    if cold:
        live.demo._cache.clear()
    t0 = time.perf_counter()
    control.value = value
    best = time.perf_counter() - t0
    for _ in range(tries - 1):
        if cold:
            live.demo._cache.clear()
        t0 = time.perf_counter()
        live.update()                  # what the control's observer runs
        best = min(best, time.perf_counter() - t0)
    return best


def bench_one(factory, n_moves, seed, tries):
    demo, ref = factory(), factory()
    ref.reuse_layers = False
    t0 = time.perf_counter()
    live = demo.widget(prefetch=False)          # first frame, shared layout and layers
    first = time.perf_counter() - t0
    live_ref = ref.widget(prefetch=False)
    rng = np.random.default_rng(seed)
    cold, plain = [], []
    for name, value in moves(demo, n_moves, rng):
        t = timed_move(live, name, value, cold=True, tries=tries)
        t_ref = timed_move(live_ref, name, value, cold=True, tries=tries)
        if t is not None:
            cold.append(t)
            plain.append(t_ref)
    for key in np.ndindex(*(len(s) for s in demo.sliders)):
        demo.live_frame(key)                     # what the prefetch thread does
    cached = [t for name, value in moves(demo, 4 * n_moves, rng)
              if (t := timed_move(live, name, value, cold=False)) is not None]
    return demo.n_frames, first, np.array(cold), np.array(plain), np.array(cached)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=16, help="cold moves per demo")
    parser.add_argument("--tries", type=int, default=3,
                        help="time each cold move this many times, keep the fastest")
    parser.add_argument("--quick", action="store_true", help="4 cold moves per demo")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n_moves = 4 if args.quick else args.moves
    ms = 1e3
    print(f"# {platform.machine()}, Python {platform.python_version()}, {n_moves} cold moves "
          f"per demo, each the fastest of {args.tries} tries; times in ms")
    header = (f"{'demo':<24} {'frames':>6} {'first':>6} {'cold med':>9} {'cold p90':>9} "
              f"{'plain med':>9} {'speedup':>7} {'cached med':>10}  cold < 50 ms")
    print(header)
    print("-" * len(header))
    met = []
    for name, factory in demo_factories().items():
        required = [p for p in inspect.signature(factory).parameters.values()
                    if p.default is p.empty and p.kind is not p.VAR_POSITIONAL
                    and p.kind is not p.VAR_KEYWORD]
        if required:
            print(f"{name:<24} skipped: needs arguments {[p.name for p in required]}")
            continue
        n, first, cold, plain, cached = bench_one(factory, n_moves, args.seed, args.tries)
        ok = bool(np.median(cold) < GOAL_S)
        met.append(ok)
        print(f"{name:<24} {n:>6} {first * ms:>6.0f} {np.median(cold) * ms:>9.1f} "
              f"{np.percentile(cold, 90) * ms:>9.1f} {np.median(plain) * ms:>9.1f} "
              f"{np.median(plain) / np.median(cold):>6.1f}x {np.median(cached) * ms:>10.2f}"
              f"  {'yes' if ok else 'NO'}")
    print(f"\nGoal (cold median < {GOAL_S * ms:.0f} ms): met by {sum(met)} of {len(met)} demos")


if __name__ == "__main__":
    main()
