"""The literal index: exact substring matching that never depends on segmentation.

For every passage (keyed by its Whoosh document number) it keeps the normalised text and the
set of characters and character bigrams it contains, as sorted numpy posting lists; the same
for the passages' section headings and for the documents' titles (ranking fields).  A query
string of one or two characters is answered exactly by one posting list; a longer one by the
intersection of its bigrams' lists, verified against the normalised text.  Building it is a
few numpy sorts, far cheaper than a positional n-gram field in Whoosh.

Files (in ``literal-<generation>/`` of the index folder, written once, then renamed into place):
``blob.bin`` UTF-8 of all texts, ``offsets.npy`` (int64, docnum → byte range), ``keys.npy``
(uint64 gram keys, sorted), ``starts.npy`` (int64 ranges into ``postings.npy``, uint32
docnums); the same with prefixes ``headings.`` and ``titles.``; ``docinfo.npy`` (per
docnum: document ordinal, date as yyyymmdd, length, paragraph number, place in collection
order); ``docs.json`` (per document: doc key, normalised title and issuer);
``stored.blob.bin`` and ``stored.offsets.npy``: each passage's stored fields as JSON, so that
a search never has to open Whoosh.
"""

from __future__ import annotations

import itertools
import json
import mmap
import os
import shutil
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from search.analysis import normalize

SHIFT = 21  # bits of one code point: a bigram's key is first << SHIFT | second
DOCINFO_COLUMNS = 5
_DOC_BITS = 22
_CACHED = 256


@dataclass(frozen=True)
class Row:
    """One passage: its Whoosh document number and stored fields."""

    docnum: int
    stored: dict[str, Any]

    def get(self, name: str) -> str:
        value = self.stored.get(name, "")
        return value if isinstance(value, str) else ""

    @property
    def doc_key(self) -> str:
        """Groups the passages of one document (a file may hold many documents)."""
        return f"{self.get('source')}\x1f{self.get('doc_id')}"


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
    bigrams = (cps[:-1][pair] << np.uint64(SHIFT)) | cps[1:][pair]
    unigrams = cps[live] << np.uint64(SHIFT)
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


def _write_blob(folder: Path, prefix: str, items: list[bytes]) -> None:
    """Byte strings one after another, with their offsets."""
    offsets = np.zeros(len(items) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in items], out=offsets[1:])
    with open(folder / f"{prefix}blob.bin", "wb") as fh:
        fh.write(b"".join(items) or b"\x00")
    np.save(folder / f"{prefix}offsets.npy", offsets)


def _write_table(folder: Path, prefix: str, texts: list[str]) -> None:
    """One gram table: the texts' UTF-8 blob with offsets, and their gram postings."""
    _write_blob(folder, prefix, [t.encode("utf-8") for t in texts])
    keys, postings = _gram_pairs(texts) if texts else (np.zeros(0, np.uint64),) * 2
    first = np.flatnonzero(_firsts(keys)) if len(keys) else np.zeros(0, np.int64)
    np.save(folder / f"{prefix}keys.npy", keys[first])
    np.save(folder / f"{prefix}starts.npy", np.append(first, len(keys)).astype(np.int64))
    np.save(folder / f"{prefix}postings.npy", postings.astype(np.uint32))


def build(folder: Path, rows: Iterable[Row], doc_count: int) -> None:
    """Write a literal index for ``doc_count`` Whoosh documents into ``folder`` atomically."""
    texts = [""] * doc_count
    headings = [""] * doc_count
    # document ordinal, date, length, paragraph, place in collection order
    info = np.zeros((doc_count, DOCINFO_COLUMNS), dtype=np.int64)
    info[:, 0] = -1
    info[:, 4] = doc_count
    places: list[tuple[str, int, int, int]] = []
    docs: dict[str, int] = {}
    doc_list: list[list[str]] = []
    stored = [b""] * doc_count
    for row in rows:
        text = row.get("text")
        texts[row.docnum] = normalize(text)
        headings[row.docnum] = normalize(row.get("headings"))
        ordinal = docs.get(row.doc_key)
        if ordinal is None:
            ordinal = docs[row.doc_key] = len(doc_list)
            doc_list.append(
                [row.doc_key, normalize(row.get("title")), normalize(row.get("issuer"))]
            )
        paragraph = row.stored.get("paragraph", 0)
        info[row.docnum] = (
            ordinal,
            _date_int(row.get("date")),
            len(text),
            paragraph if isinstance(paragraph, int) else 0,
            0,
        )
        line = row.stored.get("line", 0)
        places.append(
            (
                row.get("source"),
                line if isinstance(line, int) else 0,
                info[row.docnum, 3],
                row.docnum,
            )
        )
        stored[row.docnum] = json.dumps(row.stored, ensure_ascii=False).encode("utf-8")
    places.sort()
    info[[place[3] for place in places], 4] = np.arange(len(places))
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    _write_blob(tmp, "stored.", stored)
    _write_table(tmp, "", texts)
    _write_table(tmp, "headings.", headings)
    _write_table(tmp, "titles.", [doc[1] for doc in doc_list])
    np.save(tmp / "docinfo.npy", info)
    (tmp / "docs.json").write_text(json.dumps(doc_list, ensure_ascii=False), encoding="utf-8")
    for name in os.listdir(tmp):
        with open(tmp / name, "rb") as fh:
            os.fsync(fh.fileno())
    shutil.rmtree(folder, ignore_errors=True)
    os.rename(tmp, folder)


