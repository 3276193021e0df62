"""Character n-gram postings: exact substring matching that never depends on segmentation.

For a list of normalised texts (a segment's passages, its headings, its documents' titles) a
gram table keeps the texts in the table's own character code (``charcode``: about 1.35 bytes a
character) and, for every character and character bigram, the
sorted numbers of the texts that contain it.  A needle of one or two characters is answered by
one posting list; a longer one by intersecting its bigrams' lists and verifying each candidate
against the text.  Numbers are local to the segment.

Postings are delta-coded, each list either at the narrowest width (1, 2 or 4 bytes) that holds
its largest gap, or patched, whichever is shorter: every gap's low byte, a bit per gap set on the
gaps of 256 or more, then their high bits.  Frequent grams have small gaps, and a list with a
few large gaps among small ones no longer pays the large width for every posting; a patched
list is decoded with a handful of numpy operations, as a fixed-width one.

Keys are kept in two levels: the table's distinct characters (``chars``, sorted code points,
0 standing for "no second character" of a unigram), then per first character the range of its
keys (``dir``) and, for each key, its second character's number in ``chars`` (``second``: two
bytes while a table has fewer than 65,536 distinct characters).  A list's start in ``data``
carries its width and whether it is zlib-packed in its three low bits (``starts``).
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from search.store.charcode import ONE, Code, build, inside

SHIFT = 21  # bits of one code point: a bigram's key is first << SHIFT | second
_DOC_BITS = 22
_EMPTY = np.zeros(0, dtype=np.int64)


_CHUNK_CHARS = 1 << 20  # texts are turned into pairs this many characters at a time
_CHUNK_PAIRS = 1 << 19  # and pairs into posting lists this many at a time (memory stays flat)
_NUMBER_MASK = np.uint64((1 << _DOC_BITS) - 1)
_SECOND_MASK = (1 << SHIFT) - 1


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
    parts.reverse()
    while parts:  # each part freed once copied: the pairs are held once, not twice
        part = parts.pop()
        out[at : at + len(part)] = part
        at += len(part)
        del part
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


def table(prefix: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
    """The arrays of a gram table over ``texts``, named with ``prefix``: the texts coded
    (``blob``, ``offsets``), their code (``table``, ``order``, ``ranks``) and their postings."""
    code, coded = build(texts)
    offsets = np.zeros(len(coded) + 1, dtype=np.int64)
    np.cumsum([len(c) for c in coded], out=offsets[1:])
    out = {f"{prefix}{name}": value for name, value in encode(gram_pairs(texts)).items()}
    out.update((f"{prefix}{name}", value) for name, value in code.items())
    top = int(offsets[-1])
    out[f"{prefix}offsets"] = offsets.astype(
        np.uint16 if top < 1 << 16 else np.uint32 if top < 1 << 32 else np.int64
    )
    out[f"{prefix}blob"] = np.frombuffer(b"".join(coded), dtype=np.uint8)
    return out


def firsts(values: np.ndarray) -> np.ndarray:
    """Mask of the first of each run of equal values in a sorted array."""
    mask = np.ones(len(values), dtype=bool)
    mask[1:] = values[1:] != values[:-1]
    return mask


_FIRST = 3  # bytes of a list's first number (passage numbers of a segment stay below 2**22)
_PACKED = 0x80  # width flag: the list's bytes are zlib-compressed
_PACK_FROM = 128  # bytes: shorter lists are never compressed
_DTYPES = {1: np.uint8, 2: np.uint16, 4: np.uint32}


_PATCHED = 3  # width of a list whose gaps are one byte each, patched (``patched``)


def encode(pairs: np.ndarray) -> dict[str, np.ndarray]:
    """Sorted pairs (``gram_pairs``) as a key list and delta-coded posting lists: each list is
    its first number in three bytes, then the gaps at the narrowest width that holds them all
    (1, 2 or 4 bytes), or one byte each patched with the high bits of the larger ones (found by
    a bit per gap) when that is shorter; a long list is
    zlib-compressed when that saves a fifth.  Done a slice
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
    keys = np.concatenate(keys_out) if keys_out else np.zeros(0, np.uint64)
    width = np.concatenate(width_out) if width_out else np.zeros(0, np.uint8)
    starts = np.concatenate(starts_out) << _CODE_BITS
    starts[:-1] |= _width_code(width)
    return {
        **_directory(keys),
        "starts": starts.astype(np.uint32 if starts[-1] < 1 << 32 else np.int64),
        "data": np.concatenate(data_out) if data_out else np.zeros(0, np.uint8),
    }


_CODE_BITS = 3  # low bits of a list's start: its width (0: 1 byte, 1: 2, 2: 4, 3: patched),
# 4: packed
_WIDTHS = (1, 2, 4, _PATCHED)


