"""Training benchmark: bplib against a minimal numpy loop, PyTorch and scikit-learn.

Digits MLP 64-128-10 (ReLU, softmax cross-entropy, plain SGD lr 0.1, float64; inputs
standardised with training-set statistics; 80/20 train/test split) at batch sizes 32
and 256: seconds per epoch and test accuracy. Then a large case
(20,000 x 256 random inputs, hidden width 1,024, 10 classes, batch 256): seconds per
epoch and the fraction of the machine's measured matrix-multiply FLOP rate that a
training step reaches.

    python bench/bench_training.py               # full run (a few minutes)
    python bench/bench_training.py --quick       # smoke run (seconds)
    python bench/bench_training.py --threads 1   # BLAS threads for every library
    python bench/bench_training.py --baseline ../before   # also time another checkout's bplib

PyTorch and scikit-learn are optional (the "bench" extra); rows for a library that
is not installed are skipped. All libraries get the same number of threads as numpy.
What each contestant does per step is the same: gather a shuffled batch, forward,
loss (summed for the epoch's reported loss), backward, SGD update. See README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="few epochs, small large case")
    p.add_argument("--threads", type=int, default=None,
                   help="BLAS threads for numpy, torch and sklearn (default: numpy's)")
    p.add_argument("--repeats", type=int, default=None,
                   help="timed runs per contestant and case (the fastest is kept)")
    p.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                   help="wall: time.perf_counter; cpu: time.process_time (CPU time of this "
                        "process, all threads; steadier on a busy shared machine)")
    p.add_argument("--skip", nargs="*", default=[], choices=["torch", "sklearn", "large"])
    p.add_argument("--json", default=None, help="also write the results to this file")
    p.add_argument("--baseline", default=None, metavar="CHECKOUT",
                   help="also time the bplib of another checkout of this repository (e.g. a "
                        "git worktree of an earlier commit) as 'bplib before', interleaved "
                        "with the others, for a before/after table from one run")
    return p.parse_args(argv)


ARGS = parse_args() if __name__ == "__main__" else parse_args([])
if ARGS.threads:  # must happen before numpy loads its BLAS
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bplib.activations import ReLU  # noqa: E402
from bplib.data import Standardizer, train_val_test_split  # noqa: E402
from bplib.datasets import load_digits  # noqa: E402
from bplib.initializers import he_normal, xavier_uniform  # noqa: E402
from bplib.layers import Dense  # noqa: E402
from bplib.network import Sequential  # noqa: E402
from bplib.optimizers import SGD  # noqa: E402

LR = 0.1
CLOCK = time.process_time if ARGS.clock == "cpu" else time.perf_counter


def numpy_threads():
    """Threads numpy's BLAS uses (threadpoolctl when available, else the env/cores)."""
    try:
        from threadpoolctl import threadpool_info
        n = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
        if n:
            return n[0]
    except ImportError:
        pass
    return int(os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
               or os.cpu_count())


def initial_weights(n_in, hidden, n_out, seed=0):
    """Shared starting point: He-normal W1, Xavier-uniform W2, zero biases."""
    return {"W1": he_normal((n_in, hidden), seed), "b1": np.zeros(hidden),
            "W2": xavier_uniform((hidden, n_out), seed + 1), "b2": np.zeros(n_out)}


# ------------------------------------------------------------ contestants
# Each trains from the weights w0 and returns (seconds, predict). The clock covers the
# training call only (for bplib: fit, with its input checks), not building the model.
def train_numpy(w0, X, y, batch_size, epochs, seed):
    """The minimal hand-written loop: the overhead-free reference."""
    W1, b1, W2, b2 = (w0[k].copy() for k in ("W1", "b1", "W2", "b2"))
    t0 = CLOCK()
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    for _ in range(epochs):
        perm = rng.permutation(n)
        Xs, ys = X[perm], y[perm]
        total = 0.0
        for lo in range(0, n, batch_size):
            x, t = Xs[lo:lo + batch_size], ys[lo:lo + batch_size]
            m = x.shape[0]
            rows = np.arange(m)
            z1 = x @ W1 + b1
            h = np.maximum(z1, 0)
            z2 = h @ W2 + b2
            z2 -= z2.max(axis=1, keepdims=True)
            e = np.exp(z2)
            s = e.sum(axis=1, keepdims=True)
            total += np.log(s).sum() - z2[rows, t].sum()
            d2 = e / s
            d2[rows, t] -= 1.0
            d2 /= m
            gW2, gb2 = h.T @ d2, d2.sum(axis=0)
            d1 = (d2 @ W2.T) * (z1 > 0)
            gW1, gb1 = x.T @ d1, d1.sum(axis=0)
            W1 -= LR * gW1
            b1 -= LR * gb1
            W2 -= LR * gW2
            b2 -= LR * gb2
    seconds = CLOCK() - t0
    return seconds, lambda Xt: np.maximum(Xt @ W1 + b1, 0) @ W2 + b2


