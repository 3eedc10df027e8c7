"""The playground (bplib/playground): data, the training session, views, the live
control and the book's precomputed demo."""

from __future__ import annotations

import asyncio
import dataclasses
import math

import numpy as np
import pytest

from bplib.figures import Slider
from bplib.playground import CHOICES, DATASETS, FEATURES, Session, Settings, features
from bplib.playground import divergence_message, make_data, split
from bplib.playground.book import EPOCHS, Run, book_settings, playground_demo
from bplib.playground.control import CONTROLS, Playground
from bplib.playground.views import PlaygroundView

SMALL = Settings(n=80)          # a quick session; each test changes what it needs


# ------------------------------------------------------------------ data
@pytest.mark.parametrize("name", list(DATASETS))
def test_every_data_set_has_two_balanced_classes_in_the_square(name):
    X, y = make_data(name, 400, noise=0.1, seed=3)
    assert X.shape == (400, 2) and y.shape == (400,)
    assert set(np.unique(y)) == {0, 1}
    assert 0.4 < y.mean() < 0.6, f"{name}: classes unbalanced, mean label {y.mean()}"
    assert np.abs(X).max() < 4.5, f"{name}: points far outside the square"
    X2, y2 = make_data(name, 400, noise=0.1, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2), "same seed, same data"


def test_split_sizes_and_disjoint_rows():
    X, y = make_data("circle", 100, seed=0)
    Xa, ya, Xb, yb = split(X, y, 0.3, seed=1)
    assert (len(Xa), len(Xb)) == (70, 30)
    rows = {tuple(r) for r in np.vstack([Xa, Xb])}
    assert len(rows) == 100, "every point in exactly one part"


def test_features_are_the_named_functions_of_the_coordinates():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    F = features(X, list(FEATURES))
    want = np.column_stack([X[:, 0], X[:, 1], X[:, 0] ** 2, X[:, 1] ** 2,
                            X[:, 0] * X[:, 1], np.sin(X[:, 0]), np.sin(X[:, 1])])
    np.testing.assert_allclose(F, want)


@pytest.mark.parametrize("names, match", [([], "at least one feature"),
                                          (["x3"], "unknown feature 'x3'"),
                                          (["x1", "x1"], "each feature at most once")])
def test_bad_features_are_named(names, match):
    with pytest.raises(ValueError, match=match):
        features(np.zeros((2, 2)), names)


def test_bad_data_arguments_are_named():
    with pytest.raises(ValueError, match="unknown data set 'moon'"):
        make_data("moon")
    with pytest.raises(ValueError, match="noise"):
        make_data("xor", noise=-1)
    with pytest.raises(ValueError, match="test_fraction"):
        split(np.zeros((4, 2)), np.zeros(4), 1.0)


# --------------------------------------------------------------- session
@pytest.mark.parametrize("name", list(DATASETS))
def test_a_short_run_reduces_the_loss_on_every_data_set(name):
    session = Session(dataclasses.replace(SMALL, dataset=name, n=200)).run(10)
    h = session.history
    assert session.error is None and session.epoch == 10
    assert h["train_loss"][-1] < 0.9 * h["train_loss"][0], \
        f"{name}: training loss {h['train_loss'][0]:.3f} -> {h['train_loss'][-1]:.3f}"
    assert len(h["train_loss"]) == len(h["test_loss"]) == len(h["grad_norm"]) == 11


@pytest.mark.parametrize("name", [n for n in CHOICES if n != "features"])
def test_every_control_value_is_accepted(name):
    for value in CHOICES[name]:
        session = Session(dataclasses.replace(SMALL, **{name: value}))
        trained = session.step()
        assert trained or "Likely cause" in session.error, \
            f"{name}={value!r}: step failed without a message"
        assert all(math.isfinite(v) for v in session.history["train_loss"])


@pytest.mark.parametrize("names", [[f] for f in FEATURES] + [list(FEATURES)])
def test_every_feature_choice_is_accepted(names):
    session = Session(dataclasses.replace(SMALL, features=tuple(names)))
    assert session.step()
    assert session.net.layers[0].params["W"].shape[0] == len(names)


