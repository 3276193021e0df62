"""The literal index: exact substring matching that never depends on segmentation.

For every passage (keyed by its Whoosh document number) it keeps the normalised text and the
set of characters and character bigrams it contains, as sorted numpy posting lists.  A query
string of one or two characters is answered exactly by one posting list; a longer one by the
intersection of its bigrams' lists, verified against the normalised text.  Building it is a
few numpy sorts, far cheaper than a positional n-gram field in Whoosh.

Files (in ``literal-<generation>/`` of the index folder, written once, then renamed into place):
``blob.bin`` UTF-8 of all texts, ``offsets.npy`` (int64, docnum → byte range), ``keys.npy``
(uint64 gram keys, sorted), ``starts.npy`` (int64 ranges into ``postings.npy``, uint32
docnums), ``docinfo.npy`` (per docnum: document ordinal and date as yyyymmdd), ``docs.json``
(per document: doc_id, normalised title and issuer).
"""

from __future__ import annotations

import itertools
import json
import mmap
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from search.analysis import normalize

_SHIFT = 21  # bits of one code point
_DOC_BITS = 22


@dataclass(frozen=True)
class Row:
    """What the literal index needs of one passage."""

    docnum: int
    text: str
    doc_key: str  # groups passages of one document
    title: str
    issuer: str
    date: str


def _date_int(date: str) -> int:
    digits = date.replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


