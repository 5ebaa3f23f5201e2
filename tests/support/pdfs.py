"""Reading a rendered 执法文书 as a person holding the paper would: its text, its pictures, and the
QR codes a phone would scan off the printed page (pdftoppm renders it, zxing-cpp decodes)."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return "".join(text.split())


def pdf_images(data: bytes) -> list[Any]:
    """Every raster image of every page, as PIL images."""
    return [image.image for page in PdfReader(io.BytesIO(data)).pages for image in page.images]


def decode_qr(image: Any) -> list[str]:
    import zxingcpp

    return [result.text for result in zxingcpp.read_barcodes(image)]


def page_qr_codes(data: bytes, dpi: int = 200) -> list[str]:
    """The QR codes on the rendered pages (needs poppler-utils' pdftoppm, scripts/system-deps.sh)."""
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        raise RuntimeError("pdftoppm not found (apt-get install poppler-utils)")
    found: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "doc.pdf"
        pdf.write_bytes(data)
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), f"{folder}/page"], check=True)
        for page in sorted(Path(folder).glob("page*.png")):
            with Image.open(page) as image:
                found += decode_qr(image.convert("L"))
    return found


def signature_png(strokes: int = 3, size: tuple[int, int] = (300, 120)) -> bytes:
    """A PNG like a canvas gives: transparent, with black strokes."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for n in range(strokes):
        draw.line(
            [(20 + 30 * n, 90), (60 + 40 * n, 20), (100 + 50 * n, 100)], fill="black", width=4
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def blank_png(size: tuple[int, int] = (300, 120)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()