def test_network_shape_follows_the_settings():
    s = dataclasses.replace(SMALL, hidden_layers=3, units=5, dropout=0.2,
                            features=("x1", "x2", "x1*x2"))
    session = Session(s)
    shapes = [layer.params["W"].shape for layer in session.dense_layers]
    assert shapes == [(3, 5), (5, 5), (5, 5), (5, 1)]
    kinds = [type(layer).__name__ for layer in session.net.layers]
    assert kinds.count("Dropout") == 3 and kinds[-1] == "Sigmoid"
    mse = Session(dataclasses.replace(s, loss="squared error"))
    assert type(mse.net.layers[-1]).__name__ == "Dense", "squared error: linear output"


def test_zero_hidden_layers_is_logistic_regression():
    session = Session(dataclasses.replace(SMALL, hidden_layers=0, dataset="gaussians"))
    session.run(5)
    assert [layer.params["W"].shape for layer in session.dense_layers] == [(2, 1)]
    assert session.scores()["test"][0] > 0.9


def test_divergence_stops_training_with_the_likely_cause():
    s = dataclasses.replace(SMALL, n=500, loss="squared error", lr=3.0)
    session = Session(s).run(30)
    assert session.error is not None and session.epoch < 30
    assert "NaN or infinite" in session.error
    assert "learning rate (lr = 3)" in session.error and "Try lr = 0.3" in session.error
    assert all(math.isfinite(v) for v in session.history["train_loss"]), \
        "no NaN recorded in the curves"
    epoch = session.epoch
    assert session.step() is False and session.epoch == epoch, "stays stopped"


def test_nan_weights_are_caught_not_raised():
    session = Session(SMALL)
    session.net.layers[0].params["W"][0, 0] = np.inf
    assert session.step() is False
    assert "epoch 1" in session.error and "initial scale" in session.error


def test_first_epoch_message_names_the_initial_scale_later_ones_do_not():
    first = divergence_message(1, 3, SMALL)
    later = divergence_message(7, 3, SMALL)
    assert "step 3 of epoch 1" in first and "initial scale" in first
    assert "init = 'xavier'" in first
    assert "initial scale" not in later and "learning rate" in later


@pytest.mark.parametrize("change, error", [
    ({"dataset": "moons"}, "unknown dataset 'moons'"),
    ({"activation": "swish"}, "unknown activation"),
    ({"lr": 0}, "lr"),
    ({"dropout": 1.0}, "dropout"),
    ({"hidden_layers": -1}, "hidden_layers"),
    ({"features": ()}, "at least one feature"),
])
def test_bad_settings_are_named(change, error):
    with pytest.raises((ValueError, TypeError), match=error):
        Session(dataclasses.replace(SMALL, **change))


def test_gradient_norms_are_the_norms_of_dL_dW_per_layer():
    # one step per epoch (the whole training set), no dropout: the recorded norm is
    # that of the gradient at the starting weights, checked by finite differences
    s = dataclasses.replace(SMALL, hidden_layers=2, units=3, batch_size=250,
                            optimizer="sgd", lr=0.1)
    session = Session(s)
    net, F, y = session.net, session.F_train, session.y_train.reshape(-1, 1)
    want = []
    for layer in session.dense_layers:
        W, g = layer.params["W"], np.zeros_like(layer.params["W"])
        for i in np.ndindex(W.shape):
            w0 = W[i]
            W[i] = w0 + 1e-6
            up = net.loss(F, y)
            W[i] = w0 - 1e-6
            down = net.loss(F, y)
            W[i] = w0
            g[i] = (up - down) / 2e-6
        want.append(np.linalg.norm(g))
    session.step()
    np.testing.assert_allclose(session.history["grad_norm"][1], want, rtol=1e-5)


def test_with_a_penalty_the_gradient_norm_includes_its_gradient_and_the_loss_not():
    s = dataclasses.replace(SMALL, batch_size=250, penalty="L2", lam=1.0)
    plain = Session(dataclasses.replace(s, penalty="none")).run(1)
    penalised = Session(s).run(1)
    assert penalised.history["train_loss"][0] == plain.history["train_loss"][0], \
        "the loss curves leave the penalty out"
    assert penalised.history["grad_norm"][1] != plain.history["grad_norm"][1]
    view = PlaygroundView(penalised)
    texts = [t.get_text() for ax in (view.ax_loss, view.ax_grad) for t in ax.texts]
    assert any("without the L2 penalty" in t for t in texts), texts
    assert any("with the L2 penalty's gradient" in t for t in texts), texts
    plain_texts = [t.get_text() for t in PlaygroundView(plain).ax_loss.texts]
    assert not any("penalty" in t for t in plain_texts)


