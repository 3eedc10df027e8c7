"""bplib._png: the live frames' PNG encoder gives back exactly the pixels it got."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from bplib._png import encode_rgb


def decode(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def chunks(png):
    """(kind, data) of every chunk, checking each CRC on the way."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    out, i = [], 8
    while i < len(png):
        (n,) = struct.unpack(">I", png[i:i + 4])
        kind, data = png[i + 4:i + 8], png[i + 8:i + 8 + n]
        (crc,) = struct.unpack(">I", png[i + 8 + n:i + 12 + n])
        assert crc == zlib.crc32(kind + data), f"bad CRC in {kind!r}"
        out.append((kind, data))
        i += 12 + n
    return out


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 2 ** 32 - 1))
def test_random_pixels_round_trip(h, w, seed):
    a = np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)
    png = encode_rgb(a)
    assert np.array_equal(decode(png), a)
    assert [k for k, _ in chunks(png)] == [b"IHDR", b"IDAT", b"IEND"]


def test_a_drawn_figure_round_trips_and_uses_the_up_filter():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(3, 2), dpi=72)
    fig.add_subplot().plot([0, 1, 2], [2, 0, 1])
    FigureCanvasAgg(fig).draw()
    a = np.array(np.asarray(fig.canvas.buffer_rgba())[..., :3])
    png = encode_rgb(a)
    assert np.array_equal(decode(png), a)
    header = dict(chunks(png))[b"IHDR"]
    assert struct.unpack(">IIBBBBB", header) == (a.shape[1], a.shape[0], 8, 2, 0, 0, 0)
    rows = zlib.decompress(dict(chunks(png))[b"IDAT"])
    assert set(rows[::a.shape[1] * 3 + 1]) == {2}          # every row: filter "Up"
    assert len(png) < a.nbytes / 5                          # and it does compress


def test_non_contiguous_input_is_encoded_as_its_values():
    rgba = np.random.default_rng(1).integers(0, 256, (5, 7, 4), dtype=np.uint8)
    assert np.array_equal(decode(encode_rgb(rgba[..., :3])), rgba[..., :3])


@pytest.mark.parametrize("bad", [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 4), np.uint8),
                                 np.zeros((4, 4, 3), np.float64), np.zeros((0, 4, 3), np.uint8)])
def test_bad_arrays_are_refused_with_their_shape(bad):
    with pytest.raises(ValueError, match=r"encode_rgb: expected a \(height, width, 3\) uint8"):
        encode_rgb(bad)