def _gram_pairs(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(gram key, docnum) pairs, unique, sorted by key then docnum."""
    joined = "\x00".join(texts)
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    owner = np.repeat(np.arange(len(texts), dtype=np.uint64), lengths)[: len(cps)]
    live = cps != 0
    pair = live[:-1] & live[1:]
    bigrams = (cps[:-1][pair] << np.uint64(_SHIFT)) | cps[1:][pair]
    unigrams = cps[live] << np.uint64(_SHIFT)
    keys = np.concatenate([bigrams, unigrams])
    docs = np.concatenate([owner[:-1][pair], owner[live]])
    del cps, owner, bigrams, unigrams
    if len(texts) < (1 << _DOC_BITS):
        combined = (keys << np.uint64(_DOC_BITS)) | docs
        del keys, docs
        combined.sort()  # np.unique's hashing is far slower here
        combined = combined[_firsts(combined)]
        return combined >> np.uint64(_DOC_BITS), combined & np.uint64((1 << _DOC_BITS) - 1)
    order = np.lexsort((docs, keys))
    keys, docs = keys[order], docs[order]
    keep = np.ones(len(keys), dtype=bool)
    keep[1:] = (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])
    return keys[keep], docs[keep]


def _firsts(values: np.ndarray) -> np.ndarray:
    """Mask of the first of each run of equal values in a sorted array."""
    mask = np.ones(len(values), dtype=bool)
    mask[1:] = values[1:] != values[:-1]
    return mask


def build(folder: Path, rows: Iterable[Row], doc_count: int) -> None:
    """Write a literal index for ``doc_count`` Whoosh documents into ``folder`` atomically."""
    texts = [""] * doc_count
    doc_of = np.full(doc_count, -1, dtype=np.int64)
    dates = np.zeros(doc_count, dtype=np.int64)
    docs: dict[str, int] = {}
    doc_list: list[list[str]] = []
    for row in rows:
        texts[row.docnum] = normalize(row.text)
        ordinal = docs.get(row.doc_key)
        if ordinal is None:
            ordinal = docs[row.doc_key] = len(doc_list)
            doc_list.append([row.doc_key, normalize(row.title), normalize(row.issuer)])
        doc_of[row.docnum] = ordinal
        dates[row.docnum] = _date_int(row.date)
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    encoded = [t.encode("utf-8") for t in texts]
    offsets = np.zeros(doc_count + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    with open(tmp / "blob.bin", "wb") as fh:
        fh.write(b"".join(encoded) or b"\x00")
    keys, postings = _gram_pairs(texts) if doc_count else (np.zeros(0, np.uint64),) * 2
    first = np.flatnonzero(_firsts(keys)) if len(keys) else np.zeros(0, np.int64)
    unique = keys[first]
    starts = np.append(first, len(keys)).astype(np.int64)
    np.save(tmp / "offsets.npy", offsets)
    np.save(tmp / "keys.npy", unique)
    np.save(tmp / "starts.npy", starts)
    np.save(tmp / "postings.npy", postings.astype(np.uint32))
    np.save(tmp / "docinfo.npy", np.stack([doc_of, dates], axis=1))
    (tmp / "docs.json").write_text(json.dumps(doc_list, ensure_ascii=False), encoding="utf-8")
    for name in os.listdir(tmp):
        with open(tmp / name, "rb") as fh:
            os.fsync(fh.fileno())
    shutil.rmtree(folder, ignore_errors=True)
    os.rename(tmp, folder)


class LiteralIndex:
    """Read side of the literal index (memory-mapped)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.offsets = np.load(folder / "offsets.npy", mmap_mode="r")
        self.keys = np.load(folder / "keys.npy", mmap_mode="r")
        self.starts = np.load(folder / "starts.npy", mmap_mode="r")
        self.postings = np.load(folder / "postings.npy", mmap_mode="r")
        self.docinfo = np.load(folder / "docinfo.npy", mmap_mode="r")
        with open(folder / "blob.bin", "rb") as fh:
            self.blob: Any = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        self._docs: list[list[str]] | None = None
        self.doc_count = len(self.offsets) - 1

    def close(self) -> None:
        self.blob.close()

    @property
    def docs(self) -> list[list[str]]:
        if self._docs is None:
            self._docs = json.loads((self.folder / "docs.json").read_text(encoding="utf-8"))
        return self._docs

    def live(self) -> np.ndarray:
        """Every docnum that holds a passage."""
        return np.flatnonzero(np.asarray(self.docinfo[:, 0]) >= 0).astype(np.int64)

    def _posting(self, key: int) -> np.ndarray:
        i = int(np.searchsorted(self.keys, np.uint64(key)))
        if i >= len(self.keys) or int(self.keys[i]) != key:
            return np.zeros(0, dtype=np.int64)
        return np.asarray(self.postings[self.starts[i] : self.starts[i + 1]], dtype=np.int64)

    def text(self, docnum: int) -> str:
        start, end = int(self.offsets[docnum]), int(self.offsets[docnum + 1])
        return bytes(self.blob[start:end]).decode("utf-8")

    def matches(self, needle: str) -> np.ndarray:
        """Sorted docnums whose normalised text contains ``needle`` (already normalised)."""
        if not needle or "\x00" in needle:
            return np.zeros(0, dtype=np.int64)
        cps = [ord(ch) for ch in needle]
        if len(cps) == 1:
            return self._posting(cps[0] << _SHIFT)
        grams = sorted(
            ((a << _SHIFT) | b for a, b in itertools.pairwise(cps)),
        )
        lists = sorted((self._posting(key) for key in set(grams)), key=len)
        result = lists[0]
        for other in lists[1:]:
            if not len(result):
                break
            result = np.intersect1d(result, other, assume_unique=True)
        if len(cps) == 2 or not len(result):
            return result
        return self._verify(result, needle.encode("utf-8"))

    def _verify(self, candidates: np.ndarray, needle: bytes) -> np.ndarray:
        find = self.blob.find
        offsets = self.offsets
        starts = np.asarray(offsets[candidates])
        ends = np.asarray(offsets[candidates + 1])
        keep = [
            find(needle, int(s), int(e)) >= 0
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True)
        ]
        return candidates[np.array(keep, dtype=bool)] if keep else candidates

    def documents_where(self, column: int, needle: str) -> np.ndarray:
        """Docnums of passages whose document's title (1) or issuer (2) contains ``needle``."""
        ordinals = [i for i, doc in enumerate(self.docs) if needle in doc[column]]
        mask = np.isin(np.asarray(self.docinfo[:, 0]), np.array(ordinals, dtype=np.int64))
        return np.flatnonzero(mask).astype(np.int64)

    def dates(self) -> np.ndarray:
        return np.asarray(self.docinfo[:, 1])
