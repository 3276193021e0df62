"""Scanned PDFs for the OCR tests and scripts/ocr_cer.py: text drawn into an A4 image with
Pillow and a Noto Sans CJK font from PyPI (the test extra's ``noto-cjk-sans-otc``), saved as a
PDF without a text layer."""

from __future__ import annotations

import io
from typing import Any

A4_POINTS = (595.0, 842.0)
Lines = list[tuple[str, str]]  # (kind, text): kind "title", "body" (indented), "right"


def font(size_px: int) -> Any:
    import noto_cjk_sans_otc
    from PIL import ImageFont

    return ImageFont.truetype(str(noto_cjk_sans_otc.FONT_PATH), size_px, index=2)  # SC


def page_image(lines: Lines, dpi: int, body_pt: float = 16.0) -> Any:
    """An A4 page at ``dpi`` with the lines laid out as an official document."""
    from PIL import Image, ImageDraw

    scale = dpi / 72
    width, height = round(A4_POINTS[0] * scale), round(A4_POINTS[1] * scale)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    body, title = font(round(body_pt * scale)), font(round(body_pt * 1.4 * scale))
    left, right, y = 79 * scale, (595 - 79) * scale, 90 * scale
    for kind, text in lines:
        face = title if kind == "title" else body
        size = face.size
        text_width = draw.textlength(text, font=face)
        if kind == "title":
            x = (width - text_width) / 2
        elif kind == "right":
            x = right - text_width - 2 * size
        else:
            x = left + 2 * size
        draw.text((x, y), text, font=face, fill=0)
        y += size * (2.2 if kind == "title" else 1.8)
    return image


def scanned_pdf(pages: list[Lines], dpi: int) -> bytes:
    """A PDF of page images only (no text layer)."""
    images = [page_image(lines, dpi).convert("RGB") for lines in pages]
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return out.getvalue()
