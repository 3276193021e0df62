"""Helpers shared by the measurement scripts (``bench.py``, ``recall.py``, ``eval.py``).

The scripts read JSON Lines collections where they are (never copying them into the
repository), build or reuse an index under ``--out`` and write their results there.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path("bench-out")


def collection_files(paths: Sequence[Path], pattern: str = "*.jsonl") -> list[Path]:
    """The files matching ``pattern`` under each path (a file is taken as given), sorted,
    without duplicates.  Hidden names are skipped."""
    found: dict[Path, None] = {}
    for given in paths:
        if given.is_file():
            found[given.resolve()] = None
        elif given.is_dir():
            for path in sorted(given.rglob(pattern)):
                if path.is_file() and not any(p.startswith(".") for p in path.parts):
                    found[path.resolve()] = None
        else:
            raise SystemExit(f"no such file or folder: {given}")
    if not found:
        raise SystemExit(f"no {pattern} files under: {', '.join(map(str, paths))}")
    return list(found)


def files_key(files: Sequence[Path]) -> str:
    """A short stable name for a set of files (to keep one index per set under --out)."""
    digest = hashlib.sha256("\n".join(str(f) for f in files).encode()).hexdigest()
    return digest[:10]


def ensure_index(
    folder: Path,
    files: Sequence[Path],
    rebuild: bool = False,
    shards: int = 1,
    ray: str | None = None,
) -> Any:
    """Build the index of ``files`` at ``folder``, or bring an existing one up to date.

    An index built with another schema or analyser, or one this version cannot read, is
    rebuilt (the folder holds nothing but what these scripts built).  Returns the IndexReport.
    """
    from search import analysis
    from search.errors import IndexCorrupt, IndexOutdated
    from search.store import writer as indexing

    analysis.configure("rjieba")
    if rebuild:
        shutil.rmtree(folder, ignore_errors=True)
    if shards > 1:  # (#14) a sharded index, built in this process or on Ray
        from search.store.sharded import update

        return update(folder, list(files), count=shards, ray=ray)
    try:
        return indexing.update(folder, list(files))
    except (IndexOutdated, IndexCorrupt):
        return indexing.update(folder, list(files), rebuild=True)


@dataclass(frozen=True)
class Para:
    """One passage as the index sees it: its document, ordinal and normalised text."""

    doc_id: str
    paragraph: int
    text: str  # normalised


def read_passages(files: Sequence[Path], index: Path) -> Iterator[Para]:
    """Every passage of ``files``, read with the project's own reader (document ids as the
    index at ``index`` gives them), normalised."""
    from search import analysis, documents
    from search.store import changes

    ids = changes.file_ids(index)
    for path in files:
        doc_id, display = ids(path)
        try:
            parsed = documents.read(path, doc_id, display)
        except documents.PartlyReadable as exc:
            parsed = exc.parsed
        for _document, passages in parsed:
            for p in passages:
                yield Para(p.doc_id, p.paragraph, analysis.normalize(p.text))


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) by linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(k), math.ceil(k)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50.0)


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def is_keyword_char(ch: str) -> bool:
    """Characters a sampled keyword may hold: letters and digits of any script (so the query
    parser reads the keyword as one plain term)."""
    return ch.isalnum()


def main_words(text: str) -> list[str]:
    """The jieba main words of normalised ``text`` (search-mode tokens not inside a longer
    one), in order, keeping those of two or more letters/digits."""
    from search import analysis

    out: list[str] = []
    end_of_main = -1
    for word, _start, end in sorted(analysis.segment(text), key=lambda t: (t[1], t[1] - t[2])):
        if end <= end_of_main:
            continue  # a search-mode sub-word of the previous main word
        end_of_main = end
        if len(word) >= 2 and all(is_keyword_char(ch) for ch in word):
            out.append(word)
    return out
