"""Classification metrics: accuracy, precision, recall, F1, confusion matrix.

All functions take class labels, ``y_true`` and ``y_pred``, as 1-D integer arrays of
the same length N (``net.predict_classes(X)`` gives predicted labels, and
``class_labels`` turns outputs or one-hot rows into labels). Binary problems use
labels {0, 1} with ``positive=1``; multiclass problems average the per-class scores
with ``average="macro"`` (unweighted mean over classes).

Undefined ratios: when a class has no predicted positives, its precision is 0/0;
when it has no actual positives, its recall is 0/0; F1 is 0/0 when both are 0.
These functions then return **0.0** for that score (the convention of
scikit-learn's ``zero_division=0``), and never NaN or a warning.
"""

from __future__ import annotations

import numpy as np

__all__ = ["class_labels", "accuracy", "precision", "recall", "f1", "confusion_matrix",
           "get_metric"]


def class_labels(outputs):
    """Class labels (N,) from a network's outputs or from targets.

    Rows of K > 1 scores (logits, probabilities, one-hot targets) give the index of
    the largest, ``argmax``; one column (N, 1) of probabilities gives 1 where it is
    at least 0.5, else 0; labels (N,) are returned as they are. The one rule
    ``Sequential.predict_classes`` and ``fit`` both use.
    """
    outputs = np.asarray(outputs)
    if outputs.ndim == 1:
        return outputs
    if outputs.ndim != 2:
        raise ValueError(f"class_labels: expected outputs of shape (N,), (N, 1) or "
                         f"(N, K), got shape {outputs.shape}")
    if outputs.shape[1] > 1:
        return outputs.argmax(axis=1)
    return (outputs[:, 0] >= 0.5).astype(np.int64)


def _check_labels(y, name, where):
    """``y`` as a 1-D int64 array of labels >= 0, or a clear error."""
    if isinstance(y, (str, bytes)) or y is None:
        raise TypeError(f"{where}: {name} must be an array of class labels, got {type(y).__name__}")
    a = np.asarray(y)
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 1:
        raise ValueError(f"{where}: {name} must be 1-D class labels of shape (N,), got shape "
                         f"{a.shape} (for one-hot rows or scores use .argmax(axis=1))")
    if a.dtype.kind not in "iub":
        if a.dtype.kind != "f" or not np.all(np.isfinite(a)) or np.any(a != np.round(a)):
            raise TypeError(f"{where}: {name} must hold integer class labels, got dtype {a.dtype}")
    a = a.astype(np.int64)
    if a.size and a.min() < 0:
        raise ValueError(f"{where}: {name} holds negative label {a.min()}; labels must be >= 0")
    return a


def _pair(y_true, y_pred, where):
    t = _check_labels(y_true, "y_true", where)
    p = _check_labels(y_pred, "y_pred", where)
    if t.shape != p.shape:
        raise ValueError(f"{where}: y_true and y_pred must have the same length, "
                         f"got {t.shape[0]} and {p.shape[0]}")
    if t.size == 0:
        raise ValueError(f"{where}: got empty label arrays")
    return t, p


def accuracy(y_true, y_pred):
    """Fraction of labels predicted correctly: (1/N) Σ [ŷᵢ = yᵢ]."""
    t, p = _pair(y_true, y_pred, "accuracy")
    return float(np.mean(t == p))


def confusion_matrix(y_true, y_pred, n_classes=None):
    """Counts ``C[i, j]`` = number of samples of true class i predicted as class j.

    Returns an int64 array of shape (K, K), K = ``n_classes`` or 1 + the largest
    label seen. Rows are true classes, columns predicted classes (as in scikit-learn).
    """
    t, p = _pair(y_true, y_pred, "confusion_matrix")
    seen = int(max(t.max(), p.max())) + 1
    if n_classes is None:
        k = seen
    else:
        if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
            raise ValueError(f"confusion_matrix: n_classes must be a positive int, got {n_classes!r}")
        k = int(n_classes)
        if seen > k:
            raise ValueError(f"confusion_matrix: label {seen - 1} is out of range for "
                             f"n_classes={k} (labels must be in 0..{k - 1})")
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k)


def _divide(num, den):
    """num / den elementwise, 0.0 where den == 0 (the documented convention)."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.zeros_like(num)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _per_class(y_true, y_pred, where):
    t, p = _pair(y_true, y_pred, where)
    c = confusion_matrix(t, p, n_classes=max(2, int(max(t.max(), p.max())) + 1))
    tp = np.diag(c)
    return tp, c.sum(axis=0), c.sum(axis=1)  # true positives, predicted, actual


def _reduce(scores, average, positive, where):
    if average == "binary":
        if scores.shape[0] > 2:
            raise ValueError(f"{where}: average='binary' needs labels in {{0, 1}}, found "
                             f"{scores.shape[0]} classes; use average='macro'")
        if positive not in (0, 1):
            raise ValueError(f"{where}: positive must be 0 or 1, got {positive!r}")
        return float(scores[positive])
    if average == "macro":
        return float(scores.mean())
    if average is None:
        return scores
    raise ValueError(f"{where}: average must be 'auto', 'binary', 'macro' or None, "
                     f"got {average!r}")


def _default_average(y_true, y_pred):
    """'binary' when all labels are 0/1, else 'macro'."""
    t = np.asarray(y_true)
    p = np.asarray(y_pred)
    return "binary" if (t.size and p.size and max(t.max(), p.max()) <= 1) else "macro"


def precision(y_true, y_pred, *, positive=1, average="auto"):
    """Precision TP / (TP + FP): of the samples predicted positive, the fraction right.

    ``average``: "binary" (the score of class ``positive``), "macro" (unweighted
    mean over classes), None (the array of per-class scores), or "auto" (default:
    "binary" when all labels are 0/1, "macro" otherwise). A class that is never
    predicted has precision 0.0 (see the module docstring).
    """
    tp, predicted, _ = _per_class(y_true, y_pred, "precision")
    if average == "auto":
        average = _default_average(y_true, y_pred)
    return _reduce(_divide(tp, predicted), average, positive, "precision")


def recall(y_true, y_pred, *, positive=1, average="auto"):
    """Recall TP / (TP + FN): of the actual positives, the fraction found.

    ``average`` as in :func:`precision`. A class absent from ``y_true`` has recall 0.0.
    """
    tp, _, actual = _per_class(y_true, y_pred, "recall")
    if average == "auto":
        average = _default_average(y_true, y_pred)
    return _reduce(_divide(tp, actual), average, positive, "recall")


def f1(y_true, y_pred, *, positive=1, average="auto"):
    """F1 = 2 P R / (P + R), the harmonic mean of precision P and recall R.

    Per class, then averaged like :func:`precision` ("macro" averages the per-class
    F1 scores). 0.0 where P + R = 0.
    """
    tp, predicted, actual = _per_class(y_true, y_pred, "f1")
    p = _divide(tp, predicted)
    r = _divide(tp, actual)
    if average == "auto":
        average = _default_average(y_true, y_pred)
    return _reduce(_divide(2 * p * r, p + r), average, positive, "f1")


_METRICS = {"accuracy": accuracy, "precision": precision, "recall": recall, "f1": f1}


def get_metric(name):
    """The metric function called ``name`` ("accuracy", "precision", "recall", "f1")."""
    if callable(name):
        return name
    if not isinstance(name, str):
        raise TypeError(f"get_metric: expected a metric name or function, got {type(name).__name__}")
    try:
        return _METRICS[name.lower()]
    except KeyError:
        raise ValueError(f"get_metric: unknown metric {name!r}; choose one of {sorted(_METRICS)}") from None