class GramTable:
    """Exact substring lookup over a list of normalised texts (memory-mapped)."""

    def __init__(self, folder: Path, prefix: str = "") -> None:
        self.offsets = np.load(folder / f"{prefix}offsets.npy", mmap_mode="r")
        self.keys = np.load(folder / f"{prefix}keys.npy", mmap_mode="r")
        self.starts = np.load(folder / f"{prefix}starts.npy", mmap_mode="r")
        self.postings = np.load(folder / f"{prefix}postings.npy", mmap_mode="r")
        with open(folder / f"{prefix}blob.bin", "rb") as fh:
            self.blob: Any = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)

    def close(self) -> None:
        self.blob.close()

    def _posting(self, key: int) -> np.ndarray:
        i = int(np.searchsorted(self.keys, np.uint64(key)))
        if i >= len(self.keys) or int(self.keys[i]) != key:
            return np.zeros(0, dtype=np.int64)
        return np.asarray(self.postings[self.starts[i] : self.starts[i + 1]], dtype=np.int64)

    def text(self, number: int) -> str:
        start, end = int(self.offsets[number]), int(self.offsets[number + 1])
        return bytes(self.blob[start:end]).decode("utf-8")

    def matches(self, needle: str) -> np.ndarray:
        """Sorted numbers of the texts that contain ``needle`` (already normalised).

        Remembered for the last ``_CACHED`` needles: one query asks for the same keyword when
        matching, when ranking and when reranking, and a batch repeats words."""
        cache: OrderedDict[str, np.ndarray] = self.__dict__.setdefault("_cache", OrderedDict())
        found = cache.get(needle)
        if found is None:
            found = self._matches(needle)
            found.flags.writeable = False
            cache[needle] = found
            if len(cache) > _CACHED:
                cache.popitem(last=False)
        else:
            cache.move_to_end(needle)
        return found

    def _matches(self, needle: str) -> np.ndarray:
        if not needle or "\x00" in needle:
            return np.zeros(0, dtype=np.int64)
        cps = [ord(ch) for ch in needle]
        if len(cps) == 1:
            return self._posting(cps[0] << SHIFT)
        grams = {(a << SHIFT) | b for a, b in itertools.pairwise(cps)}
        lists = sorted((self._posting(key) for key in grams), key=len)
        result = lists[0]
        for other in lists[1:]:
            if not len(result):
                break
            result = np.intersect1d(result, other, assume_unique=True)
        if len(cps) == 2 or not len(result):
            return result
        return result[self.contains(result, needle)]

    def frequency(self, needle: str) -> int:
        """How many texts contain ``needle`` of one or two characters (no list is read)."""
        cps = [ord(ch) for ch in needle]
        key = cps[0] << SHIFT if len(cps) == 1 else (cps[0] << SHIFT) | cps[1]
        i = int(np.searchsorted(self.keys, np.uint64(key)))
        if i >= len(self.keys) or int(self.keys[i]) != key:
            return 0
        return int(self.starts[i + 1] - self.starts[i])

    def contains(self, numbers: np.ndarray, needle: str) -> np.ndarray:
        """Boolean mask: which of the given texts contain ``needle``."""
        return self.counts(numbers, needle, first_only=True) > 0

    def counts(self, numbers: np.ndarray, needle: str, first_only: bool = False) -> np.ndarray:
        """How often ``needle`` occurs in each of the given texts."""
        raw = needle.encode("utf-8")
        blob, offsets = self.blob, self.offsets
        starts = np.asarray(offsets[numbers]).tolist()
        ends = np.asarray(offsets[numbers + 1]).tolist()
        if first_only:
            found = [blob.find(raw, s, e) >= 0 for s, e in zip(starts, ends, strict=True)]
            return np.array(found, dtype=np.int64)
        out = np.zeros(len(starts), dtype=np.int64)
        for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
            at = blob.find(raw, s, e)
            while at >= 0:
                out[i] += 1
                at = blob.find(raw, at + len(raw), e)
        return out