def train_bplib(w0, X, y, batch_size, epochs, seed, lib=(Sequential, Dense, ReLU, SGD)):
    Sequential_, Dense_, ReLU_, SGD_ = lib
    n_in, hidden = w0["W1"].shape
    net = Sequential_([Dense_(n_in, hidden, W=w0["W1"], b=w0["b1"]), ReLU_(),
                       Dense_(hidden, w0["W2"].shape[1], W=w0["W2"], b=w0["b2"])],
                      loss="softmax_ce")
    t0 = CLOCK()
    net.fit(X, y, epochs=epochs, optimizer=SGD_(lr=LR), batch_size=batch_size, seed=seed,
            metrics=())
    return CLOCK() - t0, net.predict


def load_baseline(checkout):
    """(Sequential, Dense, ReLU, SGD) from the bplib of another checkout.

    Its modules are imported under their usual names and then set aside, so this
    process's own bplib is left as it was; each class keeps the module it came from.
    """
    def ours(name):
        return name == "bplib" or name.startswith("bplib.")

    own = {k: m for k, m in sys.modules.items() if ours(k)}
    for k in own:
        del sys.modules[k]
    sys.path.insert(0, os.path.abspath(checkout))
    try:
        import bplib.activations
        import bplib.layers
        import bplib.network
        import bplib.optimizers
        if not bplib.__file__.startswith(os.path.abspath(checkout)):
            raise SystemExit(f"--baseline: imported {bplib.__file__}, not from {checkout}")
        return (bplib.network.Sequential, bplib.layers.Dense, bplib.activations.ReLU,
                bplib.optimizers.SGD)
    finally:
        sys.path.pop(0)
        for k in [k for k in sys.modules if ours(k)]:
            del sys.modules[k]
        sys.modules.update(own)


def train_torch(w0, X, y, batch_size, epochs, seed):
    import torch
    model = torch.nn.Sequential(torch.nn.Linear(*w0["W1"].shape), torch.nn.ReLU(),
                                torch.nn.Linear(*w0["W2"].shape)).double()
    with torch.no_grad():
        for layer, W, b in ((model[0], "W1", "b1"), (model[2], "W2", "b2")):
            layer.weight.copy_(torch.from_numpy(w0[W].T))
            layer.bias.copy_(torch.from_numpy(w0[b]))
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    t0 = CLOCK()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(seed)
    n = X.shape[0]
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen)
        Xs, ys = Xt[perm], yt[perm]
        total = 0.0
        for lo in range(0, n, batch_size):
            x, t = Xs[lo:lo + batch_size], ys[lo:lo + batch_size]
            loss = loss_fn(model(x), t)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * x.shape[0]
    seconds = CLOCK() - t0

    def predict(Xq):
        with torch.no_grad():
            return model(torch.from_numpy(Xq)).numpy()
    return seconds, predict


