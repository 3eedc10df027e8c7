"""The 8x8 handwritten digits, shipped inside the package (nothing is downloaded).

Source: "Optical Recognition of Handwritten Digits", E. Alpaydin and C. Kaynak (1998),
UCI Machine Learning Repository, licensed CC BY 4.0. See DIGITS_LICENSE.txt beside
this module for the attribution and what was changed (the format only).
"""

from __future__ import annotations

from importlib import resources

import numpy as np

__all__ = ["load_digits", "DIGITS_ATTRIBUTION"]

DIGITS_ATTRIBUTION = (
    'Handwritten digits: "Optical Recognition of Handwritten Digits", E. Alpaydin and '
    "C. Kaynak (1998), UCI Machine Learning Repository, https://doi.org/10.24432/C50P49, "
    "licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)."
)


def load_digits(*, images=False):
    """Load the 1,797 handwritten digits (8x8 pixels, values 0..16).

    Returns
    -------
    X : ndarray, float64, shape (1797, 64)
        One image per row, pixels row by row (``images=True`` gives shape
        (1797, 8, 8) instead). Values are counts 0..16: scale them before
        training, e.g. ``X / 16`` or with :class:`bplib.data.Standardizer`.
    y : ndarray, int64, shape (1797,)
        The digit shown, 0..9.
    """
    with resources.files(__package__).joinpath("digits.npz").open("rb") as fh:
        with np.load(fh) as data:
            pixels, labels = data["images"], data["labels"]
    X = pixels.astype(np.float64)
    if not images:
        X = X.reshape(X.shape[0], 64)
    return X, labels.astype(np.int64)
