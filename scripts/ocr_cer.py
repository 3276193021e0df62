"""Character error rate and speed of OCR on scans of known Chinese text (#13).

Lays out the paragraphs of the given text files (e.g. ``seeds/*.txt``) as A4 pages of an
official document, draws them at each resolution with the test extra's Noto Sans CJK font
(tests/scans.py), makes a PDF without a text layer, and reads it with the PDF reader and
RapidOCR (an empty cache, models loaded beforehand).  CER = Levenshtein distance / reference
length over the text with whitespace removed and NFKC-normalised (as searches compare it:
a full-width ，for a , is no error), summed page by page; the raw CER is printed beside it.
Speed: pages per second, and the ratio to a baseline timed in the same run, drawing the same
page images.

Usage: python scripts/ocr_cer.py seeds/*.txt [--dpi 150 300] [--pages 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from scans import page_image, scanned_pdf

from search.documents.ocr import Recognizer
from search.documents.pdf import read_pdf

LINE_CHARS = 28  # characters of a body line at 16 pt on A4 with 28 mm margins
LINES_PER_PAGE = 24  # at 1.8 lines' spacing from 90 pt down: the page holds 25


def distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def pages_of(paths: list[Path], count: int) -> list[list[tuple[str, str]]]:
    """Pages of body lines (each a paragraph's piece of at most LINE_CHARS characters)."""
    lines: list[tuple[str, str]] = []
    for path in paths:
        for paragraph in path.read_text(encoding="utf-8").splitlines():
            text = "".join(paragraph.split()).lstrip("#")
            while text:
                lines.append(("body", text[: LINE_CHARS - 2]))
                text = text[LINE_CHARS - 2 :]
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]
    return pages[:count]


def measure(pages: list[list[tuple[str, str]]], dpi: int) -> dict[str, float]:
    data = scanned_pdf(pages, dpi)
    started = time.perf_counter()
    for lines in pages:
        page_image(lines, dpi)
    render = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as cache:
        recognizer = Recognizer(Path(cache))
        recognizer.engine()  # loading the models is not part of the per-page figure
        started = time.perf_counter()
        blocks, _ = read_pdf(data, "scan.pdf", recognizer)
        elapsed = time.perf_counter() - started
    errors = raw_errors = total = 0
    for number, lines in enumerate(pages, 1):
        reference = "".join(text for _, text in lines)
        found = "".join("".join(b.text.split()) for b in blocks if b.line == number)
        raw_errors += distance(reference, found)
        errors += distance(_normal(reference), _normal(found))
        total += len(reference)
    return {
        "pages": len(pages),
        "cer": errors / max(total, 1),
        "raw_cer": raw_errors / max(total, 1),
        "pages_per_s": len(pages) / elapsed,
        "ratio_to_drawing": elapsed / max(render, 1e-9),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("texts", type=Path, nargs="+")
    parser.add_argument("--dpi", type=int, nargs="+", default=[150, 300])
    parser.add_argument("--pages", type=int, default=4)
    args = parser.parse_args()
    pages = pages_of(args.texts, args.pages)
    for dpi in args.dpi:
        result = measure(pages, dpi)
        print(
            f"{dpi} dpi: {result['pages']:.0f} pages, CER {result['cer']:.2%} "
            f"(raw {result['raw_cer']:.2%}), "
            f"{result['pages_per_s']:.2f} pages/s, "
            f"{result['ratio_to_drawing']:.1f}x the time to draw the page images"
        )


if __name__ == "__main__":
    main()
