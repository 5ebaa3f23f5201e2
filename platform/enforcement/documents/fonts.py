"""The CJK font of 执法文书 PDFs: where it is installed, its @font-face rules, and the only URLs the
renderer may read (the templates' and the font's local files; never the network).

The font is the npm package ``@expo-google-fonts/noto-serif-sc`` (pinned in package.json, installed
by ``make setup``'s ``npm ci`` like the region data). ``FONT_DIR`` (config, or the
``ENFORCEMENT_FONT_DIR`` environment variable) names the installed package's folder; by default it
is ``node_modules/@expo-google-fonts/noto-serif-sc`` of the checkout, else of the working directory
(an installation from the wheel runs ``npm ci`` beside its config and points FONT_DIR there).
"""

from __future__ import annotations

import mimetypes
import re
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from enforcement.documents import FONT_PACKAGE, HERE, TEMPLATES_DIR, RenderError, setting

FONT_CSS = TEMPLATES_DIR / "_fonts.css"


def default_font_dir() -> Path:
    """The checkout's node_modules/<package> (`make setup`), else the working directory's."""
    candidates = [
        HERE.parents[2] / "node_modules" / FONT_PACKAGE,
        Path.cwd() / "node_modules" / FONT_PACKAGE,
    ]
    return next((c for c in candidates if c.is_dir()), candidates[0])


def font_dir() -> Path:
    return Path(setting("FONT_DIR") or default_font_dir()).resolve()


def font_css() -> str:
    return FONT_CSS.read_text(encoding="utf-8")


def font_files() -> list[str]:
    """The files the @font-face rules name, relative to FONT_DIR."""
    return re.findall(r'url\("([^"]+)"\)', font_css())


def check_font_dir(directory: Path) -> None:
    """Refuse to render without the font: a PDF in a fallback face prints tofu or worse."""
    missing = [name for name in font_files() if not (directory / name).is_file()]
    if missing:
        raise RenderError(
            f"找不到文书字体 {FONT_PACKAGE}（{directory / missing[0]}）：请在平台目录运行"
            " `npm ci`（make setup），或用 ENFORCEMENT_FONT_DIR 指明该字体包的位置"
        )


def _response(url: str, body: bytes, mime: str | None) -> Any:
    try:  # WeasyPrint 68 and later
        from weasyprint.urls import URLFetcherResponse
    except ImportError:  # 66 and 67: a dict
        return {"string": body, "mime_type": mime, "redirected_url": url}
    return URLFetcherResponse(url, body, {"Content-Type": mime or "application/octet-stream"})


class LocalFetcher:
    """WeasyPrint's url_fetcher: ``data:`` URLs and files under the given folders, nothing else."""

    def __init__(self, *roots: Path) -> None:
        self.roots = [Path(root).resolve() for root in roots]

    def __call__(self, url: str) -> Any:
        if url.startswith("data:"):
            with urllib.request.urlopen(url) as answer:  # noqa: S310 - data: only
                return _response(url, answer.read(), answer.headers.get_content_type())
        if not url.startswith("file:"):
            raise ValueError(f"文书不得引用外部地址：{url}")
        path = Path(urllib.request.url2pathname(urllib.parse.urlsplit(url).path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise ValueError(f"文书不得引用该文件：{path}")
        return _response(url, path.read_bytes(), mimetypes.guess_type(path.name)[0])
