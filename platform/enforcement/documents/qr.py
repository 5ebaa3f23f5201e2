"""QR codes (扫码验真, equipment labels) as PNG data URIs: segno, pure Python, deterministic."""

from __future__ import annotations

import base64
import io

import segno

# Error correction M (15 %): survives a fold or a stain on paper, still a small symbol for a URL.
ERROR = "m"


def qr_png(text: str, *, scale: int = 4, border: int = 4) -> bytes:
    """The QR code of the text as a black-on-white PNG (quiet zone included)."""
    buffer = io.BytesIO()
    segno.make_qr(text, error=ERROR).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()


def qr_data_uri(text: str, *, scale: int = 4) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(text, scale=scale)).decode("ascii")
