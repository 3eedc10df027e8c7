"""Tests for bplib.figures.monitor: the live training monitor's logic, without a browser."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from bplib.activations import ReLU
from bplib.figures import monitor as mon
from bplib.figures.monitor import TrainingMonitor, history_figure
from bplib.layers import Dense
from bplib.network import Sequential
from bplib.optimizers import SGD


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def _net():
    return Sequential([Dense(4, 8, init="he", seed=1), ReLU(), Dense(8, 2, seed=2)],
                      loss="softmax_ce")


@pytest.fixture
def shown(monkeypatch):
    """What the monitor displayed, instead of displaying it."""
    seen = []
    monkeypatch.setattr(TrainingMonitor, "_show", staticmethod(seen.append))
    return seen


def test_live_monitor_moves_the_bar_every_epoch_and_redraws_every_few(shown):
    X, y = _data()
    monitor = TrainingMonitor(every=3, static=False)
    bars, redraws = [], []

    def spy(net, epoch, logs):           # runs after the monitor, in the same loop
        bars.append(monitor.bar.value)
        redraws.append(monitor.redraws)

    hist = _net().fit(X, y, epochs=10, optimizer=SGD(lr=0.1), batch_size=20,
                      validation_data=(X, y), callbacks=[monitor, spy])
    assert shown == [monitor.box]                      # displayed once, at the start
    assert bars == list(range(1, 11))
    # redrawn after epochs 3, 6, 9, then once at the end (epoch 10 is not drawn twice)
    assert redraws == [0, 0, 1, 1, 1, 2, 2, 2, 3, 3] and monitor.redraws == 4
    assert monitor.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert monitor.bar.bar_style == "success" and "(done)" in monitor.label.value
    assert monitor.logs == {k: [float(v) for v in vs] for k, vs in hist.history.items()}


def test_progress_text_shows_the_epoch_and_current_losses():
    m = TrainingMonitor(static=True)
    m.on_train_begin(None, 30)
    assert m.progress_text() == "epoch 0/30"
    m(None, 0, {"loss": 0.5, "accuracy": 0.8, "val_loss": 0.25, "val_accuracy": 0.9})
    m(None, 1, {"loss": 0.123456, "accuracy": 0.9, "val_loss": 0.2, "val_accuracy": 0.95})
    assert m.progress_text() == "epoch 2/30  loss 0.1235  val_loss 0.2000  val_accuracy 0.9500"
    assert m.bar is None and m.redraws == 0               # static: nothing drawn live


def test_due_every_few_epochs_but_not_the_last():
    m = TrainingMonitor(every=5, static=True)
    m.epochs = 12
    assert [e + 1 for e in range(12) if m.due(e)] == [5, 10]
    m.epochs = 10
    assert [e + 1 for e in range(10) if m.due(e)] == [5]


def test_static_monitor_shows_one_figure_at_the_end(shown):
    X, y = _data()
    monitor = TrainingMonitor(every=2, static=True, title="t")
    hist = _net().fit(X, y, epochs=6, optimizer=SGD(lr=0.1), callbacks=[monitor])
    assert len(shown) == 1 and isinstance(shown[0], Figure)
    assert monitor.redraws == 0 and monitor.logs["loss"] == hist["loss"]


def test_early_stopping_ends_the_bar_and_marks_the_kept_epoch(shown):
    X, y = _data()
    monitor = TrainingMonitor(every=100, static=False)
    hist = _net().fit(X, y, epochs=60, optimizer=SGD(lr=0.5), validation_data=(X, 1 - y),
                      early_stopping=2, callbacks=[monitor])
    assert len(hist) < 60 and monitor.best_epoch == hist.best_epoch
    assert monitor.bar.max == monitor.bar.value == len(hist)
    assert monitor.redraws == 1                         # the final drawing only
    fig = monitor.figure()
    marks = [ln for ln in fig.axes[0].lines if ln.get_linestyle() == ":"]
    assert marks and marks[0].get_xdata()[0] == hist.best_epoch + 1


def test_history_figure_draws_train_and_validation_with_a_fixed_axis():
    logs = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6],
            "accuracy": [0.5, 0.8, 0.9], "val_accuracy": [0.4, 0.7, 0.8]}
    fig = history_figure(logs, epochs=20)
    loss_ax, acc_ax = fig.axes
    assert len(loss_ax.lines) == 2 and len(acc_ax.lines) == 2
    assert loss_ax.get_xlim() == (0.5, 20.5) and loss_ax.get_yscale() == "log"
    np.testing.assert_array_equal(acc_ax.lines[1].get_ydata(), logs["val_accuracy"])
    only_train = history_figure({"loss": [1.0, 0.5]})
    assert len(only_train.axes[0].lines) == 1


def test_bad_every_is_refused():
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="every must be a positive int"):
            TrainingMonitor(every=bad)
    assert "live" in repr(TrainingMonitor(static=False))
    assert mon.__all__ == ["history_figure", "TrainingMonitor"]