def train_sklearn(w0, X, y, batch_size, epochs, seed):
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    clf = MLPClassifier(hidden_layer_sizes=(w0["W1"].shape[1],), activation="relu",
                        solver="sgd", learning_rate="constant", learning_rate_init=LR,
                        momentum=0.0, nesterovs_momentum=False, alpha=0.0,
                        batch_size=batch_size, max_iter=epochs, shuffle=True,
                        random_state=seed, tol=0.0, n_iter_no_change=epochs + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = CLOCK()
        clf.fit(X, y)
        seconds = CLOCK() - t0
    return seconds, clf.predict_proba


CONTESTANTS = {"numpy loop": train_numpy, "bplib": train_bplib,
               "torch (CPU)": train_torch, "sklearn MLP": train_sklearn}


def available(skip, threads):
    names = ["numpy loop", "bplib"]
    if "torch" not in skip:
        try:
            import torch
            torch.set_num_threads(threads)
            names.append("torch (CPU)")
        except ImportError:
            print("# torch not installed: skipped")
    if "sklearn" not in skip:
        try:
            import sklearn  # noqa: F401
            names.append("sklearn MLP")
        except ImportError:
            print("# scikit-learn not installed: skipped")
    return names


def timed(fn, repeats, *args):
    """Best time over ``repeats`` runs of fn(*args); returns (seconds, result)."""
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = CLOCK()
        out = fn(*args)
        best = min(best, CLOCK() - t0)
    return best, out


def matmul_rate(size=1024, repeats=7):
    """Measured float64 matmul rate of numpy's BLAS, in FLOP/s (best of repeats)."""
    a = np.random.default_rng(0).standard_normal((size, size))
    b = a.T.copy()
    a @ b
    t, _ = timed(lambda: a @ b, repeats)
    return 2 * size ** 3 / t


def run_digits(names, epochs_for, timing_epochs, repeats):
    """Test accuracy from one full training run per contestant; seconds per epoch
    from the fastest of ``repeats`` short runs of ``timing_epochs`` epochs, the
    contestants interleaved so that changes in machine load hit all of them alike."""
    X, y = load_digits()
    (Xtr, ytr), _, (Xte, yte) = train_val_test_split(X, y, val=0.0, test=0.2, seed=0)
    scaler = Standardizer().fit(Xtr)  # statistics of the training images only
    Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
    w0 = initial_weights(64, 128, 10)
    rows = []
    for bs in (32, 256):
        acc, times = {}, {name: float("inf") for name in names}
        for name in names:  # the first call also pays for imports and lazy set-up
            _, predict = CONTESTANTS[name](w0, Xtr, ytr, bs, epochs_for[bs], 0)
            acc[name] = float(np.mean(predict(Xte).argmax(axis=1) == yte))
        for _ in range(repeats):
            for name in names:
                t, _ = CONTESTANTS[name](w0, Xtr, ytr, bs, timing_epochs, 0)
                times[name] = min(times[name], t / timing_epochs)
        for name in names:
            rows.append({"case": f"digits b={bs}", "impl": name, "epochs": epochs_for[bs],
                         "s_per_epoch": times[name],
                         "vs_numpy": times[name] / times["numpy loop"],
                         "test_acc": acc[name]})
    return rows, Xtr.shape[0], Xte.shape[0]


def run_large(names, n_rows, repeats, peak, batch_size=256):
    rng = np.random.default_rng(1)
    n_in, hidden, k = 256, 1024, 10
    X = rng.standard_normal((n_rows, n_in))
    y = (X @ rng.standard_normal((n_in, k))).argmax(axis=1)
    w0 = initial_weights(n_in, hidden, k, seed=2)
    steps = -(-n_rows // batch_size)
    # FLOPs a step needs: forward 2B(n_in h + h k); weight gradients 2B(n_in h + h k);
    # input gradient of the second layer 2B h k (the first layer's is not needed).
    flops = n_rows * (4 * n_in * hidden + 6 * hidden * k)
    times = {name: float("inf") for name in names}
    for name in names:
        CONTESTANTS[name](w0, X[:512], y[:512], batch_size, 1, 0)
    for _ in range(repeats):
        for name in names:
            t, _ = CONTESTANTS[name](w0, X, y, batch_size, 1, 0)
            times[name] = min(times[name], t)
    return [{"case": f"large b={batch_size}", "impl": name, "epochs": 1,
             "s_per_epoch": times[name], "vs_numpy": times[name] / times["numpy loop"],
             "step_ms": 1e3 * times[name] / steps,
             "gflops": flops / times[name] / 1e9,
             "frac_peak": flops / times[name] / peak} for name in names]


def dense_forward_forms(repeats, shapes=((32, 64, 128), (256, 64, 128), (256, 256, 1024))):
    """Dense.forward adds b in place (Z = X @ W; Z += b) rather than Z = X @ W + b.

    Both compute eq. (ch03-batch); the in-place form skips a second (N, n_out) array.
    This times both for the shapes above, so the choice rests on a measurement.
    """
    def plain(X, W, b):
        return X @ W + b

    def in_place(X, W, b):
        Z = X @ W
        Z += b
        return Z

    def run(form, args, calls=50):  # a run of calls, as in training: allocations count
        return timed(lambda: [form(*args) for _ in range(calls)], repeats)[0] / calls

    rng = np.random.default_rng(3)
    rows = []
    for n, n_in, n_out in shapes:
        args = [rng.standard_normal(s) for s in ((n, n_in), (n_in, n_out), (n_out,))]
        t_plain, t_inplace = run(plain, args), run(in_place, args)
        rows.append(((n, n_in, n_out), t_plain, t_inplace))
    return rows


def main(args):
    threads = numpy_threads()
    quick = args.quick
    repeats = args.repeats or (1 if quick else 7)
    names = available(args.skip, threads)
    if args.baseline:
        before = load_baseline(args.baseline)
        CONTESTANTS["bplib before"] = lambda *a: train_bplib(*a, lib=before)
        names.insert(2, "bplib before")
    try:
        from threadpoolctl import threadpool_limits
        global _LIMITS
        _LIMITS = threadpool_limits(threads)  # sklearn (and anything else): numpy's count
    except ImportError:
        pass
    epochs_for = {32: 3, 256: 5} if quick else {32: 30, 256: 200}
    timing_epochs = 1 if quick else 5
    print(f"# numpy {np.__version__}, BLAS threads {threads} (torch/sklearn set alike), "
          f"float64, {args.clock} clock, best of {repeats} timed runs{', QUICK' if quick else ''}")
    rows, n_train, n_test = run_digits(names, epochs_for, timing_epochs, repeats)
    print(f"\n## Digits MLP 64-128-10, ReLU, softmax CE, SGD lr {LR}; "
          f"train {n_train}, test {n_test} images")
    print(f"(s/epoch: fastest of {repeats} runs of {timing_epochs} epoch(s); test accuracy after "
          f"the epochs shown)")
    print(f"{'case':<14}{'impl':<14}{'epochs':>7}{'s/epoch':>11}{'vs numpy':>10}{'test acc':>10}")
    for r in rows:
        print(f"{r['case']:<14}{r['impl']:<14}{r['epochs']:>7}{r['s_per_epoch']:>11.5f}"
              f"{r['vs_numpy']:>9.2f}x{r['test_acc']:>10.4f}")
    peak = matmul_rate()
    large = []
    if "large" not in args.skip:
        n_rows = 2_000 if quick else 20_000
        large = run_large(names, n_rows, max(1, repeats // 2), peak)
        print(f"\n## Large case: {n_rows} x 256 inputs, hidden 1024, 10 classes, batch 256, "
              f"one epoch; matmul peak {peak / 1e9:.1f} GFLOP/s (1024^3 float64)")
        print(f"{'impl':<14}{'s/epoch':>10}{'ms/step':>9}{'vs numpy':>10}{'GFLOP/s':>9}{'of peak':>9}")
        for r in large:
            print(f"{r['impl']:<14}{r['s_per_epoch']:>10.3f}{r['step_ms']:>9.2f}"
                  f"{r['vs_numpy']:>9.2f}x{r['gflops']:>9.1f}{100 * r['frac_peak']:>8.0f}%")
    print("\n## Dense.forward: Z = X @ W + b against Z = X @ W; Z += b (per call, runs of 50)")
    print(f"{'N, n_in, n_out':<18}{'X @ W + b':>12}{'in place':>12}{'ratio':>8}")
    for shape, plain, inplace in dense_forward_forms(repeats):
        print(f"{str(shape):<18}{plain * 1e6:>10.1f}us{inplace * 1e6:>10.1f}us"
              f"{plain / inplace:>7.2f}x")
    print("\n## Goals")
    for r in rows + large:
        if r["impl"] == "bplib":
            ok = "ok" if r["vs_numpy"] <= 1.2 else "MISSED"
            print(f"bplib / numpy loop, {r['case']}: {r['vs_numpy']:.2f}x (goal <= 1.2x) {ok}")
    for r in rows:
        if r["impl"] == "bplib":
            ok = "ok" if r["test_acc"] >= 0.97 else "MISSED"
            print(f"bplib test accuracy, {r['case']}: {r['test_acc']:.4f} (goal >= 0.97) {ok}")
    by = {(r["case"], r["impl"]): r["s_per_epoch"] for r in rows + large}
    for r in rows + large:
        if r["impl"] == "bplib" and (r["case"], "bplib before") in by:
            s = r["s_per_epoch"] / by[(r["case"], "bplib before")]
            print(f"bplib / bplib before, {r['case']}: {s:.2f}x")
    for peer in ("torch (CPU)", "sklearn MLP"):
        if ("digits b=32", peer) in by:
            s = by[("digits b=32", peer)] / by[("digits b=32", "bplib")]
            print(f"{peer} / bplib at batch 32: {s:.2f}x (goal >= 2x) {'ok' if s >= 2 else 'MISSED'}")
        if large and peer == "torch (CPU)" and (large[0]["case"], peer) in by:
            s = by[(large[0]["case"], peer)] / by[(large[0]["case"], "bplib")]
            print(f"torch (CPU) / bplib, large case: {s:.2f}x (goal >= 1x) {'ok' if s >= 1 else 'MISSED'}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"threads": threads, "peak_flops": peak, "rows": rows + large}, fh, indent=1)


if __name__ == "__main__":
    main(ARGS)
