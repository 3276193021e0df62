"""One segment's side data: what a search reads besides Whoosh's own files.

A segment file (``<segment id>.lit``, beside Whoosh's ``<segment id>.seg``) is written once, by
the process that writes the Whoosh segment, from that segment's passages only, before any commit
names the segment.  Passage numbers are Whoosh's segment-local document numbers; document numbers
are local too.  Whoosh's clean-up removes the file when it drops the segment.

It holds, as arrays of one ``arrays`` file:

* ``text.*``: the passages' normalised text (in the segment's character code, ``charcode``)
  and its character/bigram postings;
  ``x.*``: where the original text differs from the normalised one (normalisation maps one code
  point to one), so the original is stored once, as normalised text plus its exceptions (each
  an offset and the number of its original code point in the segment's ``x.table``);
* ``head.*``: the distinct section-heading paths, with postings; ``p.heading`` per passage;
* ``title.*``, ``issuer.*``: each document's normalised title and issuer, with postings;
* per passage: its document, length, paragraph and line; ``s.*``: the rest of its location
  (last line, joined lines, original headings) as JSON;
* per document: ``d.*`` its metadata as JSON (stored once per document), its date as
  yyyymmdd, the range of its passages and its near-duplicate sketch (``sketch.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from search.analysis import normalize
from search.models import Document, Passage
from search.sets import unique
from search.store import arrays
from search.store import sketch as sketches
from search.store.grams import GramTable, table

SUFFIX = ".lit"


_FEW = 8  # passages: fewer are read one at a time


def side_path(folder: Path, segment_id: str) -> Path:
    """The side file of the segment ``segment_id`` (named like Whoosh's own segment files, so
    that Whoosh's clean-up removes it with them)."""
    return folder / f"{segment_id}{SUFFIX}"


DOC_FIELDS = ("source", "doc_id", "path", "fmt", "title", "date", "issuer", "doc_number", "url")
SHARED_FIELDS = ("source", "path")  # kept once per segment, each document pointing at its own
RECORD_FIELDS = tuple(
    name for name in DOC_FIELDS if name not in SHARED_FIELDS
)  # a document's JSON record


@dataclass(frozen=True)
class PassageRow:
    """One passage as a segment keeps it."""

    norm: str
    exceptions: tuple[tuple[int, int], ...]  # (offset, original code point)
    paragraph: int
    line: int
    tokens: int  # jieba tokens: the passage's length in Whoosh's text field
    stored: bytes  # JSON: [end_line, joins, headings] and 1 when recognised by OCR; or empty
    headings: str  # normalised heading path, "\n"-joined


@dataclass(frozen=True)
class DocumentRow:
    """One document as a segment keeps it: metadata once, then its passages."""

    source: str
    path: str
    meta: bytes  # JSON list of the DOC_FIELDS after source and path
    title: str  # normalised
    issuer: str  # normalised
    date: int  # yyyymmdd or 0
    passages: tuple[PassageRow, ...]
    sketch: bytes = bytes(2 * sketches.HASHES)  # MinHash of its text (sketch.py); zeros: none


def date_int(date: str) -> int:
    digits = date.replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


def document_row(
    source: str, document: Document, passages: Sequence[Passage], tokens: Sequence[int]
) -> DocumentRow:
    """A read document in the form a segment keeps."""
    values = [getattr(document, name) for name in DOC_FIELDS if name not in SHARED_FIELDS]
    meta = json.dumps(values, ensure_ascii=False).encode("utf-8")
    rows = []
    for passage, count in zip(passages, tokens, strict=True):
        norm = normalize(passage.text)
        exceptions = _exceptions(passage.text, norm)
        stored: list[Any] = []  # empty: one line, nothing joined, no headings, not OCR
        if passage.end_line != passage.line or passage.joins or passage.headings or passage.ocr:
            stored = [passage.end_line, [list(j) for j in passage.joins], list(passage.headings)]
        if passage.ocr:  # recognised from a scanned page (most passages are not: no field)
            stored.append(1)
        rows.append(
            PassageRow(
                norm,
                exceptions,
                passage.paragraph,
                passage.line,
                count,
                json.dumps(stored, ensure_ascii=False).encode("utf-8") if stored else b"",
                normalize("\n".join(passage.headings)),
            )
        )
    return DocumentRow(
        source,
        document.path,
        meta,
        normalize(document.title),
        normalize(document.issuer),
        date_int(document.date),
        tuple(rows),
        sketches.sketch([row.norm for row in rows]).tobytes(),
    )


def _exceptions(text: str, norm: str) -> tuple[tuple[int, int], ...]:
    """Where ``text`` differs from its normalised form: (offset, original code point)."""
    if text == norm:
        return ()
    original = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    at = np.flatnonzero(original != np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32))
    return tuple(zip(at.tolist(), original[at].tolist(), strict=True))


