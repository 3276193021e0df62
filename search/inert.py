"""Document text made inert for a terminal: every control, escape or bidi character shown as
one visible character, offsets unchanged (a module of its own, so that the command line's
messages need none of the renderers)."""

from __future__ import annotations

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _table() -> dict[int, int]:
    table = {cp: 0x2400 + cp for cp in range(0x20) if cp not in (0x09, 0x0A)}
    table[0x09] = 0x20
    table[0x0A] = 0x20
    table[0x7F] = 0x2421
    for cp in range(0x80, 0xA0):
        table[cp] = 0xFFFD
    for ch in BIDI:
        table[ord(ch)] = 0xFFFD
    return table


_INERT = _table()


def inert(text: str) -> str:
    """One visible character for every control, escape or bidi character (offsets unchanged)."""
    return text.translate(_INERT)
