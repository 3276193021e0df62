"""Facets: how many matching documents per issuer, year, month, format or folder.

The counts are exact: every document with a passage that matches the whole query (and its
filters) counts once, whatever page is shown.  They are computed with numpy from the match
result (passage numbers) and the view's per-passage and per-document columns, never by decoding
hits.  ``count_facets`` takes one view; a sharded index counts each shard and ``merge``s the
counts (values are labels, so equal values of different shards add up).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from search.config import absolute, display_path
from search.errors import BadInput
from search.sets import unique

NAMES = ("issuer", "year", "month", "format", "folder")
FACETS_SCHEMA_VERSION = 1
SHOWN = 10  # values per facet in the terminal (JSON lists every value)


@dataclass(frozen=True)
class Facet:
    """One facet: its name and, per value ("" = none: no issuer, undated), the number of
    matching documents, the largest first (ties by value; the empty value last)."""

    name: str
    counts: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Facets:
    documents: int  # matching documents
    facets: tuple[Facet, ...]


def parse_names(text: str) -> tuple[str, ...]:
    """``issuer,year`` → the facet names, in the order given (repeats dropped)."""
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in NAMES]
    if unknown or not names:
        raise BadInput(
            f"unknown facet {unknown[0]!r}" if unknown else "--facets needs a facet name",
            f"give some of: {','.join(NAMES)}",
        )
    return tuple(dict.fromkeys(names))


def matching_documents(view: Any, passages: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct live document numbers of ``passages``, and for each one of its passages."""
    owners = np.asarray(view.docinfo[:, 0])[passages]
    documents, first = np.unique(owners, return_index=True)
    keep = documents >= 0
    return documents[keep], np.asarray(passages)[first[keep]]


def count_facets(view: Any, passages: np.ndarray, names: Sequence[str], base: str) -> Facets:
    """Exact counts of the documents of the matching ``passages`` (sorted passage numbers of
    ``view``) per value of each facet in ``names``; stored paths are relative to ``base``."""
    documents, one_passage = matching_documents(view, np.asarray(passages, dtype=np.int64))
    facets = []
    for name in names:
        if name in ("year", "month"):
            counts = _by_date(np.asarray(view.docinfo[:, 1])[one_passage], name)
        elif name == "issuer":
            counts = _by_issuer(view, documents)
        else:
            counts = _by_path(view, documents, name, base)
        facets.append(Facet(name, _ordered(counts)))
    return Facets(len(documents), tuple(facets))


def merge(parts: Iterable[Facets]) -> Facets:
    """The counts of several shards (each a ``count_facets`` of the same names) summed.  An
    issuer spelt differently in two shards (the same normalised) counts as one, named by the
    spelling with the most documents."""
    parts = list(parts)
    if not parts:
        return Facets(0, ())
    out = []
    for i, facet in enumerate(parts[0].facets):
        total: Counter[str] = Counter()
        for part in parts:
            total.update(dict(part.facets[i].counts))
        if facet.name == "issuer":
            total = _by_normalised(total)
        out.append(Facet(facet.name, _ordered(total)))
    return Facets(sum(p.documents for p in parts), tuple(out))


def _by_normalised(counts: Counter[str]) -> Counter[str]:
    from search.analyzer import normalize

    groups: dict[str, list[tuple[str, int]]] = {}
    for value, n in counts.items():
        groups.setdefault(normalize(value).strip(), []).append((value, n))
    out: Counter[str] = Counter()
    for members in groups.values():
        name = min(members, key=lambda m: (-m[1], m[0]))[0]
        out[name] = sum(n for _, n in members)
    return out


def _ordered(counts: dict[str, int]) -> tuple[tuple[str, int], ...]:
    items = [(k, int(n)) for k, n in counts.items() if n]
    return tuple(sorted(items, key=lambda kv: (not kv[0], -kv[1], kv[0])))


def _by_date(dates: np.ndarray, name: str) -> dict[str, int]:
    """Counts per year (``2024``) or month (``2024-03``) of documents dated yyyymmdd."""
    keys = dates // (10000 if name == "year" else 100)
    values, counts = np.unique(keys, return_counts=True)
    out: dict[str, int] = {}
    for value, n in zip(values.tolist(), counts.tolist(), strict=True):
        label = _date_label(value, name)
        out[label] = out.get(label, 0) + n
    return out


def _date_label(value: int, name: str) -> str:
    if value <= 0:
        return ""
    return str(value) if name == "year" else f"{value // 100}-{value % 100:02d}"


