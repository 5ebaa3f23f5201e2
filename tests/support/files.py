"""Small real files for uploads."""

from __future__ import annotations

import struct
import zlib


def png_bytes(colour: int = 0xFF8000, size: int = 4) -> bytes:
    """A real size×size PNG of one colour (0xRRGGBB): a new colour is a new file (a new SHA-256)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    rgb = (colour & 0xFFFFFF).to_bytes(3, "big")
    raw = b"".join(b"\x00" + rgb * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