def _patched(norm: str, at: Sequence[int], cps: Sequence[int]) -> str:
    """``norm`` with the code points ``cps`` put back at offsets ``at`` (in order)."""
    pieces = []
    done = 0
    for offset, cp in zip(at, cps, strict=True):
        pieces.append(norm[done:offset])
        pieces.append(chr(cp))
        done = offset + 1
    pieces.append(norm[done:])
    return "".join(pieces)


def _blob(prefix: str, items: Sequence[bytes]) -> dict[str, np.ndarray]:
    offsets = np.zeros(len(items) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in items], out=offsets[1:])
    return {
        f"{prefix}offsets": _narrow_array(offsets),
        f"{prefix}blob": np.frombuffer(b"".join(items), dtype=np.uint8),
    }


def write(path: Path, documents: Iterable[DocumentRow]) -> dict[str, int]:
    """Write the side data of a segment whose passages are ``documents``' passages, in order.
    Returns its counts (documents, passages, characters)."""
    texts: list[str] = []
    stored: list[bytes] = []
    heading_ids: list[int] = []
    headings: dict[str, int] = {}
    exc_at: list[int] = []
    exc_cp: list[int] = []
    exc_starts = [0]
    passage_cols: list[tuple[int, int, int, int, int]] = []  # doc, length, paragraph, line, tokens
    docs: list[DocumentRow] = []
    doc_cols: list[tuple[int, int, int]] = []  # date, first passage, passage count
    for doc in documents:
        if not doc.passages:
            continue
        doc_cols.append((doc.date, len(texts), len(doc.passages)))
        for row in doc.passages:
            passage_cols.append((len(docs), len(row.norm), row.paragraph, row.line, row.tokens))
            texts.append(row.norm)
            stored.append(row.stored)
            heading_ids.append(
                headings.setdefault(row.headings, len(headings)) if row.headings else -1
            )
            exc_at.extend(a for a, _ in row.exceptions)
            exc_cp.extend(c for _, c in row.exceptions)
            exc_starts.append(len(exc_at))
        docs.append(doc)
    data: dict[str, np.ndarray] = {}
    data.update(table("text.", texts))
    data.update(table("head.", list(headings)))
    data.update(table("title.", [d.title for d in docs]))
    data.update(table("issuer.", [d.issuer for d in docs]))
    data.update(_blob("s.", stored))
    data.update(_blob("d.", [d.meta for d in docs]))
    cols = np.array(passage_cols, dtype=np.int64).reshape(-1, 5)
    for i, name in enumerate(("doc", "length", "paragraph", "line", "tokens")):
        data[f"p.{name}"] = _narrow_array(cols[:, i])
    data["p.heading"] = _narrow_array(np.array(heading_ids, dtype=np.int64) + 1)  # 0: none
    dcols = np.array(doc_cols, dtype=np.int32).reshape(-1, 3)
    data["d.date"], data["d.first"], data["d.count"] = dcols.T.copy()
    data["d.sketch"] = np.frombuffer(b"".join(d.sketch for d in docs), dtype=np.uint16).reshape(
        len(docs), sketches.HASHES
    )
    data["x.starts"] = _narrow_array(np.array(exc_starts, dtype=np.int64))
    data["x.at"] = _narrow(exc_at)
    data["x.table"], data["x.cp"] = _coded(exc_cp)
    sources = sorted({d.source for d in docs})
    paths = sorted({d.path for d in docs})
    data["d.source"] = _indexes([d.source for d in docs], sources)
    data["d.path"] = _indexes([d.path for d in docs], paths)
    counts = {"documents": len(docs), "passages": len(texts), "chars": int(cols[:, 1].sum())}
    arrays.write(path, data, {"sources": sources, "paths": paths, **counts})
    return counts