def _width_code(width: np.ndarray) -> np.ndarray:
    plain = width & ~np.uint8(_PACKED)
    code = np.select([plain == 1, plain == 2, plain == 4], [0, 1, 2], 3).astype(np.int64)
    return code | np.where(width & _PACKED, 4, 0)


def _directory(keys: np.ndarray) -> dict[str, np.ndarray]:
    """Sorted keys as characters, a range of keys per first character, second characters."""
    first = keys >> np.uint64(SHIFT)
    second = keys & np.uint64(_SECOND_MASK)
    chars = np.union1d(np.union1d(first, second), np.zeros(1, np.uint64)).astype(np.uint32)
    first_id = np.searchsorted(chars, first)
    second_id = np.searchsorted(chars, second)
    ranges = np.searchsorted(first_id, np.arange(len(chars) + 1))
    return {
        "chars": chars,
        "dir": ranges.astype(np.uint32),
        "second": second_id.astype(np.uint16 if len(chars) <= 1 << 16 else np.uint32),
    }


def _encode(keys: np.ndarray, numbers: np.ndarray) -> dict[str, np.ndarray]:
    numbers = numbers.astype(np.int64)
    first = np.flatnonzero(firsts(keys)) if len(keys) else np.zeros(0, np.int64)
    counts = np.diff(np.append(first, len(keys)))
    gaps = np.diff(numbers, prepend=0)
    gaps[first] = 0
    largest = np.maximum.reduceat(gaps, first) if len(first) else np.zeros(0, np.int64)
    width = np.where(largest < 1 << 8, 1, np.where(largest < 1 << 16, 2, 4)).astype(np.uint8)
    rest = np.ones(len(keys), dtype=bool)
    rest[first] = False
    big = rest & (gaps >= 1 << 8)  # an exception when its list is patched
    before: np.ndarray = np.cumsum(big) - big  # exceptions before each posting
    total = np.append(before, int(before[-1] + big[-1]) if len(keys) else 0)
    exceptions = total[first + counts] - before[first]
    high = np.where(largest < 1 << 16, 1, 2)  # bytes of an exception's high bits
    patched = _HEAD + (counts - 1) + (counts + 6) // 8 + exceptions * high
    width[patched < (counts - 1) * width] = _PATCHED
    lengths = _FIRST + np.where(width == _PATCHED, patched, (counts - 1) * width)
    starts = np.zeros(len(first) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    data = np.zeros(int(starts[-1]), dtype=np.uint8)
    for b in range(_FIRST):
        data[starts[:-1] + b] = (numbers[first] >> (8 * b)) & 0xFF
    owner = np.repeat(np.arange(len(first)), counts)
    each = width[owner].astype(np.int64)
    index = np.arange(len(keys)) - first[owner] - 1  # a posting's number in its list's gaps
    at = starts[:-1][owner] + _FIRST + index * each
    for size, dtype in _DTYPES.items():
        chosen = rest & (each == size)
        if chosen.any():
            values = gaps[chosen].astype(dtype).view(np.uint8).reshape(-1, size)
            for b in range(size):
                data[at[chosen] + b] = values[:, b]
    lists = np.flatnonzero(width == _PATCHED)
    if len(lists):
        head = starts[:-1][lists] + _FIRST
        header = (counts[lists] - 1) | (high[lists] - 1) << 23
        for b in range(_HEAD):
            data[head + b] = (header >> (8 * b)) & 0xFF
        chosen = rest & (each == _PATCHED)
        low = starts[:-1][owner] + _FIRST + _HEAD  # where a posting's list keeps low bytes
        data[low[chosen] + index[chosen]] = gaps[chosen] & 0xFF
        chosen &= big
        flags = (low + counts[owner] - 1)[chosen]  # where its list's exception flags start
        _put_flags(data, flags + index[chosen] // 8, index[chosen] % 8)
        ordinal: np.ndarray = before - before[first][owner]  # an exception's number in its list
        size = high[owner][chosen]
        at = flags + (counts[owner][chosen] + 6) // 8 + ordinal[chosen] * size
        data[at] = (gaps[chosen] >> 8) & 0xFF
        data[at[size == 2] + 1] = gaps[chosen][size == 2] >> 16
    data, starts = _pack(data, starts, width)
    return {"keys": keys[first], "starts": starts, "width": width, "data": data}


_HEAD = 3  # bytes of a patched list's header: its number of gaps, and in the top bit whether
# its exceptions' high bits take two bytes each rather than one


def _put_flags(data: np.ndarray, at: np.ndarray, bit: np.ndarray) -> None:
    """Set bit ``bit`` of the byte at ``at`` (sorted; several bits of one byte are or-ed)."""
    if not len(at):
        return
    runs = np.flatnonzero(firsts(at))
    data[at[runs]] |= np.add.reduceat(1 << bit, runs).astype(np.uint8)


def patched(raw: np.ndarray) -> np.ndarray:
    """The gaps of a patched list (its bytes after the first number): a header, every gap's
    low byte, a bit per gap set on those of 256 or more, and their high bits in order."""
    header = int(raw[0]) | int(raw[1]) << 8 | int(raw[2]) << 16
    count = header & ((1 << 23) - 1)
    out = raw[_HEAD : _HEAD + count].astype(np.int64)
    flags = _HEAD + count
    high = raw[flags + (count + 7) // 8 :]
    if len(high):
        big = np.unpackbits(raw[flags : flags + (count + 7) // 8], count=count, bitorder="little")
        wide = high.view(np.uint16) if header >> 23 else high
        out[big.view(bool)] += wide.astype(np.int64) << 8
    return out


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
        """``blob`` holds the coded texts from byte ``at`` on (a memory map or bytes)."""
        self.offsets = arrays[f"{prefix}offsets"]
        self.chars = arrays[f"{prefix}chars"]
        self.dir = arrays[f"{prefix}dir"]
        self.second = arrays[f"{prefix}second"]
        self.starts = arrays[f"{prefix}starts"]
        self.data = arrays[f"{prefix}data"]
        self.code = Code(
            arrays[f"{prefix}table"], arrays[f"{prefix}order"], arrays[f"{prefix}ranks"]
        )
        self.blob = blob
        self.at = at
        self.count = len(self.offsets) - 1

    def _find(self, key: int) -> int:
        pair = (key >> SHIFT, key & _SECOND_MASK)
        found = self.chars.searchsorted(pair).tolist()  # both characters at once
        first, second = found
        chars, size = self.chars, len(self.chars)
        if max(first, second) >= size or chars[first] != pair[0] or chars[second] != pair[1]:
            return -1
        lo, hi = int(self.dir[first]), int(self.dir[first + 1])
        i = lo + int(self.second[lo:hi].searchsorted(second))
        return i if i < hi and self.second[i] == second else -1

    def posting(self, key: int) -> np.ndarray:
        i = self._find(key)
        if i < 0:
            return _EMPTY
        start = int(self.starts[i])
        code = start & ((1 << _CODE_BITS) - 1)
        width = _WIDTHS[code & 3]
        raw = self.data[start >> _CODE_BITS : int(self.starts[i + 1]) >> _CODE_BITS]
        if code & 4:
            raw = np.frombuffer(zlib.decompress(raw.tobytes()), dtype=np.uint8)
        first = int(raw[0]) | int(raw[1]) << 8 | int(raw[2]) << 16
        if width == _PATCHED:
            gaps = patched(raw[_FIRST:])
            out = np.empty(1 + len(gaps), dtype=np.int64)
            out[1:] = gaps
        else:
            out = np.empty(1 + (len(raw) - _FIRST) // width, dtype=np.int64)
            out[1:] = raw[_FIRST:].view(_DTYPES[width])
        out[0] = first
        return np.cumsum(out, out=out)

    def text(self, number: int) -> str:
        start, end = int(self.offsets[number]), int(self.offsets[number + 1])
        return self.code.decode(bytes(self.blob[self.at + start : self.at + end]))

    def texts(self, numbers: np.ndarray) -> list[str]:
        """The texts of ``numbers``, decoded at once."""
        lo = (self.offsets[numbers].astype(np.int64) + self.at).tolist()
        hi = (self.offsets[numbers + 1].astype(np.int64) + self.at).tolist()
        blob = self.blob
        pieces = [blob[s:e] for s, e in zip(lo, hi, strict=True)]
        return self.code.split(b"".join(pieces), np.cumsum([len(p) for p in pieces]).tolist())

    def joined(self, numbers: np.ndarray) -> str:
        """The texts of ``numbers``, one after another, decoded at once."""
        lo = (self.offsets[numbers].astype(np.int64) + self.at).tolist()
        hi = (self.offsets[numbers + 1].astype(np.int64) + self.at).tolist()
        blob = self.blob
        return self.code.decode(b"".join([blob[s:e] for s, e in zip(lo, hi, strict=True)]))

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
        raw = self.code.encoded(needle)
        out = np.zeros(len(numbers), dtype=np.int64)
        if raw is None:  # a character none of the texts holds
            return out
        offsets = self.offsets
        starts = (offsets[numbers].astype(np.int64) + self.at).tolist()
        ends = (offsets[numbers + 1].astype(np.int64) + self.at).tolist()
        blob, four = self.blob, self.code.four_bytes
        find = blob.find
        for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
            at = find(raw, s, e)
            while at >= 0:
                if at > s and (blob[at - 1] >= ONE or (four and inside(blob, at, s))):
                    at = find(raw, at + 1, e)  # inside a character's code
                    continue
                out[i] += 1
                if first_only:
                    break
                at = find(raw, at + len(raw), e)
        return out
