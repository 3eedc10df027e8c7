"""Tests for bplib.demos.ch08: the prepared digits, Chapter 8's network, the recorder,
the figures and the replay slider."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from bplib.activations import ReLU, Sigmoid
from bplib.demos import ch08
from bplib.layers import Dense


@pytest.fixture(scope="module")
def data():
    return ch08.prepared_digits(seed=0)


def test_prepared_digits_is_stratified_and_standardised_with_training_statistics(data):
    assert data.X_train.shape == (1257, 64) and len(data.y_val) == len(data.y_test) == 270
    all_counts = np.bincount(np.concatenate([data.y_train, data.y_val, data.y_test]))
    for y, frac in ((data.y_val, 0.15), (data.y_test, 0.15)):
        assert np.all(np.abs(np.bincount(y, minlength=10) - frac * all_counts) < 1)
    # training columns: mean 0, std 1 (or 0 for constant pixels); others only roughly
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0, atol=1e-12)
    assert set(np.round(data.X_train.std(axis=0), 9)) <= {0.0, 1.0}
    assert np.abs(data.X_test.mean(axis=0)).max() > 1e-3
    np.testing.assert_array_equal(
        data.scaler.inverse_transform(data.X_test).reshape(-1, 8, 8).round(9),
        data.images_test)
    raw = ch08.prepared_digits(seed=0, standardize=False)
    assert raw.scaler is None and raw.X_train.max() == 16
    np.testing.assert_array_equal(raw.y_train, data.y_train)
    assert not np.array_equal(ch08.prepared_digits(seed=1).y_train, data.y_train)


def test_digits_network_is_the_chapters_network():
    net = ch08.digits_network(seed=3)
    assert [type(layer) for layer in net.layers] == [Dense, ReLU, Dense]
    assert net.params["dense0.W"].shape == (64, 64) and net.params["dense1.W"].shape == (64, 10)
    assert type(net.loss_fn).__name__ == "SoftmaxCrossEntropy"
    # He initialisation: std sqrt(2 / 64); seeded; biases start at zero
    assert net.params["dense0.W"].std() == pytest.approx(np.sqrt(2 / 64), rel=0.1)
    np.testing.assert_array_equal(net.params["dense0.W"],
                                  ch08.digits_network(seed=3).params["dense0.W"])
    assert not net.params["dense0.b"].any()
    sig = ch08.digits_network(init="xavier", activation=Sigmoid, hidden=16)
    assert isinstance(sig.layers[1], Sigmoid) and sig.params["dense1.W"].shape == (16, 10)


def test_train_digits_reaches_high_accuracy_quickly_and_is_reproducible(data):
    rec = ch08.EpochRecorder(data.X_val)
    net, h = ch08.train_digits(data, seed=0, epochs=4, callbacks=[rec])
    assert len(h) == 4 and h["val_accuracy"][-1] > 0.9
    assert len(rec.predictions) == 5 and len(rec.seconds) == 4
    assert np.all(np.diff(rec.seconds) > 0) and rec.seconds_per_epoch() > 0
    np.testing.assert_array_equal(rec.predictions[-1], net.predict_classes(data.X_val))
    _, h2 = ch08.train_digits(data, seed=0, epochs=4)
    assert h2.history == h.history
    _, h3 = ch08.train_digits(data, seed=0, epochs=2, batch_size=len(data.y_train),
                              validation=False)
    assert "val_loss" not in h3.history and h3["loss"][-1] > h["loss"][1]


def test_tile_places_images_with_gaps():
    imgs = np.arange(2 * 3 * 8 * 8, dtype=float).reshape(2, 3, 8, 8)
    t = ch08.tile(imgs, gap=1)
    assert t.shape == (17, 26)
    np.testing.assert_array_equal(t[9:17, 18:26], imgs[1, 2])
    assert np.isnan(t[8]).all() and np.isnan(t[:, 8]).all()


def test_figures_draw(data):
    images = data.images_test
    y = data.y_test
    pred = y.copy()
    pred[:5] = (pred[:5] + 1) % 10
    conf = np.linspace(0.4, 1.0, len(y))
    from bplib.metrics import confusion_matrix
    C = confusion_matrix(y, pred, n_classes=10)
    figs = [
        ch08.gallery_figure(images, y, per_class=6),
        ch08.class_balance_figure({"all": np.bincount(y), "test": np.bincount(y)}),
        ch08.curves_figure({"a": [1.0, 0.5], "b": [2.0, 1.0]}),
        ch08.curves_figure({"a": [1.0, 0.5]}, times={"a": [0.1, 0.2]}),
        ch08.symmetry_figure({"x": np.zeros((64, 64)), "y": np.ones((64, 64))}),
        ch08.batch_figure({"8": [1.0, 0.5]}, {"8": [0.1, 0.2]}, {"8": 0.1}),
        ch08.confusion_figure(C),
        ch08.misclassified_figure(images, y, pred, conf),
    ]
    assert all(isinstance(f, Figure) for f in figs)
    title = figs[6].axes[0].get_title()
    assert title == f"5 errors in {len(y)}"
    texts = [t.get_text() for t in figs[7].axes[0].texts]
    assert len(texts) == 5 and texts[0].startswith(f"{y[4]} → {pred[4]}")   # most confident
    grid = pd.DataFrame({"lr": [0.01, 0.1], "lam": [1e-4, 1e-3], "val_accuracy": [0.9, 0.95]})
    assert isinstance(ch08.search_figure(grid, grid), Figure)


def test_replay_view_counts_the_errors_of_each_epoch():
    logs = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.6, 0.5]}
    y_val = np.arange(10).repeat(3)
    preds = [np.zeros(30, int), y_val.copy(), y_val.copy(), y_val.copy()]
    preds[1][:4] = 9
    fig = ch08.replay_view(1, logs, preds, y_val)
    assert fig.axes[1].get_title() == "validation after epoch 1: 4 errors in 30"
    assert "27 errors" in ch08.replay_view(0, logs, preds, y_val).axes[1].get_title()


def test_replay_demo_grid():
    logs = {"loss": list(np.linspace(1, 0.1, 30)), "val_loss": list(np.linspace(1, 0.2, 30))}
    preds = [np.zeros(10, int)] * 31
    demo = ch08.replay_demo(logs, preds, np.arange(10), step=5)
    assert demo.sliders[0].values == [0, 5, 10, 15, 20, 25, 30] and demo.n_frames == 7
    default = ch08.replay_demo()                       # a short run of its own
    assert default.n_frames >= 5 and default.initial == {"epoch": 0}
