"""Tests of bplib.network.Sequential and its training loop (bplib.training)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bplib.activations import ReLU, Sigmoid, Tanh
from bplib.datasets import moons, xor
from bplib.gradcheck import check_network, numerical_gradient, relative_error
from bplib.layers import Dense, Dropout
from bplib.losses import MSE
from bplib.network import Sequential
from bplib.optimizers import SGD, Adam
from bplib.regularization import L1, L2
import bplib.training
from bplib._validate import NonFiniteError
from bplib.optimizers import get_optimizer
from bplib.training import History


def mlp(n_in=2, hidden=8, n_out=3, loss="softmax_ce", seed=0, dropout=None):
    layers = [Dense(n_in, hidden, seed=seed), Tanh()]
    if dropout:
        layers.append(Dropout(dropout, seed=seed + 1))
    layers.append(Dense(hidden, n_out, seed=seed + 2))
    if loss == "bce":
        layers.append(Sigmoid())
    return Sequential(layers, loss=loss)


class Recorder(SGD):
    """SGD that remembers the gradients it was given."""

    def __init__(self, lr=0.1):
        super().__init__(lr=lr)
        self.seen = []

    def step(self, params, grads):
        self.seen.append({k: g.copy() for k, g in grads.items()})
        super().step(params, grads)


@pytest.fixture
def data():
    X, y = moons(60, noise=0.1, seed=1)
    return X, y


# ------------------------------------------------------------- structure
def test_auto_names_and_param_keys():
    net = Sequential([Dense(2, 3), Sigmoid(), Dense(3, 2, name="out"), Dense(2, 1), Sigmoid()])
    assert net.names == ["dense0", "sigmoid0", "out", "dense1", "sigmoid1"]
    assert [l.name for l in net.layers] == [None, None, "out", None, None]  # not renamed
    assert list(net.params) == ["dense0.W", "dense0.b", "out.W", "out.b", "dense1.W", "dense1.b"]
    assert net.params["out.W"] is net.layers[2].params["W"]       # the arrays themselves
    assert list(net.grads) == list(net.params)


def test_auto_names_skip_taken_names():
    net = Sequential([Dense(2, 2, name="dense0"), Dense(2, 2)])
    assert net.names == ["dense0", "dense1"]


def test_a_layer_in_two_networks_is_named_by_each():
    shared = Dense(2, 2)
    a = Sequential([shared, Tanh()])
    b = Sequential([Dense(2, 2), shared])
    assert a.names == ["dense0", "tanh0"] and b.names == ["dense0", "dense1"]
    assert a.params["dense0.W"] is b.params["dense1.W"] and shared.name is None


def test_structure_errors():
    with pytest.raises(ValueError, match="unique.*'a'"):
        Sequential([Dense(2, 2, name="a"), Dense(2, 2, name="a")])
    d = Dense(2, 2)
    with pytest.raises(ValueError, match="appears twice"):
        Sequential([d, Tanh(), d])
    with pytest.raises(TypeError, match="layer 1 .*str.* not a Layer"):
        Sequential([Dense(2, 2), "relu"])
    with pytest.raises(ValueError, match="at least one layer"):
        Sequential([])
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        Sequential([Dense(2, 2)], loss="hinge")
    with pytest.raises(ValueError, match="has no loss"):
        Sequential([Dense(2, 2)]).loss(np.zeros((1, 2)), np.zeros((1, 2)))


def test_trainable_params_and_set_get():
    net = Sequential([Dense(2, 2, train_bias=False), Dense(2, 1)])
    assert list(net.trainable_params) == ["dense0.W", "dense1.W", "dense1.b"]
    saved = net.get_params()
    net.params["dense0.W"][...] = 7.0
    assert saved["dense0.W"][0, 0] != 7.0                         # a copy
    net.set_params(saved)
    np.testing.assert_array_equal(net.params["dense0.W"], saved["dense0.W"])
    with pytest.raises(ValueError, match="unknown parameter 'x.W'"):
        net.set_params({"x.W": np.zeros(2)})
    with pytest.raises(ValueError, match=r"needs shape \(2, 2\)"):
        net.set_params({"dense0.W": np.zeros(3)})
    assert "# 9 parameters" in repr(net) and "dense1" in repr(net)


# ------------------------------------------------------ forward/backward
def test_forward_is_the_composition(data):
    X, _ = data
    net = mlp()
    d0, act, d1 = net.layers
    np.testing.assert_array_equal(net.forward(X), d1(act(d0(X))))
    np.testing.assert_array_equal(net(X), net.forward(X))


@pytest.mark.parametrize("loss, n_out, act", [("softmax_ce", 3, Tanh), ("mse", 2, ReLU),
                                              ("bce", 1, Sigmoid)])
def test_backward_passes_gradient_check(loss, n_out, act):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(5, 3))
    y = {"softmax_ce": rng.integers(0, 3, 5), "mse": rng.normal(size=(5, 2)),
         "bce": rng.integers(0, 2, (5, 1)).astype(float)}[loss]
    layers = [Dense(3, 4, seed=1), act(), Dense(4, n_out, seed=2)]
    if loss == "bce":
        layers.append(Sigmoid())
    report = check_network(Sequential(layers, loss=loss), X, y)
    assert report.ok, str(report)


@pytest.mark.parametrize("penalty", [L2(0.3), L1(0.2)])
def test_penalty_in_loss_and_gradient(penalty):
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(6, 2)), rng.integers(0, 3, 6)
    net = mlp()
    plain = net.loss(X, y)
    with_pen = net.loss(X, y, penalty=penalty)
    assert with_pen == pytest.approx(plain + penalty.value(net.params), rel=1e-14)
    assert with_pen > plain
    net.loss(X, y, penalty=penalty)
    net.backward(penalty=penalty)
    for name, p in net.params.items():
        num = numerical_gradient(lambda _: net.loss(X, y, penalty=penalty), p)
        assert relative_error(net.grads[name], num) < 1e-7, name
    net.loss(X, y, penalty=penalty)
    net.backward()            # no penalty given: backward differentiates the plain loss
    g = net.grads["dense0.W"].copy()
    num = numerical_gradient(lambda _: net.loss(X, y), net.params["dense0.W"])
    assert relative_error(g, num) < 1e-7


def test_gradients_are_overwritten_not_accumulated(data):
    X, y = data
    net = mlp()
    net.loss(X, y)
    net.backward()
    first = {k: v.copy() for k, v in net.grads.items()}
    net.loss(X, y)
    net.backward()
    for k in first:
        np.testing.assert_array_equal(net.grads[k], first[k])


def test_backward_from_given_output_gradient():
    net = Sequential([Dense(2, 2, seed=0)])
    X = np.array([[1.0, 2.0]])
    net.forward(X)
    dX = net.backward(np.ones((1, 2)))
    np.testing.assert_allclose(dX, np.ones((1, 2)) @ net.params["dense0.W"].T)
    np.testing.assert_allclose(net.grads["dense0.W"], X.T @ np.ones((1, 2)))


def test_predict_uses_eval_mode_and_restores_it(data):
    X, _ = data
    net = mlp(dropout=0.5)
    assert not np.array_equal(net.forward(X), net.forward(X))      # masks differ
    p1, p2 = net.predict(X), net.predict(X)
    np.testing.assert_array_equal(p1, p2)
    d0, act, _, d1 = net.layers
    np.testing.assert_allclose(p1, d1(act(d0(X))))
    assert all(l.training for l in net.layers)


def test_predict_classes():
    net = Sequential([Dense(2, 3, W=np.eye(2, 3))])
    np.testing.assert_array_equal(net.predict_classes([[1.0, 0.0], [0.0, 2.0]]), [0, 1])
    net = Sequential([Dense(1, 1, W=[[1.0]])])
    np.testing.assert_array_equal(net.predict_classes([[0.2], [0.5], [0.9]]), [0, 1, 1])


# ------------------------------------------------------------------- fit
def test_fit_learns_xor():
    X, y = xor()
    net = Sequential([Dense(2, 8, seed=0), Tanh(), Dense(8, 1, seed=1), Sigmoid()], loss="bce")
    hist = net.fit(X, y, epochs=300, optimizer=Adam(lr=0.05))
    assert isinstance(hist, History) and len(hist) == 300 and hist.epoch[-1] == 299
    assert hist["loss"][-1] < 0.05 < hist["loss"][0]
    assert hist["accuracy"][-1] == 1.0
    np.testing.assert_array_equal(net.predict_classes(X), y)


def test_full_batch_history_starts_at_initial_loss(data):
    X, y = data
    net = mlp()
    start = net.loss(X, y)
    hist = net.fit(X, y, epochs=3, optimizer=SGD(lr=0.1), metrics=())
    assert hist["loss"][0] == pytest.approx(start, rel=1e-14)  # rows shuffled: rounding
    assert list(hist.history) == ["loss"]


def test_minibatch_steps_and_validation(data):
    X, y = data
    opt = Recorder()
    hist = mlp().fit(X[:50], y[:50], epochs=4, optimizer=opt, batch_size=16,
                     validation_data=(X[50:], y[50:]), metrics=("accuracy", "f1"))
    assert len(opt.seen) == 4 * 4                                  # ceil(50 / 16) = 4
    assert set(hist.history) == {"loss", "accuracy", "f1", "val_loss", "val_accuracy", "val_f1"}
    assert all(len(v) == 4 for v in hist.history.values())
    assert all(0 <= a <= 1 for a in hist["val_accuracy"])


def test_same_seed_bit_identical_weights_and_history(data):
    X, y = data

    def run(seed):
        net = mlp(dropout=0.2)
        hist = net.fit(X, y, epochs=5, optimizer=Adam(lr=0.01), batch_size=7, seed=seed,
                       validation_data=(X[:10], y[:10]), penalty=L2(1e-3), clip=("norm", 1.0))
        return net.get_params(), hist.history

    (w1, h1), (w2, h2), (_, h3) = run(0), run(0), run(1)
    for k in w1:
        assert w1[k].tobytes() == w2[k].tobytes()
    assert h1 == h2
    assert h1["loss"] != h3["loss"]


def test_no_shuffle_keeps_order(data):
    X, y = data
    a, b = mlp(), mlp()
    ha = a.fit(X, y, epochs=2, optimizer=SGD(lr=0.1), batch_size=10, shuffle=False, seed=0)
    hb = b.fit(X, y, epochs=2, optimizer=SGD(lr=0.1), batch_size=10, shuffle=False, seed=9)
    assert ha.history == hb.history


def test_callbacks_see_every_epoch_and_can_stop(data):
    X, y = data
    calls = []

    def watch(net, epoch, logs):
        calls.append((epoch, logs["loss"]))
        if epoch == 2:
            net.stop_training = True

    net = mlp()
    hist = net.fit(X, y, epochs=10, optimizer=SGD(lr=0.1), callbacks=[watch])
    assert [e for e, _ in calls] == [0, 1, 2]
    assert [l for _, l in calls] == hist["loss"]
    assert hist.stopped_epoch == 2
    with pytest.raises(TypeError, match="callbacks must be callables"):
        net.fit(X, y, epochs=1, optimizer=SGD(lr=0.1), callbacks=[3])


def test_callbacks_with_begin_and_end_hooks_are_told(data):
    X, y = data
    events = []

    class Watch:
        def on_train_begin(self, net, epochs):
            events.append(("begin", epochs))

        def __call__(self, net, epoch, logs):
            events.append(("epoch", epoch))

        def on_train_end(self, net, history):
            # told after early stopping restored the best weights
            events.append(("end", len(history), history.best_epoch,
                           net.params["dense0.W"].copy()))

    net = mlp()
    hist = net.fit(X, y, epochs=40, optimizer=SGD(lr=0.5), validation_data=(X, 1 - y),
                   early_stopping=2, callbacks=[Watch(), lambda n, e, l: None])
    assert events[0] == ("begin", 40) and events[-1][0] == "end"
    assert [e[1] for e in events[1:-1]] == list(range(len(hist)))
    assert events[-1][1:3] == (len(hist), hist.best_epoch) and len(hist) < 40
    np.testing.assert_array_equal(events[-1][3], net.params["dense0.W"])


def test_early_stopping_restores_best_weights(data):
    X, y = data
    snapshots = []
    net = mlp()
    # Validation labels are the opposite of the training labels, so the better the
    # fit, the worse the validation loss: the best epoch is an early one.
    hist = net.fit(X, y, epochs=50, optimizer=SGD(lr=0.5), validation_data=(X, 1 - y),
                   early_stopping=3, callbacks=[lambda n, e, l: snapshots.append(n.get_params())])
    best = int(np.argmin(hist["val_loss"]))
    assert hist.best_epoch == best
    assert hist.stopped_epoch == best + 3 and len(hist) == best + 4
    for k, v in net.params.items():
        np.testing.assert_array_equal(v, snapshots[best][k])
    assert not np.array_equal(net.params["dense0.W"], snapshots[-1]["dense0.W"])


def test_early_stopping_monitors_training_loss_without_validation(data):
    X, y = data
    hist = mlp().fit(X, y, epochs=5, optimizer=SGD(lr=0.1), early_stopping=2)
    assert hist.best_epoch == 4 and hist.stopped_epoch is None


@pytest.mark.parametrize("clip", [("value", 0.01), ("norm", 0.05)])
def test_clipping(data, clip):
    X, y = data
    opt = Recorder()
    mlp().fit(X, y, epochs=2, optimizer=opt, clip=clip)
    for grads in opt.seen:
        if clip[0] == "value":
            assert max(np.abs(g).max() for g in grads.values()) <= 0.01
        else:
            norm = np.sqrt(sum(float((g ** 2).sum()) for g in grads.values()))
            assert norm <= 0.05 * (1 + 1e-9)
    with pytest.raises(ValueError, match="clip must be"):
        mlp().fit(X, y, epochs=1, optimizer=SGD(lr=0.1), clip=("max", 1.0))


def test_penalty_in_reported_loss(data):
    X, y = data
    net = mlp()
    start = net.loss(X, y, penalty=L2(0.5))
    hist = net.fit(X, y, epochs=1, optimizer=SGD(lr=0.1), penalty=L2(0.5))
    assert hist["loss"][0] == pytest.approx(start, rel=1e-14)


def test_divergence_names_epoch_and_step():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2)) * 10
    y = X @ [[3.0], [-2.0]]
    net = Sequential([Dense(2, 16, seed=0), Dense(16, 1, seed=1)], loss="mse")
    with pytest.raises(ValueError, match=r"epoch \d+ of 50, step \d+ of 4.*[Ll]ower the "
                                         r"learning rate \(now lr=1.0\)"):
        net.fit(X, y, epochs=50, optimizer=SGD(lr=1.0), batch_size=10)


@pytest.mark.parametrize("X, y, err, match", [
    (np.zeros((5, 2)), np.zeros(4, dtype=int), ValueError, "X has 5 rows but y has 4 rows"),
    (np.zeros(5), np.zeros(5, dtype=int), ValueError, r"reshape\(-1, 1\)"),
    (np.zeros((5, 3)), np.zeros(5, dtype=int), ValueError, "3 columns but the first layer expects n_in=2"),
    (np.zeros((5, 2)), np.array([0, 1, 2, 3, 0]), ValueError, r"labels in y must be in 0..2 for 3 outputs"),
    (np.zeros((5, 2)), np.array([0, 1, -1, 0, 0]), ValueError, "from -1 to 1"),
    (np.zeros((5, 2)), np.full(5, 0.5), ValueError, "integer class labels"),
    (np.zeros((5, 2)), np.zeros((5, 4)), ValueError, r"shape \(5, 4\) but the network has 3 outputs"),
    (np.full((5, 2), np.nan), np.zeros(5, dtype=int), ValueError, "finite"),
    ("abc", np.zeros(5, dtype=int), TypeError, "numeric"),
    (np.zeros((5, 2)), None, TypeError, "targets"),
])
def test_bad_input_softmax(X, y, err, match):
    with pytest.raises(err, match=match):
        mlp().fit(X, y, epochs=1, optimizer=SGD(lr=0.1))


def test_bad_input_other_losses_and_arguments(data):
    X, y = data
    net = mlp(n_out=1, loss="bce")
    with pytest.raises(ValueError, match=r"targets in \[0, 1\]"):
        net.fit(X, 2.0 * y, epochs=1, optimizer=SGD(lr=0.1))
    reg = Sequential([Dense(2, 2)], loss=MSE())
    with pytest.raises(ValueError, match=r"y has shape \(60,\) but the network has 2 outputs"):
        reg.fit(X, y.astype(float), epochs=1, optimizer=SGD(lr=0.1))
    with pytest.raises(TypeError, match="get_optimizer: expected an optimizer name"):
        mlp().fit(X, y, epochs=1, optimizer=3)
    with pytest.raises(ValueError, match="unknown optimizer 'sdg'"):
        mlp().fit(X, y, epochs=1, optimizer="sdg")
    with pytest.raises(ValueError, match="epochs"):
        mlp().fit(X, y, epochs=0, optimizer=SGD(lr=0.1))
    with pytest.raises(TypeError, match="validation_data must be a pair"):
        mlp().fit(X, y, epochs=1, optimizer=SGD(lr=0.1), validation_data=X)
    with pytest.raises(ValueError, match="X_val has 60 rows but y_val has 3"):
        mlp().fit(X, y, epochs=1, optimizer=SGD(lr=0.1), validation_data=(X, y[:3]))
    with pytest.raises(ValueError, match="unknown metric"):
        mlp().fit(X, y, epochs=1, optimizer=SGD(lr=0.1), metrics=("auc",))


def test_one_hot_targets_and_float32(data):
    X, y = data
    Y = np.eye(3)[y]
    a, b = mlp(), mlp()
    ha = a.fit(X, y, epochs=3, optimizer=SGD(lr=0.1), batch_size=20)
    hb = b.fit(X, Y, epochs=3, optimizer=SGD(lr=0.1), batch_size=20)
    np.testing.assert_allclose(ha["loss"], hb["loss"], rtol=1e-12)
    assert ha["accuracy"] == hb["accuracy"]
    h32 = mlp().fit(X.astype(np.float32), y, epochs=3, optimizer=SGD(lr=0.1))
    assert np.isfinite(h32["loss"]).all()


def test_regression_with_1d_targets():
    X = np.linspace(0, 1, 20).reshape(-1, 1)
    y = 2 * X[:, 0] + 1
    net = Sequential([Dense(1, 1, seed=0)], loss="mse")
    hist = net.fit(X, y, epochs=500, optimizer=SGD(lr=0.5))
    assert "accuracy" not in hist.history
    np.testing.assert_allclose(net.params["dense0.W"], [[2.0]], atol=1e-3)
    np.testing.assert_allclose(net.params["dense0.b"], [1.0], atol=1e-3)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 30), st.integers(1, 40))
def test_every_row_used_once_per_epoch(n, batch_size):
    """Summed over an epoch, the batch sizes are N (checked through the loss weights)."""
    X = np.random.default_rng(n).normal(size=(n, 2))
    y = np.arange(n) % 3
    opt = Recorder(lr=1e-12)                     # weights (almost) fixed
    net = mlp()
    start = net.loss(X, y)
    hist = net.fit(X, y, epochs=1, optimizer=opt, batch_size=batch_size)
    assert len(opt.seen) == -(-n // min(batch_size, n))
    assert hist["loss"][0] == pytest.approx(start, rel=1e-9)


def test_fit_accepts_an_optimizer_name_like_get_optimizer(data):
    X, y = data
    a, b = mlp(), mlp()
    ha = a.fit(X, y, epochs=3, optimizer="sgd", batch_size=10)
    hb = b.fit(X, y, epochs=3, optimizer=get_optimizer("sgd"), batch_size=10)
    assert ha.history == hb.history
    assert ha["loss"][-1] < ha["loss"][0]


def test_fit_is_the_loop_on_the_public_api(data):
    """fit changes nothing about the layers: they check their input as always."""
    X, y = data
    net = mlp()
    net.fit(X, y, epochs=1, optimizer=SGD(lr=0.1))
    assert Sequential.fit is bplib.training.fit
    with pytest.raises(ValueError, match="finite"):
        net.forward(np.full((1, 2), np.inf))
    reg = Sequential([Dense(2, 16, seed=0), Dense(16, 1, seed=1)], loss="mse")
    with pytest.raises(ValueError, match="diverged") as info:
        reg.fit(X * 10, X[:, :1] * 30, epochs=50, optimizer=SGD(lr=1.0))
    assert isinstance(info.value.__cause__, NonFiniteError)  # a type, not a message


def test_backward_skips_the_input_gradient_only_when_asked(data):
    X, y = data
    net = mlp()
    net.loss(X, y)
    dX = net.backward()
    assert dX.shape == X.shape
    grads = {k: g.copy() for k, g in net.grads.items()}
    net.loss(X, y)
    assert net.backward(need_input_grad=False) is None
    for k, g in net.grads.items():
        np.testing.assert_array_equal(g, grads[k])


def test_loss_that_is_not_finite_raises():
    net = Sequential([Dense(1, 1, W=[[1.0]])], loss="mse")
    with pytest.raises(NonFiniteError, match="Sequential.loss: the loss is inf"), \
            np.errstate(over="ignore"):
        net.loss([[1e200]], [[0.0]])         # a finite output whose square overflows


def test_float32_network_trains_in_float32(data):
    X, y = data
    net = Sequential([Dense(2, 8, seed=0, dtype=np.float32), Tanh(),
                      Dense(8, 3, seed=1, dtype=np.float32)], loss="softmax_ce")
    seen = []
    net.fit(X.astype(np.float32), y, epochs=2, optimizer=SGD(lr=0.1), batch_size=16,
            callbacks=[lambda n, e, l: seen.append({g.dtype for g in n.grads.values()})])
    assert seen == [{np.dtype(np.float32)}] * 2
    assert {p.dtype for p in net.params.values()} == {np.dtype(np.float32)}
