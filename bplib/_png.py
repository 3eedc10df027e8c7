"""A fast PNG encoder for live slider frames: RGB pixels, the "Up" filter, zlib.

A figure changes little from one pixel row to the next (flat backgrounds,
vertical edges), so PNG's "Up" filter (each byte minus the byte above it)
leaves runs of zeros that zlib's run-length strategy packs quickly: on the
chapter demos' frames, a few times faster than Pillow's encoder at its fastest
level, and a smaller file. Format: the PNG specification, ISO/IEC 15948:2004
(chunks IHDR, IDAT, IEND; filter method 0, filter type 2).
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

__all__ = ["encode_rgb"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data)))


def encode_rgb(pixels) -> bytes:
    """PNG bytes of ``pixels``, a (height, width, 3) uint8 array (RGB, top row first)."""
    a = np.asarray(pixels)
    if a.dtype != np.uint8 or a.ndim != 3 or a.shape[2] != 3 or 0 in a.shape[:2]:
        raise ValueError(f"encode_rgb: expected a (height, width, 3) uint8 array, "
                         f"got shape {a.shape} dtype {a.dtype}")
    h, w, _ = a.shape
    flat = a.reshape(h, w * 3)
    rows = np.empty((h, w * 3 + 1), np.uint8)
    rows[:, 0] = 2                            # filter type 2, "Up"
    rows[0, 1:] = flat[0]                     # the row above the first is zeros
    np.subtract(flat[1:], flat[:-1], out=rows[1:, 1:])   # modulo 256, as PNG wants
    packer = zlib.compressobj(1, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    idat = packer.compress(rows.tobytes()) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)    # 8-bit RGB, no interlace
    return _SIGNATURE + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
