"""Near-duplicate documents (reposts): a MinHash sketch per document, groups over a whole view.

A document's **sketch** is written with it, in its segment's side file (``d.sketch``): the
MinHash of the set of its character 5-shingles, over its normalised text with everything but
letters and digits dropped (so that spacing, punctuation and line breaks do not count): the
smallest 64-bit shingle hash in each of ``HASHES`` bins, of which a sketch stores 16 bits
(b-bit MinHash), ``2 * HASHES`` bytes per document.  A document with fewer than
``MIN_CHARS`` letters and digits has no sketch (an all-zero row) and is never grouped.

**Groups** are found over the live documents of every segment together (so they do not depend
on how the index is cut into segments), when a ranked page first needs them: locality-sensitive
hashing puts two documents that agree on all ``ROWS`` values of one of ``BANDS`` bands in one
bucket; a candidate pair is kept when at least ``AGREE`` of the ``HASHES`` values agree (an
estimated Jaccard similarity of the shingle sets ≥ 0.78) and the two are dated at most
``WINDOW_DAYS`` apart (or either is undated): a repost follows its original within days, while
the same template a year later (a new year's address, a yearly session) is a new notice.
Groups are the connected components of the kept pairs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

HASHES = 64
BANDS, ROWS = 16, 4  # BANDS * ROWS == HASHES
AGREE = 50  # of HASHES values, for a pair to be near duplicates (about 0.78)
WINDOW_DAYS = 30
NEIGHBOURS = 8  # in a bucket, each document is compared with the next ones by date
_SPREAD = np.arange(1, 2 * BANDS, 2, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
SHINGLE = 5
MIN_CHARS = 50
_DROP = re.compile(r"[\W_]+")
_BIN_BITS = np.uint64(58)  # 64 - log2(HASHES): a hash's top bits choose its bin
_LOW = np.uint64((1 << 58) - 1)
_BINS = np.arange(HASHES, dtype=np.uint64) << _BIN_BITS
_EMPTY = np.zeros(HASHES, dtype=np.uint16)


def sketch(texts: Sequence[str]) -> np.ndarray:
    """The sketch of a document whose normalised passages are ``texts`` (zeros when it is too
    short to have one).  One-permutation MinHash: each shingle is hashed once, its hash's top
    bits choose one of ``HASHES`` bins, and each bin keeps its smallest hash; an empty bin
    borrows from the next full one, with the distance mixed in (densification by rotation,
    Shrivastava and Li 2014).  As exact as ``HASHES`` separate hash functions, at the cost of
    one hash and a sort."""
    kept = _DROP.sub("", "".join(texts))
    if len(kept) < MIN_CHARS:
        return _EMPTY
    cps = np.frombuffer(kept.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(cps) - SHINGLE + 1
    h = np.zeros(n, dtype=np.uint64)
    for j in range(SHINGLE):  # a polynomial hash of each shingle (wrapping at 2**64)
        h = h * np.uint64(0x100000001B3) + cps[j : j + n]
    h ^= h >> np.uint64(31)  # mix, so that nearby shingles hash far apart
    h *= np.uint64(0x9E3779B97F4A7C15)
    h ^= h >> np.uint64(29)
    h.sort()
    starts = np.searchsorted(h, _BINS)
    full = np.flatnonzero(starts < np.r_[starts[1:], n])
    bins = np.arange(HASHES)
    take = full[np.searchsorted(full, bins) % len(full)]  # the next full bin, circularly
    value = (h[starts[take]] & _LOW) + ((take - bins) % HASHES).astype(np.uint64) * np.uint64(
        0x9E3779B97F4A7C15
    )
    value *= np.uint64(0xBF58476D1CE4E5B9)  # then 16 well-mixed bits of it are kept
    out = (value >> np.uint64(48)).astype(np.uint16)
    out[out == 0] = 1  # zero rows mean "no sketch"
    return out


def groups(sketches: np.ndarray, live: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Per document (a row of ``sketches``; ``dates`` as yyyymmdd, 0: undated), the number of
    its group: the smallest document number in it; a document in no group (or not live, or
    without a sketch) is its own."""
    n = len(sketches)
    labels = np.arange(n, dtype=np.int64)
    usable = np.flatnonzero(live & sketches.any(axis=1))
    if len(usable) < 2:
        return labels
    rows = np.ascontiguousarray(sketches[usable], dtype=np.uint16)
    keys = rows.view(np.uint64).reshape(len(usable), BANDS)  # ROWS == 4 values of 16 bits
    when = dates[usable].astype(np.int64)
    whole = np.bitwise_xor.reduce(keys * _SPREAD, axis=1)  # the whole sketch, to break ties
    pairs = [_bucket_pairs(keys[:, band], when, whole) for band in range(BANDS)]
    a, b = np.concatenate([p[0] for p in pairs]), np.concatenate([p[1] for p in pairs])
    if not len(a):
        return labels
    agree = (rows[a] == rows[b]).sum(axis=1) >= AGREE
    a, b = usable[a[agree]], usable[b[agree]]
    near = _days_apart(dates[a], dates[b]) <= WINDOW_DAYS
    return _components(labels, a[near], b[near])


def _days_apart(one: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Days between two columns of yyyymmdd dates; 0 where either is undated."""
    out = np.abs(_days(one) - _days(other))
    out[(one == 0) | (other == 0)] = 0
    return out


def _days(dates: np.ndarray) -> np.ndarray:
    dates = dates.astype(np.int64)
    months = (dates // 10000 - 1970) * 12 + np.clip(dates // 100 % 100, 1, 12) - 1
    day = np.clip(dates % 100, 1, 31) - 1
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + day


def _bucket_pairs(
    keys: np.ndarray, when: np.ndarray, whole: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows with equal ``keys`` (a bucket): each row and the next ``NEIGHBOURS`` of its
    bucket in date order (every pair of a bucket of up to ``NEIGHBOURS + 1``).  Rows are
    ordered by what they hold (key, date, whole sketch), never by their numbers, so that the
    pairs do not depend on how the index is cut into segments."""
    by_key = np.argsort(keys)
    equal = keys[by_key[1:]] == keys[by_key[:-1]]
    rows = by_key[np.r_[equal, False] | np.r_[False, equal]]  # in buckets of two or more
    if len(rows) < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = rows[np.lexsort((whole[rows], when[rows], keys[rows]))]
    ordered = keys[order]
    a: list[np.ndarray] = []
    b: list[np.ndarray] = []
    for step in range(1, min(NEIGHBOURS, len(order) - 1) + 1):
        same = np.flatnonzero(ordered[step:] == ordered[:-step])
        a.append(order[same])
        b.append(order[same + step])
    return np.concatenate(a), np.concatenate(b)


def _components(labels: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Each node labelled with the smallest node connected to it by the edges (a, b)."""
    while True:
        low = np.minimum(labels[a], labels[b])
        before = labels.copy()
        np.minimum.at(labels, a, low)
        np.minimum.at(labels, b, low)
        labels = labels[labels]  # follow pointers to the current smallest
        if np.array_equal(labels, before):
            return labels
