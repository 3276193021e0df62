"""Reading a segment's passages and documents a batch at a time: each column gathered for all
of them at once, their texts decoded as one string (#11: ``-n 0 --json`` reads every hit;
``stats`` every document)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from search.models import Passage
from search.store.segment import RECORD_FIELDS, SHARED_FIELDS, SegmentData


def read_passages(data: SegmentData, numbers: np.ndarray) -> list[tuple[Passage, str]]:
    """Passages as hits show them, with their normalised texts: each column read for all
    of ``numbers`` at once, their texts decoded (and their exceptions put back) as one
    string (a long result list costs a few array reads per batch)."""
    a, buf = data.file.arrays, data.file.buffer
    numbers = np.asarray(numbers, dtype=np.int64)
    after = numbers + 1
    stored_at = data.file.starts["s.blob"]
    stored_lo = (a["s.offsets"][numbers].astype(np.int64) + stored_at).tolist()
    stored_hi = (a["s.offsets"][after].astype(np.int64) + stored_at).tolist()
    norms, texts, ends = _texts(data, numbers)
    columns = zip(
        a["p.doc"][numbers].tolist(),
        a["p.paragraph"][numbers].tolist(),
        a["p.line"][numbers].tolist(),
        stored_lo, stored_hi, ends,
        strict=True,
    )  # fmt: skip
    out = []
    start = 0
    for doc, paragraph, line, s_lo, s_hi, end in columns:
        norm, text = norms[start:end], texts[start:end]
        start = end
        if s_lo == s_hi:  # the common passage: one line, nothing joined, no headings
            out.append((Passage(data.doc_id(doc), paragraph, line, line, text), norm))
            continue
        end_line, joins, headings, *ocr = json.loads(buf[s_lo:s_hi])
        passage = Passage(
            data.doc_id(doc),
            paragraph,
            line,
            end_line,
            text,
            tuple(h for h in "\n".join(headings).split("\n") if h),  # as stored() gives
            tuple((int(o), int(n)) for o, n in joins),
            bool(ocr),
        )
        out.append((passage, norm))
    return out


def _texts(data: SegmentData, numbers: np.ndarray) -> tuple[str, str, list[int]]:
    """The normalised texts of ``numbers`` and their original texts, each as one string,
    and where each passage ends in them (in code points)."""
    norms = data.text.joined(numbers)
    ends = np.cumsum(data.file.arrays["p.length"][numbers].astype(np.int64))
    counts, where, cps = _exceptions_of(data, numbers)
    if not len(where):
        return norms, norms, ends.tolist()
    chars = np.frombuffer(norms.encode("utf-32-le"), dtype=np.uint32).copy()
    chars[np.repeat(ends - data.file.arrays["p.length"][numbers], counts) + where] = cps
    return norms, chars.tobytes().decode("utf-32-le"), ends.tolist()


def _exceptions_of(
    data: SegmentData, numbers: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How many exceptions each of ``numbers`` has, and all of them in order (offsets,
    original code points), read with one gather."""
    starts = data.file.arrays["x.starts"]
    lo = starts[numbers].astype(np.int64)
    counts = starts[numbers + 1].astype(np.int64) - lo
    ends = np.cumsum(counts)
    where = np.repeat(lo - ends + counts, counts) + np.arange(int(ends[-1]) if len(ends) else 0)
    at = data.file.arrays["x.at"][where].astype(np.int64)
    return counts, at, data.file.arrays["x.table"][data.file.arrays["x.cp"][where]]


def metadata(data: SegmentData, fields: Sequence[str]) -> list[tuple[Any, ...]]:
    """Of every document, the metadata ``fields`` (names of DOC_FIELDS), decoded as one
    JSON text (for ``stats``: a JSON decode per document cost more than the rest of it)."""
    a, buf = data.file.arrays, data.file.buffer
    bounds = (a["d.offsets"].astype(np.int64) + data.file.starts["d.blob"]).tolist()
    records = [buf[s:e] for s, e in itertools.pairwise(bounds)]
    rests: list[list[Any]] = json.loads(b"[" + b",".join(records) + b"]")
    columns = []
    for name in fields:
        if name in SHARED_FIELDS:
            table = data.sources if name == "source" else data.paths
            columns.append([table[i] for i in a[f"d.{name}"].tolist()])
        else:
            at = RECORD_FIELDS.index(name)
            columns.append([rest[at] for rest in rests])
    return list(zip(*columns, strict=True)) if columns else [() for _ in rests]