class OldLiteral(Exception):
    """A literal index written by an older version (fewer ``docinfo`` columns): it is rebuilt
    from the Whoosh index on opening."""


class LiteralIndex(GramTable):
    """Read side of the literal index: passage texts, their headings, document titles."""

    def __init__(self, folder: Path) -> None:
        docinfo = np.load(folder / "docinfo.npy", mmap_mode="r")
        if docinfo.ndim != 2 or docinfo.shape[1] != DOCINFO_COLUMNS:
            raise OldLiteral(f"{folder} was written by an older govsearch")
        super().__init__(folder)
        self.folder = folder
        self.headings = GramTable(folder, "headings.")
        self.titles = GramTable(folder, "titles.")
        self._stored_offsets = np.load(folder / "stored.offsets.npy", mmap_mode="r")
        with open(folder / "stored.blob.bin", "rb") as fh:
            self._stored: Any = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        self.docinfo = docinfo
        self._docs: list[list[str]] | None = None
        self._by_doc: tuple[np.ndarray, np.ndarray] | None = None
        self.doc_count = len(self.offsets) - 1

    def close(self) -> None:
        super().close()
        self.headings.close()
        self.titles.close()
        self._stored.close()

    def stored(self, docnum: int) -> dict[str, Any]:
        """The stored fields of a passage (as Whoosh holds them)."""
        start, end = int(self._stored_offsets[docnum]), int(self._stored_offsets[docnum + 1])
        value: dict[str, Any] = json.loads(bytes(self._stored[start:end]))
        return value

    @property
    def docs(self) -> list[list[str]]:
        if self._docs is None:
            self._docs = json.loads((self.folder / "docs.json").read_text(encoding="utf-8"))
        return self._docs

    def live(self) -> np.ndarray:
        """Every docnum that holds a passage."""
        return np.flatnonzero(np.asarray(self.docinfo[:, 0]) >= 0).astype(np.int64)

    def documents_where(self, column: int, needle: str) -> np.ndarray:
        """Docnums of passages whose document's title (1) or issuer (2) contains ``needle``."""
        if column == 1:
            ordinals = self.titles.matches(needle)
        else:
            ordinals = np.array(
                [i for i, doc in enumerate(self.docs) if needle in doc[column]], dtype=np.int64
            )
        mask = np.isin(np.asarray(self.docinfo[:, 0]), ordinals)
        return np.flatnonzero(mask).astype(np.int64)

    def dates(self) -> np.ndarray:
        return np.asarray(self.docinfo[:, 1])

    def lengths(self) -> np.ndarray:
        return np.asarray(self.docinfo[:, 2])

    def leads(self, docnums: np.ndarray) -> np.ndarray:
        """Which of these passages is its document's first (its lead paragraph)."""
        return np.asarray(self.docinfo[docnums, 3]) == 1

    def collection_order(self) -> np.ndarray:
        """Per docnum, its place in collection order (source file, then line, then paragraph):
        ties in ranking go by it, so they do not depend on how an update split its work."""
        return np.asarray(self.docinfo[:, 4])

    def document_count(self) -> int:
        """How many document ordinals there are (without reading ``docs.json``)."""
        doc_of = np.asarray(self.docinfo[:, 0])
        return int(doc_of.max()) + 1 if len(doc_of) else 0

    def passages_of(self, ordinal: int) -> np.ndarray:
        """The docnums of a document's passages (by document ordinal), in collection order.
        The first call sorts every live passage by document once."""
        if self._by_doc is None:
            live = self.live()
            doc_of = np.asarray(self.docinfo[:, 0])
            live = live[np.lexsort((self.collection_order()[live], doc_of[live]))]
            starts = np.searchsorted(doc_of[live], np.arange(self.document_count() + 1))
            self._by_doc = live, starts
        live, starts = self._by_doc
        return live[starts[ordinal] : starts[ordinal + 1]]
