"""Tests for bplib.demos.ch11: the digits runs (each remedy does what it says), the
remedy table, the toy runs and the lambda/dropout slider, and the figures."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from bplib.demos import ch11


def test_digits_data_split_and_scaling():
    d = ch11.digits_data()
    assert d["X"].shape == (ch11.N_SUBSET, 64) and d["y"].shape == (ch11.N_SUBSET,)
    assert d["X_val"].shape[1] == 64 and len(d["X_val"]) == len(d["y_val"])
    np.testing.assert_allclose(d["X"], d["scaler"].transform(d["X_raw"]))
    assert d["X_raw"].max() <= 16 and d["n_train_split"] > ch11.N_SUBSET


def test_digits_net_is_chapter_8s():
    net = ch11.digits_net()
    assert [p.shape for p in net.params.values()] == [(64, 64), (64,), (64, 10), (10,)]
    assert "dropout0" in ch11.digits_net(p=0.5).names


@pytest.fixture(scope="module")
def short():
    """A few short runs (5 epochs) shared by the tests below."""
    return {r: ch11.digits_run(r, v, 0, epochs=5) for r, v in
            (("none", 0.0), ("L2", 0.1), ("L1", 0.01), ("dropout", 0.5),
             ("adam L2", 0.1), ("adamw", 0.1))}


def test_runs_record_curves_and_errors(short):
    run = short["none"]
    assert set(run.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(run.history["loss"]) == run.epochs == 5
    assert 0 <= run.train_error <= 1 and 0 <= run.val_error <= 1
    assert run.val_error == pytest.approx(1 - run.history["val_accuracy"][-1])


def test_penalties_shrink_the_weights(short):
    def norm(run):
        return np.linalg.norm(np.concatenate([v.ravel() for k, v in run.params.items()
                                              if k.endswith(".W")]))
    assert norm(short["L2"]) < norm(short["none"])
    assert norm(short["L1"]) < norm(short["none"])
    assert norm(short["adamw"]) != pytest.approx(norm(short["adam L2"]))


def test_other_seeds_keep_fits_history_only():
    run = ch11.digits_run("none", 0.0, 1, epochs=3)
    assert set(run.history) == {"loss"} and run.epochs == 3


def test_early_stopping_restores_the_best_epoch():
    run = ch11.digits_run("early stopping", 2, 0, epochs=60)
    assert run.best_epoch is not None and run.epochs < 60
    losses = run.history["val_loss"]
    assert losses[run.best_epoch] == min(losses)


def test_augmentation_trains_on_five_times_the_images():
    run = ch11.digits_run("augmentation", 0.5, 0, epochs=10)
    assert run.epochs == 2             # the same number of gradient steps


def test_random_labels_and_bad_remedy():
    run = ch11.digits_run("none", 0.0, 0, epochs=3, labels="random")
    assert run.train_error > 0.3       # not fitted after 3 epochs
    with pytest.raises(ValueError, match="unknown remedy"):
        ch11.digits_run("magic", 0.0, 0, epochs=1)


def test_mc_dropout_average_is_a_probability():
    net = ch11.digits_net(p=0.5)
    P = ch11.mc_dropout_probabilities(net, ch11.digits_data()["X_val"][:40], passes=3)
    assert P.shape == (40, 10)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)


def test_remedy_table_columns(monkeypatch):
    monkeypatch.setattr(ch11, "EPOCHS", 5)
    calls = []
    real = ch11.digits_run

    def fake(remedy, value, seed):
        calls.append((remedy, value, seed))
        return real(remedy, value, seed, epochs=5)
    monkeypatch.setattr(ch11, "digits_run", fake)
    table = ch11.remedy_table({"L2": 0.01}, seeds=(0,))
    assert list(table["remedy"]) == list(ch11.REMEDIES)
    assert ("L2", 0.01, 0) in calls
    assert table.loc[table.remedy == "L2", "setting"].item() == "lambda = 0.01"
    np.testing.assert_allclose(table["gap %"], table["validation %"] - table["train %"])


def test_toy_run_and_view():
    net, curve = ch11.toy_run(-1.0, 0.5)
    assert curve["epoch"][0] == 1 and curve["epoch"][-1] == ch11.TOY_EPOCHS
    assert len(curve["train"]) == len(curve["val"]) == len(curve["epoch"])
    fig, text = ch11.regularisation_view(-1.0, 0.5)
    assert isinstance(fig, Figure) and "dropout p = 0.5" in text
    assert len(fig.axes) == 3


def test_regularisation_demo_grid():
    demo = ch11.regularisation_demo()
    assert [s.name for s in demo.sliders] == ["log10_lam", "p"]
    assert demo.sliders[0].values == list(ch11.LOG10_LAMS)
    assert demo.sliders[1].values == list(ch11.DROPOUTS)
    assert demo.n_frames == 14 and demo.initial == {"log10_lam": -4.0, "p": 0.0}


def test_figures(short):
    assert isinstance(ch11.curves_figure({"a": short["none"], "b": short["L2"]}), Figure)
    assert len(ch11.curves_figure({"a": short["none"]}, loss=False).axes) == 1
    stopped = ch11.digits_run("early stopping", 2, 0, epochs=60)
    assert isinstance(ch11.early_stopping_figure(short["none"], stopped), Figure)
    fig = ch11.shifted_digits_figure(ch11.digits_data()["X_raw"][0])
    assert len(fig.axes) == 5