def test_a_diverged_session_keeps_the_weights_of_its_last_whole_epoch(recwarn):
    # leaky ReLU, He, four layers, lr 1: the last steps leave weights so large that
    # the views' forward pass over the plane would overflow
    s = dataclasses.replace(SMALL, n=200, activation="leaky_relu", init="he",
                            loss="squared error", lr=1.0, hidden_layers=4)
    start = Session(s).net.get_params()
    session = Session(s).run(15)
    assert session.error is not None and session.epoch == 0
    assert "before epoch 1" in session.error
    for k, v in session.net.get_params().items():
        np.testing.assert_array_equal(v, start[k])
    view = PlaygroundView(session)             # draws, no NonFiniteError
    assert view.png()[:4] == b"\x89PNG" and "stopped" in view.title.get_text()
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_the_message_names_squared_features_only_when_ticked():
    plain = divergence_message(1, 2, SMALL)
    squared = divergence_message(1, 2, dataclasses.replace(
        SMALL, features=("x1", "x2", "x1^2")))
    assert "squared features" not in plain
    assert "fewer squared features (x1^2)" in squared


# ------------------------------------------------------------------ views
@pytest.mark.parametrize("compact", [False, True])
@pytest.mark.parametrize("layers", [0, 2])
def test_views_draw_and_change_as_training_goes(compact, layers):
    session = Session(dataclasses.replace(SMALL, hidden_layers=layers))
    view = PlaygroundView(session, compact=compact)
    before = view.png()
    assert before[:8] == b"\x89PNG\r\n\x1a\n"
    session.run(3)
    after = view.update(session).png()
    assert after != before
    assert "epoch 3" in view.title.get_text()


def test_views_of_a_diverged_session_say_so():
    session = Session(dataclasses.replace(SMALL, n=500, loss="squared error",
                                          lr=3.0)).run(30)
    view = PlaygroundView(session)
    assert "stopped" in view.title.get_text()
    assert view.png()[:4] == b"\x89PNG"


def test_a_huge_loss_fits_in_the_title():
    session = Session(dataclasses.replace(SMALL, n=500, loss="squared error",
                                          lr=3.0)).run(30)
    session.history["train_loss"][-1] = 1.4567e288
    title = PlaygroundView(session).title.get_text()
    assert "1.46e+288" in title and len(title) < 90, title


def test_sigmoid_unit_maps_show_the_output_itself():
    # a sigmoid unit's output lies in (0, 1): drawn as it is (0.5 in the middle of the
    # colours), not squeezed into the upper half by scaling to its largest value
    session = Session(dataclasses.replace(SMALL, activation="sigmoid", init="small"))
    view = PlaygroundView(session)
    from bplib.playground.views import UNIT_RES, _grid
    outs = session.unit_outputs(_grid(UNIT_RES))
    shown = np.asarray(view.unit_images[1][0].get_array())
    np.testing.assert_allclose(shown.ravel(), outs[0][:, 0])
    assert abs(shown.mean() - 0.5) < 0.1, "small weights: sigmoid units near 0.5, grey"


# ---------------------------------------------------------- live control
def test_every_control_offers_every_choice():
    pg = Playground(SMALL)
    assert set(pg.controls) == set(CONTROLS)
    for name, control in pg.controls.items():
        values = [v for _, v in control.options]
        assert values == list(CHOICES[name]), name
    assert list(pg.feature_boxes) == list(FEATURES)


def test_changing_a_control_starts_a_new_session():
    pg = Playground(SMALL)
    pg.step()
    assert pg.session.epoch == 1 and "epoch 1" in pg.epoch_label.value
    pg.controls["activation"].value = "relu"
    assert pg.session.epoch == 0 and pg.session.settings.activation == "relu"
    pg.feature_boxes["x1^2"].value = True
    assert pg.session.settings.features == ("x1", "x2", "x1^2")
    for box in pg.feature_boxes.values():
        box.value = False
    assert "at least one feature" in pg.message.value
    pg.step()                       # nothing to train: no error
    pg.feature_boxes["x2"].value = True
    assert pg.session.settings.features == ("x2",) and pg.message.value == ""


