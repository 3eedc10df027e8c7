"""Live-slider latency of every chapter demo (bplib.interactive).

For each ``*_demo`` factory in bplib/demos, the live ipywidgets control is driven
programmatically (``control.value = v``, which runs the update synchronously) and
the time until the new figure is in the Image widget is measured:

* cold: the frame cache is emptied before each move, so every move re-runs the
  demo function, draws the figure with Agg and encodes the PNG;
* cached: every frame already rendered (what the background prefetch gives a
  reader a few seconds after the control appears).

Goal: median < 50 ms per update. Usage: python bench/bench_interactive.py [--moves N]
"""

from __future__ import annotations

import argparse
import inspect
import time

import numpy as np

from bplib.interactive import demo_factories

GOAL_S = 0.050


def moves(demo, n, rng):
    """n (control name, value) pairs: random grid values, each different from now."""
    out = []
    for _ in range(n):
        s = demo.sliders[rng.integers(len(demo.sliders))]
        out.append((s.name, s.values[rng.integers(len(s))]))
    return out


def drive(live, plan, *, cold):
    """Seconds per update for each move in plan (moves to the current value skipped)."""
    times = []
    for name, value in plan:
        control = live.controls[name]
        if control.value == value:
            continue
        if cold:
            live.demo._cache.clear()
        t0 = time.perf_counter()
        control.value = value
        times.append(time.perf_counter() - t0)
    return np.array(times)


def bench_one(factory, n_moves, seed):
    demo = factory()
    t0 = time.perf_counter()
    live = demo.widget(prefetch=False)          # first frame + shared layout
    first = time.perf_counter() - t0
    rng = np.random.default_rng(seed)
    cold = drive(live, moves(demo, n_moves, rng), cold=True)
    for key in np.ndindex(*(len(s) for s in demo.sliders)):
        demo.live_frame(key)                     # what the prefetch thread does
    cached = drive(live, moves(demo, 4 * n_moves, rng), cold=False)
    return demo.n_frames, first, cold, cached


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=8, help="cold moves per demo")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    ms = 1e3
    header = (f"{'demo':<24} {'frames':>6} {'first ms':>9} {'cold med':>9} {'cold p90':>9} "
              f"{'cached med':>10} {'cached p90':>10}  goal<50ms")
    print(header)
    print("-" * len(header))
    for name, factory in demo_factories().items():
        required = [p for p in inspect.signature(factory).parameters.values()
                    if p.default is p.empty and p.kind is not p.VAR_POSITIONAL
                    and p.kind is not p.VAR_KEYWORD]
        if required:
            print(f"{name:<24} skipped: needs arguments {[p.name for p in required]}")
            continue
        n, first, cold, cached = bench_one(factory, args.moves, args.seed)
        ok = ("cold+cached" if np.median(cold) < GOAL_S else
              "cached only" if np.median(cached) < GOAL_S else "no")
        print(f"{name:<24} {n:>6} {first * ms:>9.0f} {np.median(cold) * ms:>9.0f} "
              f"{np.percentile(cold, 90) * ms:>9.0f} {np.median(cached) * ms:>10.2f} "
              f"{np.percentile(cached, 90) * ms:>10.2f}  {ok}")


if __name__ == "__main__":
    main()