def split(view: Any, documents: np.ndarray) -> Iterable[tuple[Any, np.ndarray]]:
    """``documents`` (sorted global numbers) by segment: (part, local numbers)."""
    bases = np.array([p.doc_base for p in view.parts], dtype=np.int64)
    which = np.searchsorted(bases, documents, side="right") - 1
    for index in unique(which).tolist():
        part = view.parts[index]
        yield part, documents[which == index] - part.doc_base


def _by_issuer(view: Any, documents: np.ndarray) -> dict[str, int]:
    """Counts per issuer: documents grouped by their normalised issuer (as ``--issuer``
    matches it), each group named by the issuer as written in its first document."""
    groups: Counter[str] = Counter()
    first: dict[str, int] = {}
    for part, local in split(view, documents):
        table = part.data.issuer
        for number in local.tolist():
            key = table.text(number)
            groups[key] += 1
            first.setdefault(key, part.doc_base + number)
    out: Counter[str] = Counter()
    for key, n in groups.items():
        out[view.document(first[key])["issuer"].strip() if key else ""] += n
    return out


def _by_path(view: Any, documents: np.ndarray, name: str, base: str) -> dict[str, int]:
    """Counts per folder (as the user would type it here) or per format (as stored: the
    documents of one file share its format, and files of one suffix share theirs, so one
    document's metadata is read per suffix and segment)."""
    out: Counter[str] = Counter()
    for part, local in split(view, documents):
        column = np.asarray(part.data["d.path"])[local]
        paths, first, counts = np.unique(column, return_index=True, return_counts=True)
        groups: dict[str, tuple[int, int]] = {}  # folder or suffix → (a document, documents)
        for path, at, n in zip(paths.tolist(), first.tolist(), counts.tolist(), strict=True):
            stored = part.data.paths[path]
            key = os.path.dirname(stored) if name == "folder" else _suffix(stored)
            number, total = groups.get(key, (int(local[at]), 0))
            groups[key] = (number, total + n)
        for key, (number, n) in groups.items():
            if name == "folder":
                out[display_path(absolute(key, base))] += n
            else:
                out[view.document(part.doc_base + number)["fmt"]] += n
    return out


def _suffix(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def facets_object(found: Facets) -> dict[str, Any]:
    """The JSON line of ``search --facets`` (README: "JSON output")."""
    return {
        "schema_version": FACETS_SCHEMA_VERSION,
        "facets": {
            f.name: [{"value": v or None, "documents": n} for v, n in f.counts]
            for f in found.facets
        },
        "documents": found.documents,
    }


_NONE = {"issuer": "(no issuer)", "year": "(undated)", "month": "(undated)"}


def write_facets(found: Facets, console: Any, shown: int = SHOWN) -> None:
    """The facets for a person, after the hits: per facet its values, the largest first."""
    from rich.text import Text

    from search.render import inert

    total = found.documents
    console.print(Text(f"{total} matching document{'s' * (total != 1)}", style="bold"))
    for facet in found.facets:
        console.print()
        console.print(Text(f"by {facet.name}", style="bold"))
        width = len(str(facet.counts[0][1])) if facet.counts else 1
        for value, n in facet.counts[:shown]:
            line = Text(f"  {n:>{width}}  ")
            line.append(inert(value) or _NONE.get(facet.name, "(none)"), style="cyan")
            console.print(line)
        if len(facet.counts) > shown:
            more = len(facet.counts) - shown
            note = f"  … {more} more value{'s' * (more != 1)} (--json lists all)"
            console.print(Text(note, style="dim"))


def full_matches(searcher: Any, text: str, options: Any) -> np.ndarray:
    """The passages that match the whole query and its filters (as ``-c`` counts them)."""
    from search.query import parse
    from search.query.match import passages
    from search.query.plan import plan
    from search.store.manifest import damaged

    planned = plan(parse(text), options)
    with damaged(searcher.folder):
        return passages(searcher.literal, planned.required)


def search_facets(searcher: Any, text: str, options: Any, names: Sequence[str]) -> Facets:
    """The facets of a query over the index open in ``searcher`` (shard by shard, on Ray)."""
    from search.store.manifest import damaged

    if hasattr(searcher, "facets"):
        return searcher.facets(text, options, tuple(names))
    found = full_matches(searcher, text, options)
    with damaged(searcher.folder):
        return count_facets(searcher.literal, found, names, searcher.base)