def test_play_trains_on_the_event_loop_until_pause():
    pg = Playground(SMALL)

    async def drive():
        pg.play()
        assert pg.playing
        for _ in range(600):        # until three redraws (at most 30 s on a busy machine)
            await asyncio.sleep(0.05)
            if pg.updates >= 4:
                break
        pg.pause()
        stopped_at = pg.session.epoch
        await asyncio.sleep(0.3)
        return stopped_at

    image = pg.image.value
    stopped_at = asyncio.run(drive())
    assert stopped_at > 0 and pg.session.epoch == stopped_at, "pause stops training"
    assert pg.updates > 2 and pg.image.value != image
    assert f"epoch {stopped_at}" in pg.epoch_label.value


def test_play_stops_by_itself_when_training_diverges():
    pg = Playground(dataclasses.replace(SMALL, n=500, loss="squared error", lr=3.0))

    async def drive():
        pg.play()
        for _ in range(200):
            await asyncio.sleep(0.05)
            if not pg.playing:
                break

    asyncio.run(drive())
    assert not pg.playing and "Likely cause" in pg.message.value


def test_play_without_an_event_loop_does_nothing():
    pg = Playground(SMALL)
    pg.play()
    assert not pg.playing and pg.session.epoch == 0


# ------------------------------------------------------------- the book
def test_a_book_run_keeps_its_weights_at_every_epoch_shown():
    run = Run(dataclasses.replace(book_settings("xor", "tanh", "L2"), n=60))
    assert sorted(run.weights) == list(EPOCHS)
    first, last = run.at(EPOCHS[0]), None
    w0 = first.net.params["dense0.W"].copy()
    last = run.at(EPOCHS[-1])
    assert not np.allclose(w0, last.net.params["dense0.W"])
    assert len(last.history["train_loss"]) == EPOCHS[-1] + 1
    assert len(run.at(EPOCHS[1]).history["train_loss"]) == EPOCHS[1] + 1


def test_book_demo_frames_follow_the_sliders():
    keys = [(d, a, p) for d in ("circle", "xor", "spiral") for a in ("tanh", "relu")
            for p in ("none", "L2")]
    small = {k: Run(dataclasses.replace(book_settings(*k), n=40)) for k in keys}
    demo = playground_demo(small)
    names = [s.name for s in demo.sliders]
    assert names == ["dataset", "activation", "penalty", "epoch"]
    assert demo.sliders[0].format(1) == "xor"
    assert demo.sliders[-1].texts == [str(e) for e in EPOCHS]
    start = demo.frame(**demo.initial)[0]
    other = demo.frame(**{**demo.initial, "epoch": 0})[0]
    third = demo.frame(**{**demo.initial, "dataset": 2})[0]
    assert len({start, other, third}) == 3


def test_slider_texts_name_the_choices():
    s = Slider("data", 0, 2, 1, texts=["circle", "XOR", "spiral"])
    assert [s.format(v) for v in s.values] == ["circle", "XOR", "spiral"]
    with pytest.raises(ValueError, match="texts must be 3 strings"):
        Slider("data", 0, 2, 1, texts=["circle", "XOR"])


def test_a_control_changed_while_playing_restarts_and_keeps_playing():
    pg = Playground(SMALL)

    async def drive():
        pg.play()
        assert pg.playing and pg.buttons["play"].button_style == "success"
        pg.controls["activation"].value = "relu"       # arrives while playing
        assert pg.playing and pg.session.settings.activation == "relu"
        for _ in range(600):
            await asyncio.sleep(0.05)
            if pg.session.epoch > 0:
                break
        pg.pause()

    asyncio.run(drive())
    assert pg.session.epoch > 0, "the new session trains without a second press of play"
    assert not pg.playing and pg.buttons["play"].button_style == ""
    pg.controls["activation"].value = "tanh"           # while paused: stays paused
    assert not pg.playing and pg.session.epoch == 0
