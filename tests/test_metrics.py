"""Tests of bplib.metrics against small cases counted by hand."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bplib.metrics import accuracy, confusion_matrix, f1, get_metric, precision, recall

# Binary case, counted by hand:
#   y_true 1 1 1 0 0 0 1 0
#   y_pred 1 0 1 0 1 0 1 0   -> TP = 3, FN = 1, FP = 1, TN = 3
Y_TRUE = np.array([1, 1, 1, 0, 0, 0, 1, 0])
Y_PRED = np.array([1, 0, 1, 0, 1, 0, 1, 0])


def test_binary_hand_counted():
    assert accuracy(Y_TRUE, Y_PRED) == 6 / 8
    assert precision(Y_TRUE, Y_PRED) == 3 / 4
    assert recall(Y_TRUE, Y_PRED) == 3 / 4
    assert f1(Y_TRUE, Y_PRED) == pytest.approx(0.75)
    np.testing.assert_array_equal(confusion_matrix(Y_TRUE, Y_PRED), [[3, 1], [1, 3]])


def test_binary_asymmetric_and_positive_zero():
    t = np.array([1, 1, 1, 1, 0, 0])
    p = np.array([1, 0, 0, 0, 0, 1])          # TP 1, FN 3, FP 1, TN 1
    assert precision(t, p) == 0.5
    assert recall(t, p) == 0.25
    assert f1(t, p) == pytest.approx(2 * 0.5 * 0.25 / 0.75)
    # class 0 as the positive class: TP 1, FP 3, FN 1
    assert precision(t, p, positive=0) == 0.25
    assert recall(t, p, positive=0) == 0.5


def test_multiclass_macro_hand_counted():
    t = np.array([0, 0, 1, 1, 2, 2])
    p = np.array([0, 1, 1, 1, 0, 2])
    C = confusion_matrix(t, p)
    np.testing.assert_array_equal(C, [[1, 1, 0], [0, 2, 0], [1, 0, 1]])
    # per class precision: 1/2, 2/3, 1/1 ; recall: 1/2, 2/2, 1/2
    assert precision(t, p) == pytest.approx((1 / 2 + 2 / 3 + 1) / 3)
    assert recall(t, p) == pytest.approx((1 / 2 + 1 + 1 / 2) / 3)
    f1s = [2 * a * b / (a + b) for a, b in [(1 / 2, 1 / 2), (2 / 3, 1), (1, 1 / 2)]]
    assert f1(t, p) == pytest.approx(np.mean(f1s))
    np.testing.assert_allclose(precision(t, p, average=None), [1 / 2, 2 / 3, 1])
    assert accuracy(t, p) == pytest.approx(4 / 6)


def test_no_predicted_positives_gives_zero_not_nan():
    t = np.array([1, 0, 1, 0])
    p = np.zeros(4, dtype=int)
    assert precision(t, p) == 0.0          # 0/0 -> 0.0, documented
    assert recall(t, p) == 0.0
    assert f1(t, p) == 0.0


def test_no_actual_positives():
    t = np.zeros(3, dtype=int)
    p = np.array([0, 1, 0])
    assert recall(t, p) == 0.0
    assert precision(t, p) == 0.0
    assert accuracy(t, p) == pytest.approx(2 / 3)


def test_confusion_matrix_n_classes_and_column_vector():
    C = confusion_matrix(np.array([[0], [1]]), [1, 1], n_classes=4)
    assert C.shape == (4, 4) and C[0, 1] == 1 and C[1, 1] == 1 and C.sum() == 2
    with pytest.raises(ValueError, match="label 3 is out of range for n_classes=2"):
        confusion_matrix([0, 3], [0, 1], n_classes=2)


@pytest.mark.parametrize("fn", [accuracy, precision, recall, f1, confusion_matrix])
def test_bad_input(fn):
    with pytest.raises(ValueError, match="same length, got 3 and 2"):
        fn([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match=r"1-D class labels.*argmax"):
        fn(np.eye(3), np.eye(3))
    with pytest.raises(TypeError, match="integer class labels"):
        fn([0.5, 1.0], [0, 1])
    with pytest.raises(ValueError, match="negative label"):
        fn([-1, 1], [0, 1])
    with pytest.raises(ValueError, match="empty"):
        fn([], [])


def test_average_errors_and_names():
    with pytest.raises(ValueError, match="average='binary' needs labels"):
        precision([0, 1, 2], [0, 1, 2], average="binary")
    with pytest.raises(ValueError, match="average must be"):
        recall([0, 1], [0, 1], average="micro")
    assert get_metric("f1") is f1
    with pytest.raises(ValueError, match="unknown metric 'auc'"):
        get_metric("auc")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=40))
def test_properties(pairs):
    t, p = map(np.array, zip(*pairs))
    C = confusion_matrix(t, p, n_classes=4)
    assert C.sum() == len(t)
    assert accuracy(t, p) == pytest.approx(np.trace(C) / len(t))
    for fn in (precision, recall, f1):
        v = fn(t, p, average="macro")
        assert 0.0 <= v <= 1.0 and np.isfinite(v)
    if np.array_equal(t, p):
        assert accuracy(t, p) == 1.0


def test_class_labels_is_the_one_rule_for_outputs():
    from bplib.metrics import class_labels
    np.testing.assert_array_equal(class_labels(np.array([[0.1, 0.7, 0.2], [2.0, 1.0, 0.0]])),
                                  [1, 0])                          # K > 1: argmax
    np.testing.assert_array_equal(class_labels(np.array([[0.2], [0.5], [0.9]])),
                                  [0, 1, 1])                       # one column: >= 0.5
    labels = np.array([2, 0, 1])
    assert class_labels(labels) is labels                          # labels as they are
    with pytest.raises(ValueError, match=r"class_labels: expected outputs of shape "
                                         r"\(N,\), \(N, 1\) or \(N, K\), got shape \(2, 2, 2\)"):
        class_labels(np.zeros((2, 2, 2)))
