"""How often the live playground redraws its views while it trains (bplib.playground).

The JupyterLab control (``bplib.playground.control.Playground``) is run as in a
kernel: ``play()`` on a running asyncio event loop, turn after turn (train for about
``TRAIN_S`` seconds, redraw every view into one PNG, yield to the loop), for a few
seconds, then ``pause()``. The network is the issue's case: 2 hidden layers of 8
units on 500 points (half for training), batch size 10, tanh, SGD.

Two contestants, interleaved round by round so that machine load hits both alike:

* live: the control as it is (one figure made once, its artists' data replaced, PNG
  written with fast compression);
* plain: the reference, the same turns, but each redraw builds a new figure of the
  views and writes it with a plain ``fig.savefig(buf, format="png")``.

Goal: live >= 5 updates per second. Measured by the wall clock, and by the process's
CPU clock (updates per CPU second: the rate with a core of its own, which a shared,
busy machine does not give). The load average is printed before and after.
Usage: python bench/bench_playground.py [--seconds S] [--rounds R] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import platform
import time

import matplotlib
import numpy as np

from bplib.playground import Settings
from bplib.playground.control import Playground
from bplib.playground.views import DPI, PlaygroundView

GOAL_UPDATES_PER_S = 5.0
SETTINGS = Settings(dataset="spiral", n=500, hidden_layers=2, units=8, batch_size=10)


class PlainPlayground(Playground):
    """The reference: a new figure for every redraw, written by a plain savefig."""

    def show(self):
        view = PlaygroundView(self.session)
        buf = io.BytesIO()
        view.fig.savefig(buf, format="png", dpi=DPI)
        self.image.value = buf.getvalue()
        self.epoch_label.value = f"<b>epoch {self.session.epoch}</b>"
        self.updates += 1


def run(cls, seconds):
    """Over ``seconds`` of play: (updates per second, epochs per second, ms per redraw,
    updates per second of CPU time)."""
    pg = cls(SETTINGS)
    draw_s = []
    show = pg.show

    def timed_show():
        t0 = time.perf_counter()
        show()
        draw_s.append(time.perf_counter() - t0)

    pg.show = timed_show

    async def drive():
        start_updates, start_epoch = pg.updates, pg.session.epoch
        t0, c0 = time.perf_counter(), time.process_time()
        pg.play()
        await asyncio.sleep(seconds)
        pg.pause()
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        n = pg.updates - start_updates
        return n / elapsed, (pg.session.epoch - start_epoch) / elapsed, n / cpu

    updates, epochs, per_cpu_s = asyncio.run(drive())
    return updates, epochs, 1e3 * float(np.median(draw_s)), per_cpu_s


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="play time per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one round of 2 s")
    args = parser.parse_args(argv)
    seconds, rounds = (2.0, 1) if args.quick else (args.seconds, args.rounds)
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, matplotlib {matplotlib.__version__}; "
          f"{SETTINGS.hidden_layers} x {SETTINGS.units} network, {SETTINGS.n} points, "
          f"batch {SETTINGS.batch_size}; {rounds} round(s) of {seconds:g} s each")
    print("# load average (1, 5, 15 min) before: " +
          ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    results = {"live": [], "plain": []}
    for _ in range(rounds):
        for name, cls in (("live", Playground), ("plain", PlainPlayground)):
            results[name].append(run(cls, seconds))
    header = (f"{'contestant':<10} {'updates/s':>9} {'epochs/s':>9} {'ms/redraw':>9} "
              f"{'updates/cpu-s':>13}")
    print(header)
    print("-" * len(header))
    med = {}
    for name, rows in results.items():
        med[name] = np.median(np.array(rows), axis=0)
        u, e, d, c = med[name]
        print(f"{name:<10} {u:>9.1f} {e:>9.1f} {d:>9.0f} {c:>13.1f}")
    print("# load average after: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"\nlive / plain updates per second: {med['live'][0] / med['plain'][0]:.2f}x "
          f"(per CPU second: {med['live'][3] / med['plain'][3]:.2f}x)")
    for what, k in (("wall clock", 0), ("CPU clock, i.e. on a core of its own", 3)):
        ok = med["live"][k] >= GOAL_UPDATES_PER_S
        print(f"Goal (live >= {GOAL_UPDATES_PER_S:g} updates/s), {what}: "
              f"{'met' if ok else 'NOT met'} ({med['live'][k]:.1f})")


if __name__ == "__main__":
    main()