def _coded(values: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Code points as their distinct values (sorted) and each one's number among them, at one
    byte each when there are at most 256 (a segment's exceptions are mostly a few full-width
    punctuation marks)."""
    table = unique(np.array(values, dtype=np.uint32))
    numbers = np.searchsorted(table, np.array(values, dtype=np.uint32))
    return table, numbers.astype(np.uint8 if len(table) <= 1 << 8 else np.uint32)


def _narrow(values: list[int]) -> np.ndarray:
    """Whole numbers at two bytes each when they fit, else four."""
    dtype = np.uint16 if not values or max(values) < 1 << 16 else np.uint32
    return np.array(values, dtype=dtype)


def _narrow_array(values: np.ndarray) -> np.ndarray:
    """Non-negative whole numbers at the narrowest of 2, 4 or 8 bytes that holds them."""
    top = int(values.max()) if len(values) else 0
    dtype = np.uint16 if top < 1 << 16 else np.uint32 if top < 1 << 32 else np.int64
    return values.astype(dtype)


def _indexes(values: list[str], table: list[str]) -> np.ndarray:
    where = {value: i for i, value in enumerate(table)}
    return np.array([where[v] for v in values], dtype=np.int32)


class SegmentData:
    """Read side of one segment file (memory-mapped)."""

    def __init__(self, path: Path) -> None:
        self.file = arrays.ArrayFile(path)
        a = self.file.arrays
        buf, at = self.file.buffer, self.file.starts
        self.text = GramTable(a, "text.", buf, at["text.blob"])
        self.head = GramTable(a, "head.", buf, at["head.blob"])
        self.title = GramTable(a, "title.", buf, at["title.blob"])
        self.issuer = GramTable(a, "issuer.", buf, at["issuer.blob"])
        self.passages = len(a["p.doc"])
        self.documents = len(a["d.date"])
        self.sources: list[str] = self.file.meta["sources"]
        self.paths: list[str] = self.file.meta["paths"]
        self._documents: dict[int, list[Any]] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        return self.file.arrays[name]

    def _item(self, prefix: str, number: int) -> bytes:
        offsets = self.file.arrays[f"{prefix}offsets"]
        start, end = int(offsets[number]), int(offsets[number + 1])
        return bytes(self.file.arrays[f"{prefix}blob"][start:end])

    def document(self, number: int) -> list[Any]:
        """A document's metadata, in DOC_FIELDS order (decoded once per document)."""
        return list(self._document(number))

    def _document(self, number: int) -> list[Any]:
        found = self._documents.get(number)
        if found is None:
            a = self.file.arrays
            rest: list[Any] = json.loads(self._item("d.", number))
            source = self.sources[int(a["d.source"][number])]
            found = [source, rest[0], self.paths[int(a["d.path"][number])], *rest[1:]]
            self._documents[number] = found
        return found

    def doc_id(self, number: int) -> str:
        """A document's ``doc_id`` (its metadata decoded once per document)."""
        found: str = self._document(number)[1]
        return found

    def metadata(self, fields: Sequence[str]) -> list[tuple[Any, ...]]:
        """Of every document, the metadata ``fields`` (names of DOC_FIELDS), decoded at once."""
        from search.store.batches import metadata

        return metadata(self, fields)

    def documents_with_id(self, doc_id: str) -> list[int]:
        """The numbers of the documents whose ``doc_id`` is this one, found in the metadata's
        bytes without decoding them (each record starts ``["doc_id",``)."""
        needle = b"[" + json.dumps(doc_id, ensure_ascii=False).encode("utf-8") + b","
        offsets = self.file.arrays["d.offsets"]
        base = self.file.starts["d.blob"]
        end = base + int(offsets[-1]) if len(offsets) else base
        found: list[int] = []
        at = self.file.buffer.find(needle, base, end)
        while at >= 0:
            number = int(np.searchsorted(offsets, at - base))
            if number < self.documents and int(offsets[number]) == at - base:
                found.append(number)
            at = self.file.buffer.find(needle, at + 1, end)
        return found

    def documents_from(self, sources: set[int]) -> np.ndarray:
        """The numbers of the documents read from these source files (indexes into
        ``self.sources``)."""
        return np.flatnonzero(np.isin(self.file.arrays["d.source"], list(sources)))

    def original(self, number: int, norm: str | None = None) -> str:
        """A passage's text as in the source (from its normalised text, when given)."""
        norm = self.text.text(number) if norm is None else norm
        starts = self.file.arrays["x.starts"]
        lo, hi = int(starts[number]), int(starts[number + 1])
        if lo == hi:
            return norm
        at = self.file.arrays["x.at"][lo:hi].tolist()
        return _patched(norm, at, self._original_cps(lo, hi).tolist())

    def row(self, number: int) -> PassageRow:
        """A passage as it was written (for merging)."""
        starts = self.file.arrays["x.starts"]
        lo, hi = int(starts[number]), int(starts[number + 1])
        exceptions = tuple(
            zip(
                self.file.arrays["x.at"][lo:hi].tolist(),
                self._original_cps(lo, hi).tolist(),
                strict=True,
            )
        )
        heading = int(self.file.arrays["p.heading"][number]) - 1
        return PassageRow(
            self.text.text(number),
            exceptions,
            int(self.file.arrays["p.paragraph"][number]),
            int(self.file.arrays["p.line"][number]),
            int(self.file.arrays["p.tokens"][number]),
            self._item("s.", number),
            self.head.text(heading) if heading >= 0 else "",
        )

    def stored(self, number: int) -> dict[str, Any]:
        """A passage's location and its document's metadata, as one dict."""
        passage, _ = self.passage(number)
        out: dict[str, Any] = dict(
            zip(DOC_FIELDS, self._document(int(self.file.arrays["p.doc"][number])), strict=True)
        )
        out.update(
            paragraph=passage.paragraph,
            line=passage.line,
            end_line=passage.end_line,
            joins=[list(j) for j in passage.joins],
            headings="\n".join(passage.headings),
            text=passage.text,
            ocr=passage.ocr,
        )
        return out

    def passage(self, number: int) -> tuple[Passage, str]:
        """A passage as a hit shows it, and its normalised text (each decoded once)."""
        a = self.file.arrays
        line = int(a["p.line"][number])
        raw = self._item("s.", number)
        end_line, joins, headings, *ocr = json.loads(raw) if raw else (line, (), ())
        norm = self.text.text(number)
        passage = Passage(
            self.doc_id(int(a["p.doc"][number])),
            int(a["p.paragraph"][number]),
            line,
            end_line,
            self.original(number, norm),
            tuple(h for h in "\n".join(headings).split("\n") if h),  # as stored() gives them
            tuple((int(o), int(n)) for o, n in joins),
            bool(ocr),
        )
        return passage, norm

    def read_passages(self, numbers: np.ndarray) -> list[tuple[Passage, str]]:
        """Passages as hits show them, with their normalised texts, read a batch at a time
        (a few one at a time: the batch's array calls cost more)."""
        if len(numbers) < _FEW:
            return [self.passage(int(n)) for n in numbers]
        from search.store.batches import read_passages

        return read_passages(self, numbers)

    def _original_cps(self, lo: int, hi: int) -> np.ndarray:
        """The original code points of exceptions ``lo:hi``."""
        return self.file.arrays["x.table"][self.file.arrays["x.cp"][lo:hi]]

    def document_rows(self, alive: np.ndarray) -> Iterable[DocumentRow]:
        """The documents whose passages are alive, as written (for merging)."""
        a = self.file.arrays
        for doc in range(self.documents):
            first, count = int(a["d.first"][doc]), int(a["d.count"][doc])
            if count == 0 or not alive[first]:
                continue
            yield DocumentRow(
                self.sources[int(a["d.source"][doc])],
                self.paths[int(a["d.path"][doc])],
                self._item("d.", doc),
                self.title.text(doc),
                self.issuer.text(doc),
                int(a["d.date"][doc]),
                tuple(self.row(n) for n in range(first, first + count)),
                a["d.sketch"][doc].tobytes(),
            )
