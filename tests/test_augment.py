"""bplib.augment: whole and fractional shifts of the 8x8 digits, and the expanded set."""

import numpy as np
import pytest

from bplib.augment import SHIFTS, expand_with_shifts, shift_images

IMAGE = np.arange(64.0).reshape(1, 64)


def test_whole_shift_moves_pixels_and_fills_with_zero():
    right = shift_images(IMAGE, 1, 0).reshape(8, 8)
    np.testing.assert_array_equal(right[:, 0], 0.0)
    np.testing.assert_array_equal(right[:, 1:], IMAGE.reshape(8, 8)[:, :-1])
    up = shift_images(IMAGE, 0, -1).reshape(8, 8)
    np.testing.assert_array_equal(up[-1], 0.0)
    np.testing.assert_array_equal(up[:-1], IMAGE.reshape(8, 8)[1:])


def test_no_wrap_around_unlike_roll():
    img = np.zeros((1, 8, 8))
    img[0, 3, 7] = 5.0                                   # a pixel at the right edge
    assert shift_images(img, 1, 0).sum() == 0.0          # pushed out, not wrapped
    assert np.roll(img, 1, axis=2)[0, 3, 0] == 5.0


def test_shapes_kept_and_zero_shift_is_identity():
    X = np.random.default_rng(0).uniform(0, 16, size=(3, 64))
    np.testing.assert_array_equal(shift_images(X, 0, 0), X)
    assert shift_images(X.reshape(3, 8, 8), 1, -1).shape == (3, 8, 8)
    assert shift_images(X, 9, 0).sum() == 0.0            # moved out entirely


def test_fractional_shift_interpolates_linearly():
    X = np.random.default_rng(1).uniform(0, 16, size=(2, 64))
    half = shift_images(X, 0.5, 0)
    np.testing.assert_allclose(half, 0.5 * (X + shift_images(X, 1, 0)))
    quarter = shift_images(X, -0.25, 0.5)
    expected = sum(wx * wy * shift_images(X, dx, dy)
                   for dx, wx in ((-1, 0.25), (0, 0.75)) for dy, wy in ((0, 0.5), (1, 0.5)))
    np.testing.assert_allclose(quarter, expected)


def test_expand_with_shifts_repeats_labels():
    X = np.random.default_rng(2).uniform(0, 16, size=(4, 64))
    y = np.array([3, 1, 4, 1])
    Xb, yb = expand_with_shifts(X, y)
    assert Xb.shape == (4 * (1 + len(SHIFTS)), 64)
    np.testing.assert_array_equal(yb, np.tile(y, 1 + len(SHIFTS)))
    np.testing.assert_array_equal(Xb[:4], X)
    np.testing.assert_allclose(Xb[4:8], shift_images(X, *SHIFTS[0]))


@pytest.mark.parametrize("args, error, match", [
    ((np.zeros((2, 63)), 1, 0), ValueError, r"\(N, 64\)"),
    ((np.zeros(64), 1, 0), ValueError, "dimension"),
    ((IMAGE, "1", 0), TypeError, "dx"),
    ((IMAGE, 1, np.nan), ValueError, "dy"),
    ((IMAGE, True, 0), TypeError, "dx"),
])
def test_bad_input_is_named(args, error, match):
    with pytest.raises(error, match=match):
        shift_images(*args)


def test_expand_needs_one_label_per_image():
    with pytest.raises(ValueError, match="one label per image"):
        expand_with_shifts(np.zeros((3, 64)), [1, 2])
