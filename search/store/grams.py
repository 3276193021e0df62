"""Character n-gram postings: exact substring matching that never depends on segmentation.

For a list of normalised texts (a segment's passages, its headings, its documents' titles) a
gram table keeps the texts' UTF-16 bytes and, for every character and character bigram, the
sorted numbers of the texts that contain it.  A needle of one or two characters is answered by
one posting list; a longer one by intersecting its bigrams' lists and verifying each candidate
against the text.  Numbers are local to the segment.

Postings are delta-coded, each list at the narrowest width (1, 2 or 4 bytes) that holds its
largest gap: frequent grams have small gaps, and most lists fit one byte a posting.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

ENCODING = "utf-16-le"
SHIFT = 21  # bits of one code point: a bigram's key is first << SHIFT | second
_DOC_BITS = 22
_EMPTY = np.zeros(0, dtype=np.int64)


_CHUNK_CHARS = 1 << 20  # texts are turned into pairs this many characters at a time
_CHUNK_PAIRS = 1 << 21  # and pairs into posting lists this many at a time (memory stays flat)
_NUMBER_MASK = np.uint64((1 << _DOC_BITS) - 1)


def gram_pairs(texts: Sequence[str]) -> np.ndarray:
    """Every (gram key, text number) pair once, as ``key << 22 | number``, sorted.  Texts are
    numbered from 0 and must be fewer than 2**22 (a segment's passages are)."""
    assert len(texts) < 1 << _DOC_BITS
    parts: list[np.ndarray] = []
    first = size = 0
    for i, text in enumerate(texts):
        size += len(text) + 1
        if size >= _CHUNK_CHARS or i == len(texts) - 1:
            parts.append(_pairs(texts[first : i + 1], first))
            first, size = i + 1, 0
    out = np.empty(sum(len(p) for p in parts), dtype=np.uint64)
    at = 0
    for part in parts:
        out[at : at + len(part)] = part
        at += len(part)
    del parts
    out.sort()  # no duplicates across parts: each holds other texts
    return out


def _pairs(texts: Sequence[str], base: int) -> np.ndarray:
    joined = "\x00".join(texts)
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    owner = np.repeat(np.arange(base, base + len(texts), dtype=np.uint64), lengths)[: len(cps)]
    live = cps != 0
    pair = live[:-1] & live[1:]
    keys = np.concatenate(
        [(cps[:-1][pair] << np.uint64(SHIFT)) | cps[1:][pair], cps[live] << np.uint64(SHIFT)]
    )
    docs = np.concatenate([owner[:-1][pair], owner[live]])
    del cps, owner
    combined = (keys << np.uint64(_DOC_BITS)) | docs
    del keys, docs
    combined.sort()
    return combined[firsts(combined)]


def firsts(values: np.ndarray) -> np.ndarray:
    """Mask of the first of each run of equal values in a sorted array."""
    mask = np.ones(len(values), dtype=bool)
    mask[1:] = values[1:] != values[:-1]
    return mask


_FIRST = 3  # bytes of a list's first number (passage numbers of a segment stay below 2**22)
_PACKED = 0x80  # width flag: the list's bytes are zlib-compressed
_PACK_FROM = 128  # bytes: shorter lists are never compressed
_DTYPES = {1: np.uint8, 2: np.uint16, 4: np.uint32}


def encode(pairs: np.ndarray) -> dict[str, np.ndarray]:
    """Sorted pairs (``gram_pairs``) as a key list and delta-coded posting lists: each list is
    its first number in three bytes, then the gaps at the narrowest width that holds them all
    (1, 2 or 4 bytes); a long list is zlib-compressed when that saves a fifth.  Done a slice
    of pairs at a time, each slice ending where a key ends."""
    keys_out, width_out, data_out, starts_out = [], [], [], [np.zeros(1, dtype=np.int64)]
    at = done = 0
    while at < len(pairs):
        end = min(len(pairs), at + _CHUNK_PAIRS)
        if end < len(pairs):  # extend to the end of the last key's list
            last_of_key = pairs[end - 1] | _NUMBER_MASK
            end = int(np.searchsorted(pairs, last_of_key, side="right"))
        chunk = pairs[at:end]
        part = _encode(chunk >> np.uint64(_DOC_BITS), chunk & _NUMBER_MASK)
        keys_out.append(part["keys"])
        width_out.append(part["width"])
        data_out.append(part["data"])
        starts_out.append(part["starts"][1:].astype(np.int64) + done)
        done += len(part["data"])
        at = end
    starts = np.concatenate(starts_out)
    return {
        "keys": np.concatenate(keys_out) if keys_out else np.zeros(0, np.uint64),
        "starts": starts.astype(np.uint32 if starts[-1] < 1 << 32 else np.int64),
        "width": np.concatenate(width_out) if width_out else np.zeros(0, np.uint8),
        "data": np.concatenate(data_out) if data_out else np.zeros(0, np.uint8),
    }


def _encode(keys: np.ndarray, numbers: np.ndarray) -> dict[str, np.ndarray]:
    numbers = numbers.astype(np.int64)
    first = np.flatnonzero(firsts(keys)) if len(keys) else np.zeros(0, np.int64)
    counts = np.diff(np.append(first, len(keys)))
    gaps = np.diff(numbers, prepend=0)
    gaps[first] = 0
    largest = np.maximum.reduceat(gaps, first) if len(first) else np.zeros(0, np.int64)
    width = np.where(largest < 1 << 8, 1, np.where(largest < 1 << 16, 2, 4)).astype(np.uint8)
    lengths = _FIRST + (counts - 1) * width
    starts = np.zeros(len(first) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    data = np.zeros(int(starts[-1]), dtype=np.uint8)
    for b in range(_FIRST):
        data[starts[:-1] + b] = (numbers[first] >> (8 * b)) & 0xFF
    owner = np.repeat(np.arange(len(first)), counts)
    rest = np.ones(len(keys), dtype=bool)
    rest[first] = False
    each = width[owner].astype(np.int64)
    at = starts[:-1][owner] + _FIRST + (np.arange(len(keys)) - first[owner] - 1) * each
    for size, dtype in _DTYPES.items():
        chosen = rest & (each == size)
        if chosen.any():
            values = gaps[chosen].astype(dtype).view(np.uint8).reshape(-1, size)
            for b in range(size):
                data[at[chosen] + b] = values[:, b]
    data, starts = _pack(data, starts, width)
    return {"keys": keys[first], "starts": starts, "width": width, "data": data}


def _pack(data: np.ndarray, starts: np.ndarray, width: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """zlib-compress the long lists where it saves a fifth (``width`` is flagged in place)."""
    lengths = np.diff(starts)
    pieces: list[bytes | np.ndarray] = []
    new_lengths = lengths.copy()
    done = 0
    for i in np.flatnonzero(lengths >= _PACK_FROM).tolist():
        lo, hi = int(starts[i]), int(starts[i + 1])
        packed = zlib.compress(data[lo:hi].tobytes(), 6)
        if len(packed) * 5 > (hi - lo) * 4:
            continue
        pieces.append(data[done:lo])
        pieces.append(np.frombuffer(packed, dtype=np.uint8))
        new_lengths[i] = len(packed)
        width[i] |= _PACKED
        done = hi
    if not pieces:
        return data, starts
    pieces.append(data[done:])
    out = np.concatenate([np.asarray(p, dtype=np.uint8) for p in pieces])
    new_starts = np.zeros(len(starts), dtype=np.int64)
    np.cumsum(new_lengths, out=new_starts[1:])
    return out, new_starts


class GramTable:
    """Substring lookup over one segment's texts (arrays from a segment file, by prefix)."""

    def __init__(self, arrays: dict[str, np.ndarray], prefix: str, blob: Any, at: int = 0) -> None:
        """``blob`` holds the texts' UTF-16LE bytes from byte ``at`` on (a memory map or
        bytes): two bytes a Chinese character instead of UTF-8's three."""
        self.offsets = arrays[f"{prefix}offsets"]
        self.keys = arrays[f"{prefix}keys"]
        self.starts = arrays[f"{prefix}starts"]
        self.width = arrays[f"{prefix}width"]
        self.data = arrays[f"{prefix}data"]
        self.blob = blob
        self.at = at
        self.count = len(self.offsets) - 1

    def _find(self, key: int) -> int:
        i = int(np.searchsorted(self.keys, np.uint64(key)))
        return i if i < len(self.keys) and int(self.keys[i]) == key else -1

    def posting(self, key: int) -> np.ndarray:
        i = self._find(key)
        if i < 0:
            return _EMPTY
        width = int(self.width[i])
        raw = self.data[int(self.starts[i]) : int(self.starts[i + 1])]
        if width & _PACKED:
            raw = np.frombuffer(zlib.decompress(raw.tobytes()), dtype=np.uint8)
            width &= ~_PACKED
        out = np.empty(1 + (len(raw) - _FIRST) // width, dtype=np.int64)
        out[0] = int(raw[0]) | int(raw[1]) << 8 | int(raw[2]) << 16
        out[1:] = raw[_FIRST:].view(_DTYPES[width])
        return np.cumsum(out, out=out)

    def text(self, number: int) -> str:
        start, end = int(self.offsets[number]), int(self.offsets[number + 1])
        return bytes(self.blob[self.at + start : self.at + end]).decode(ENCODING)

    def matches(self, needle: str) -> np.ndarray:
        """Sorted numbers of the texts that contain ``needle`` (already normalised)."""
        if not needle or "\x00" in needle:
            return _EMPTY
        cps = [ord(ch) for ch in needle]
        if len(cps) == 1:
            return self.posting(cps[0] << SHIFT)
        grams = {(a << SHIFT) | b for a, b in itertools.pairwise(cps)}
        lists = sorted((self.posting(key) for key in grams), key=len)
        result = lists[0]
        for other in lists[1:]:
            if not len(result):
                break
            result = np.intersect1d(result, other, assume_unique=True)
        if len(cps) == 2 or not len(result):
            return result
        return result[self.counts(result, needle, first_only=True) > 0]

    def counts(self, numbers: np.ndarray, needle: str, first_only: bool = False) -> np.ndarray:
        """How often ``needle`` occurs in each of the given texts (``first_only``: 0 or 1)."""
        raw = needle.encode(ENCODING)
        offsets = self.offsets
        starts = (offsets[numbers].astype(np.int64) + self.at).tolist()
        ends = (offsets[numbers + 1].astype(np.int64) + self.at).tolist()
        find = self.blob.find
        out = np.zeros(len(starts), dtype=np.int64)
        for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
            at = find(raw, s, e)
            while at >= 0:
                if (at - s) % 2:  # not on a character boundary
                    at = find(raw, at + 1, e)
                    continue
                out[i] += 1
                if first_only:
                    break
                at = find(raw, at + len(raw), e)
        return out
