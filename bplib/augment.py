"""Data augmentation for the 8x8 digits: new training images made by shifting old ones.

A digit moved one pixel to the left is still the same digit, so a shifted copy is a
new, correctly labelled training example for free (Chapter 11). Images are rows of 64
pixel values (row by row, as :func:`bplib.datasets.load_digits` returns them) or
arrays of shape (N, 8, 8); the pixels that move in at the edge are the background, 0.
Shift the raw pixels (0..16), then standardise.
"""

from __future__ import annotations

import numpy as np

from bplib._validate import as_array

__all__ = ["shift_images", "SHIFTS", "expand_with_shifts"]

#: The four half-pixel shifts as pairs (dx, dy), to the right, left, down and up. A
#: whole pixel of these 8x8 images is an eighth of the digit's width, too far for
#: these digits, as Chapter 11 measures.
SHIFTS = ((0.5, 0), (-0.5, 0), (0, 0.5), (0, -0.5))


def _shift(v, name, where):
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{where}: expected {name} to be a number of pixels, got "
                        f"{type(v).__name__} {v!r}")
    if not np.isfinite(v):
        raise ValueError(f"{where}: expected {name} to be finite, got {v!r}")
    return float(v)


def shift_images(X, dx, dy, *, side=8):
    """Move every image ``dx`` pixels right and ``dy`` pixels down, filling with 0.

    Parameters
    ----------
    X : array (N, side*side) or (N, side, side)
        Images, one per row (pixels row by row) or as 2-D arrays.
    dx, dy : int or float
        The shift: positive dx moves the picture right, positive dy moves it down;
        pixels pushed over the edge are lost (no wrapping around, unlike ``np.roll``).
        A fraction of a pixel blends the two whole shifts around it (linear
        interpolation): a shift by 0.5 is the mean of the image and its shift by 1.
    side : int, default 8
        Width and height of the square images.

    Returns
    -------
    ndarray of X's shape: the shifted images, ``out[n, r, c] = X[n, r - dy, c - dx]``
    where that pixel exists, else 0.
    """
    where = "shift_images"
    dx, dy = _shift(dx, "dx", where), _shift(dy, "dy", where)
    X = as_array(X, "X", ndim=(2, 3), where=where)
    flat = X.ndim == 2
    if (flat and X.shape[1] != side * side) or (not flat and X.shape[1:] != (side, side)):
        raise ValueError(f"{where}: expected images of shape (N, {side * side}) or "
                         f"(N, {side}, {side}), got {X.shape}")
    images = X.reshape(-1, side, side)
    out = np.zeros_like(images)
    x0, y0 = int(np.floor(dx)), int(np.floor(dy))
    fx, fy = dx - x0, dy - y0
    for ix, wx in ((x0, 1.0 - fx), (x0 + 1, fx)):
        for iy, wy in ((y0, 1.0 - fy), (y0 + 1, fy)):
            if wx * wy > 0.0:
                out += (wx * wy) * _whole_shift(images, ix, iy, side)
    return out.reshape(X.shape)


def _whole_shift(images, dx, dy, side):
    """images (N, side, side) moved by whole pixels dx (right) and dy (down), 0 filled."""
    out = np.zeros_like(images)
    if abs(dx) < side and abs(dy) < side:
        rows_to, rows_from = _span(dy, side)
        cols_to, cols_from = _span(dx, side)
        out[:, rows_to, cols_to] = images[:, rows_from, cols_from]
    return out


def _span(d, side):
    """(destination slice, source slice) along one axis for a shift by d."""
    if d >= 0:
        return slice(d, side), slice(0, side - d)
    return slice(0, side + d), slice(-d, side)


def expand_with_shifts(X, y, shifts=SHIFTS, *, side=8):
    """The images and, after them, a shifted copy of all of them for each shift.

    Returns ``(X_big, y_big)`` with ``(1 + len(shifts)) * N`` rows: first X itself,
    then ``shift_images(X, dx, dy)`` for each ``(dx, dy)`` in ``shifts``; the labels
    are repeated alike (a shifted digit keeps its label).
    """
    where = "expand_with_shifts"
    X = as_array(X, "X", ndim=(2, 3), where=where)
    y = np.asarray(y)
    if y.ndim == 0 or y.shape[0] != X.shape[0]:
        raise ValueError(f"{where}: X has {X.shape[0]} rows but y has "
                         f"{'no rows' if y.ndim == 0 else y.shape[0]}; one label per image")
    parts = [X] + [shift_images(X, dx, dy, side=side) for dx, dy in shifts]
    return np.concatenate(parts), np.concatenate([y] * len(parts))
