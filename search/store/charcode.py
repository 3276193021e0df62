"""A table's texts in a code of its own characters: one byte for each of its 192 most frequent
characters, two for the next 12,096, four for any other (UTF-16 took two bytes for every
Chinese character; this takes about 1.35 on the corpus).

A code is a byte below 0xC0 (one-byte code: the character's rank), or a lead byte 0xC0–0xFE and
one trailing byte, or 0xFF and three trailing bytes; trailing bytes are below 0xC0.  So a byte of
0xC0 or more always starts a character, and a match found by ``bytes.find`` starts on a
character boundary unless one of the three bytes before it says otherwise (``boundary``): exact
substring search runs on the coded bytes, as it ran on UTF-16, and a passage is decoded on its
own.  Ranks are a table's own (its characters by frequency, ``table``); ``order``/``ranks``
find a character's rank by binary search.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np

ONE = 0xC0  # one-byte codes: ranks 0..191
LEADS = 0xFF - ONE  # two-byte codes: 63 lead bytes × 192 trailing bytes
TWO = ONE + LEADS * ONE  # ranks below this have codes of at most two bytes
FOUR = 0xFF  # the lead byte of a four-byte code
_SMALL = 256  # bytes: shorter texts are decoded in Python, longer ones with numpy


_CHUNK = 1 << 19  # characters coded at a time (memory stays flat whatever the table's size)


def build(texts: Sequence[str]) -> tuple[dict[str, np.ndarray], list[bytes]]:
    """The code of ``texts`` (arrays ``table``, ``order``, ``ranks``) and each text coded."""
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    every = np.bincount(cps) if len(cps) else np.zeros(0, np.int64)
    chars = np.flatnonzero(every).astype(np.uint32)  # the distinct characters, sorted
    counts = every[chars]
    del every
    by_rank = np.lexsort((chars, -counts.astype(np.int64)))  # most frequent first
    table = chars[by_rank]
    rank_of_sorted = np.empty(len(chars), dtype=np.int64)
    rank_of_sorted[by_rank] = np.arange(len(chars))
    rank_of = np.zeros(int(chars[-1]) + 1 if len(chars) else 0, dtype=np.int32)
    rank_of[chars] = rank_of_sorted
    out: list[bytes] = []
    first = at = 0  # texts[first:] are not coded yet; they start at character ``at``
    while first < len(texts):
        last, size = first, 0
        while last < len(texts) and (size < _CHUNK or last == first):
            size += len(texts[last])
            last += 1
        ranks = rank_of[cps[at : at + size]].astype(np.int64)
        coded = _bytes(ranks)
        ends = np.cumsum(_sizes(ranks))
        start = 0
        for end in np.cumsum([len(t) for t in texts[first:last]]).tolist():
            stop = int(ends[end - 1]) if end else 0
            out.append(coded[start:stop])
            start = stop
        first, at = last, at + size
    arrays = {
        "table": table.astype(np.uint32),
        "order": chars.astype(np.uint32),
        "ranks": rank_of_sorted.astype(np.uint32),
    }
    return arrays, out


def _sizes(ranks: np.ndarray) -> np.ndarray:
    return np.where(ranks < ONE, 1, np.where(ranks < TWO, 2, 4))


def _bytes(ranks: np.ndarray) -> bytes:
    """The codes of characters of these ranks, one after another."""
    sizes = _sizes(ranks)
    at = np.zeros(len(ranks), dtype=np.int64)
    if len(ranks):
        at[1:] = np.cumsum(sizes)[:-1]
    out = np.zeros(int(sizes.sum()), dtype=np.uint8)
    one, two, four = sizes == 1, sizes == 2, sizes == 4
    out[at[one]] = ranks[one]
    second = ranks[two] - ONE
    out[at[two]] = ONE + second // ONE
    out[at[two] + 1] = second % ONE
    fourth = ranks[four] - TWO
    out[at[four]] = FOUR
    for i, scale in enumerate((ONE * ONE, ONE, 1)):
        out[at[four] + 1 + i] = (fourth // scale) % ONE
    return out.tobytes()


class Code:
    """One table's code, read from its arrays."""

    def __init__(self, table: np.ndarray, order: np.ndarray, ranks: np.ndarray) -> None:
        self.table = table
        self.order = order
        self.ranks = ranks
        self._encoded: dict[str, bytes | None] = {}

    def encode(self, text: str) -> bytes | None:
        """``text`` coded; None when one of its characters is in none of the table's texts."""
        cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        order = self.order
        at = order.searchsorted(cps)
        if not len(order) or int(at.max(initial=0)) >= len(order) or (order[at] != cps).any():
            return None
        out = bytearray()
        for rank in self.ranks[at].tolist():
            if rank < ONE:
                out.append(rank)
            elif rank < TWO:
                out += bytes(((rank - ONE) // ONE + ONE, (rank - ONE) % ONE))
            else:
                rest = rank - TWO
                out += bytes((FOUR, rest // (ONE * ONE), rest // ONE % ONE, rest % ONE))
        return bytes(out)

    def decode(self, raw: bytes) -> str:
        """Coded bytes (whole characters) as text."""
        if len(raw) <= _SMALL:
            return self._decode_small(raw)
        return self.decode_counted(raw)[0]

    @cached_property
    def _chars(self) -> str:
        """The table's characters in rank order, as one string."""
        return self.table.astype(np.uint32).tobytes().decode("utf-32-le")

    def _decode_small(self, raw: bytes) -> str:
        """``decode`` a character at a time (a few numpy calls cost more than a short text)."""
        chars = self._chars
        out: list[str] = []
        append = out.append
        data = iter(raw)
        for lead in data:
            if lead < ONE:
                append(chars[lead])
            elif lead < FOUR:  # rank ONE + (lead - ONE) * ONE + trailing byte
                append(chars[lead * ONE - (ONE - 1) * ONE + next(data)])
            else:
                append(chars[TWO + (next(data) * ONE + next(data)) * ONE + next(data)])
        return "".join(out)

    def decode_counted(self, raw: bytes) -> tuple[str, np.ndarray | None]:
        """Coded bytes as text, and which bytes start a character (None: every byte does)."""
        if not raw:
            return "", None
        b = np.frombuffer(raw, dtype=np.uint8)
        if int(b.max()) < ONE:  # every character among the most frequent
            return self.table[b].tobytes().decode("utf-32-le"), None
        starts = _starts(b)
        at = np.flatnonzero(starts)
        lead = b[at].astype(np.int64)
        rank = lead.copy()
        two = (lead >= ONE) & (lead < FOUR)
        rank[two] = ONE + (lead[two] - ONE) * ONE + b[at[two] + 1]
        four = lead == FOUR
        if four.any():
            f = at[four]
            high, mid, low = (b[f + i].astype(np.int64) for i in (1, 2, 3))
            rank[four] = TWO + (high * ONE + mid) * ONE + low
        return self.table[rank].tobytes().decode("utf-32-le"), starts

    def split(self, raw: bytes, ends: Sequence[int]) -> list[str]:
        """Coded texts one after another (``ends``: where each ends in ``raw``), decoded at
        once."""
        if len(raw) <= _SMALL:
            bounds = [0, *ends]
            return [self._decode_small(raw[a:b]) for a, b in itertools.pairwise(bounds)]
        text, starts = self.decode_counted(raw)
        if starts is not None:  # characters up to each end
            counts = np.cumsum(starts)
            ends = [int(counts[e - 1]) if e else 0 for e in ends]
        out, start = [], 0
        for end in ends:
            out.append(text[start:end])
            start = end
        return out

    @cached_property
    def four_bytes(self) -> bool:
        """Whether any character has a four-byte code."""
        return len(self.table) > TWO

    def encoded(self, text: str) -> bytes | None:
        """``encode``, remembered for the last few texts (a query's needles are counted in
        many batches)."""
        found = self._encoded.get(text, b"")
        if found == b"":
            if len(self._encoded) >= 64:
                self._encoded.clear()
            found = self._encoded[text] = self.encode(text)
        return found


def _starts(b: np.ndarray) -> np.ndarray:
    """Which bytes start a character."""
    starts = np.ones(len(b), dtype=bool)
    lead = np.flatnonzero(b >= ONE)
    starts[lead[lead + 1 < len(b)] + 1] = False
    four = lead[b[lead] == FOUR]
    for i in (2, 3):
        starts[four[four + i < len(b)] + i] = False
    return starts


def inside(buf: Any, at: int, start: int, four_bytes: bool = True) -> bool:
    """Whether byte ``at`` of ``buf`` is inside a character's code (not the first byte) in the
    text that starts at ``start`` (``four_bytes``: whether the code has four-byte codes)."""
    if at > start and buf[at - 1] >= ONE:
        return True
    if not four_bytes:
        return False
    return (at - 2 >= start and buf[at - 2] == FOUR) or (at - 3 >= start and buf[at - 3] == FOUR)
