"""Scanned PDF pages → text lines, with RapidOCR (the optional extra ``govsearch[ocr]``).

A page without a text layer is rendered with PDFium at 300 dpi (less for a page so large that
the image would pass ``MAX_PIXELS``) and recognised by RapidOCR: PP-OCRv6 detection and
recognition models that ship inside the ``rapidocr`` wheel, run by onnxruntime on the CPU;
nothing is downloaded.  The recognised boxes become lines with their geometry, so that the
PDF reader joins them into paragraphs as it does a text layer.

Results are cached by the file's SHA-256 (and the page, the resolution and this module's
``VERSION``) in ``$GOVSEARCH_OCR_CACHE``, else ``$XDG_CACHE_HOME/govsearch/ocr``, else
``~/.cache/govsearch/ocr``: a re-index never recognises the same page twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
from pathlib import Path
from typing import Any

from search.documents.ofd import Fragment, fragment_lines
from search.documents.pdf import Line

VERSION = 1  # bump when the recognition or its conversion to lines changes
DPI = 300
MAX_PIXELS = 40_000_000  # a rendered page larger than this is rendered at a lower resolution
MIN_DPI = 50  # a page that would need less is too large to read: it is left out
MIN_SCORE = 0.5  # recognised text below this confidence is dropped
INSTALL_HINT = "pip install 'govsearch[ocr]' to have scanned pages read"


def available() -> bool:
    """Whether the OCR extra is installed."""
    try:
        import onnxruntime  # noqa: F401
        import rapidocr  # noqa: F401
    except ImportError:
        return False
    return True


def cache_dir() -> Path:
    configured = os.environ.get("GOVSEARCH_OCR_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "govsearch" / "ocr"


def page_scale(width: float, height: float, dpi: int = DPI) -> float:
    """Pixels per point for a page of ``width`` × ``height`` points; 0 if unreadably large."""
    scale = dpi / 72
    if width * height * scale * scale > MAX_PIXELS:
        scale = math.sqrt(MAX_PIXELS / max(width * height, 1.0))
    return scale if scale >= MIN_DPI / 72 else 0.0


class Recognizer:
    """One RapidOCR engine, created on first use and kept for every page of a run, with the
    cache of results by content hash."""

    def __init__(self, folder: Path | None = None, dpi: int = DPI) -> None:
        self.folder = folder or cache_dir()
        self.dpi = dpi
        self._engine: Any = None
        self.recognised = 0  # pages recognised (not taken from the cache) by this value

    def _key(self, data: bytes) -> Path:
        digest = hashlib.sha256(data).hexdigest()
        return self.folder / f"{digest}-{self.dpi}-v{VERSION}.json"

    def cached(self, data: bytes) -> dict[str, list[list[Any]]]:
        try:
            loaded = json.loads(self._key(data).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def store(self, data: bytes, pages: dict[str, list[list[Any]]]) -> None:
        path = self._key(data)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
            temporary.replace(path)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def engine(self) -> Any:
        if self._engine is None:
            from rapidocr import RapidOCR

            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            self._engine = RapidOCR(params={"Global.log_level": "error"})
        return self._engine

    def recognise(self, page: Any, scale: float) -> list[list[Any]]:
        """``[text, x0, x1, bottom, size]`` for each line of a rendered page, in points."""
        import numpy as np

        bitmap = page.render(scale=scale, grayscale=False)
        try:
            image = np.ascontiguousarray(bitmap.to_numpy()[:, :, :3])
        finally:
            bitmap.close()
        result = self.engine()(image)
        self.recognised += 1
        height = image.shape[0] / scale
        fragments = []
        for box, text, score in zip(
            result.boxes if result.boxes is not None else [],
            result.txts or (),
            result.scores or (),
            strict=False,
        ):
            if score < MIN_SCORE or not str(text).strip():
                continue
            xs = [float(p[0]) / scale for p in box]
            ys = [float(p[1]) / scale for p in box]
            size = max(ys) - min(ys)
            fragments.append(Fragment(min(xs), max(ys), str(text), size, max(xs) - min(xs)))
        lines = fragment_lines(fragments)
        return [[ln.text, ln.x0, ln.x1, height + ln.bottom, round(ln.size, 1)] for ln in lines]


def recognise_page(recognizer: Recognizer, page: Any) -> list[list[Any]]:
    """The lines of a page without a text layer; none for a page too large to render or one
    the engine fails on (it is left out, as an unreadable page)."""
    scale = page_scale(page.get_width(), page.get_height(), recognizer.dpi)
    if not scale:
        return []
    try:
        return recognizer.recognise(page, scale)
    except Exception:  # onnxruntime or OpenCV errors, memory: the page stays unread
        return []


def lines_of(rows: list[list[Any]]) -> list[Line]:
    """Cached rows back to lines."""
    return [Line(str(t), float(a), float(b), float(c), float(d)) for t, a, b, c, d in rows]
