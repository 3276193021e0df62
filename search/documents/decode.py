"""Bytes → text: BOMs, UTF-8, GB18030/GBK; binary and undecodable input refused."""

from __future__ import annotations

import codecs
import unicodedata

from search.errors import UnreadableDocument

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAX_BAD_FRACTION = 0.01


def _plausible(text: str) -> bool:
    """Whether decoded text looks like writing rather than bytes read in the wrong encoding."""
    sample = text[:20000]
    if not sample:
        return True
    good = 0
    for ch in sample:
        category = unicodedata.category(ch)
        if category[0] in "LNPZS" or ch in "\n\r\t":
            good += 1
    return good / len(sample) >= 0.95 and "\x00" not in sample


def decode(data: bytes, name: str) -> str:
    """Decode a file's bytes, or raise UnreadableDocument saying why."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise UnreadableDocument(
                    f"{name}: not valid {encoding.upper()} despite its byte order mark",
                    "re-save the file as UTF-8",
                ) from exc
    if b"\x00" in data[:8192]:
        raise UnreadableDocument(f"{name}: binary file, skipped", "only text documents are indexed")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _plausible(text):
            return text
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad <= max(1, len(text) * _MAX_BAD_FRACTION) and _plausible(text):
        return text
    raise UnreadableDocument(
        f"{name}: cannot decode as UTF-8 or GB18030, skipped", "re-save the file as UTF-8"
    )
