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
_MAX_CONTROL_FRACTION = 0.3
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")


def _control_fraction(text: str) -> float:
    """Share of control characters (other than line and tab) at the start of ``text``."""
    sample = text[:8192]
    if not sample:
        return 0.0
    controls = sum(1 for ch in sample if ch < " " and ch not in _TEXT_CONTROLS)
    return controls / len(sample)


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
            wrong = UnreadableDocument(
                f"{name}: not valid {encoding.upper()} despite its byte order mark",
                "re-save the file as UTF-8",
            )
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise wrong from exc
            # Bytes that merely start like a UTF-16/32 byte order mark decode to a jumble of
            # unassigned, private-use and control code points, not to writing.
            if encoding != "utf-8" and not _plausible(text):
                raise wrong
            return text
    head = data[:8192]
    binary = UnreadableDocument(f"{name}: binary file", "only text documents are indexed")
    if head.count(b"\x00") > max(2, len(head) // 100):
        raise binary
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _control_fraction(text) > _MAX_CONTROL_FRACTION:
            raise binary
        return text
    if b"\x00" in head:
        raise binary
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
        f"{name}: cannot decode as UTF-8 or GB18030", "re-save the file as UTF-8"
    )
