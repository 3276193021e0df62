"""The coordinator of a search over a sharded index: every shard (``search.query.shard``)
matches and scores its own passages with the statistics of the whole collection, summed
first (as Elasticsearch's ``dfs_query_then_fetch``), and the coordinator merges what they rank
— so N shards return exactly what one index of the same collection returns.

The shards are reached through ``Shards``: in this process, or Ray actors (``search.cluster``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from search.config import absolute, collection_base, display_path
from search.models import Hit
from search.query import bm25, parse
from search.query.collect import collect
from search.query.feedback import Weighted, best_documents, shared_bigrams
from search.query.plan import Options, Ranking, plan
from search.query.score import RERANK, Scored, Weights, best_first
from search.query.stats import Shared, Totals
from search.sets import unique
from search.store.shards import folders

CHUNK = 512  # hits fetched from the shards at a time


class Shards(Protocol):
    """How the coordinator calls its shards (each ``ShardSearch``'s methods)."""

    names: list[str]

    def each(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        """``method(*args[k])`` on every shard k, together; the answers in shard order."""
        ...

    def some(self, calls: dict[int, tuple[str, tuple[Any, ...]]]) -> dict[int, Any]:
        """``method(*args)`` on the shards named."""
        ...


class InProcess:
    """Shards opened in this process (no Ray)."""

    def __init__(self, folders: list[Path]) -> None:
        from search.query.shard import ShardSearch

        self.shards = [ShardSearch(str(f)) for f in folders]
        self.names = [f.name for f in folders]

    def each(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        return [getattr(s, method)(*a) for s, a in zip(self.shards, args, strict=True)]

    def some(self, calls: dict[int, tuple[str, tuple[Any, ...]]]) -> dict[int, Any]:
        return {k: getattr(self.shards[k], m)(*a) for k, (m, a) in calls.items()}

    def close(self) -> None:
        for shard in self.shards:
            shard.close()


@dataclass(frozen=True)
class Merged:
    """Every shard's ranked candidates in one order: per row, its shard and local passage."""

    shard: np.ndarray
    passage: np.ndarray
    scores: np.ndarray
    partial: np.ndarray
    documents: np.ndarray  # global document numbers (shard's base + local)
    dates: np.ndarray
    files: np.ndarray  # per global document number, its source file's rank


class _Columns:
    """What ``collect`` reads of an index, for the merged rows (the collection's reposts and
    split documents asked of the coordinator when collecting needs them)."""

    def __init__(self, merged: Merged, fan: FanOut) -> None:
        self.docinfo = merged.documents[:, None]
        self._dates = merged.dates
        self._files = merged.files
        self._fan = fan

    @property
    def repost_groups(self) -> np.ndarray:
        return self._fan.documents()[0]

    @property
    def document_heads(self) -> np.ndarray:
        return self._fan.documents()[1]

    def dates(self) -> np.ndarray:
        return self._dates

    def document_sources(self) -> np.ndarray:
        return self._files


class FanOut:
    """A sharded index open for searching: the same answers as ``Searcher`` on one index."""

    def __init__(self, shards: Shards, folder: Path) -> None:
        self.shards = shards
        self.folder = folder
        self.base = collection_base(folders(folder)[0])  # what stored paths are relative to
        self._shown: dict[str, str] = {}
        self._commits: list[int] = []
        self._documents: tuple[np.ndarray, np.ndarray] | None = None
        self.totals = Totals()
        self.doc_base = np.zeros(1, dtype=np.int64)

    def _current(self, commits: list[int] | None = None) -> None:
        """Every shard on its newest commit (``commits``: as the shards just said), and what
        the collection's order and totals are then (asked again when a shard was updated)."""
        n = len(self.shards.names)
        if commits is None:
            commits = self.shards.each("generation", [()] * n)
        if commits == self._commits:
            return
        held = self.shards.each("sources", [()] * n)
        order = sorted({s for found in held for s in found})
        total = Totals()
        for t in self.shards.each("use_order", [(order,)] * n):
            total = total + t
        self.totals = total
        counts = self.shards.each("document_count", [()] * n)
        self.doc_base = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self._commits = commits
        self._documents = None

    def documents(self) -> tuple[np.ndarray, np.ndarray]:
        """Per global document number: its group of reposts over the whole collection (as
        one index groups them) and its first part; gathered from the shards when first asked
        after an update."""
        if self._documents is None:
            from search.store.sketch import groups

            n = len(self.shards.names)
            got = self.shards.each("sketches", [()] * n)
            rows, dates, live = (np.concatenate([g[i] for g in got]) for i in range(3))
            heads = np.concatenate([g[3] + self.doc_base[k] for k, g in enumerate(got)])
            self._documents = groups(rows, live, dates), heads
        return self._documents

    def close(self) -> None:
        close = getattr(self.shards, "close", None)
        if close:
            close()

    def __enter__(self) -> FanOut:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def count(self, text: str, options: Options = Options()) -> int:
        plan(parse(text), options)  # a malformed query fails here, once
        self._current()
        n = len(self.shards.names)
        return int(sum(self.shards.each("count", [(text, options)] * n)))

    def stream(self, text: str, options: Options = Options()) -> Any:
        from search.searching import Stream

        planned = plan(parse(text), options)
        key = uuid.uuid4().hex
        n = len(self.shards.names)
        first = self.shards.each("strict", [(key, text, options)] * n)
        self._current([commit for commit, _ in first])
        answers = [matching for _, matching in first]
        if sum(a[0] for a in answers) < planned.want and planned.relaxable:
            answers = self.shards.each("match", [(key, True)] * n)
        shared = Shared.of([self.totals], [a[2] for a in answers])
        query: Ranking = answers[0][3]
        merged = self._rank(key, shared, query, options.explain)
        scored = Scored(np.arange(len(merged.passage)), merged.scores, merged.partial)
        chosen = collect(scored, options, _Columns(merged, self))
        found = self._hits(key, merged, chosen.passages, chosen.copies)
        total = sum(a[1] for a in answers)
        return Stream(found, int(total), int(sum(a[0] for a in answers)), planned.terms)

    def search(self, text: str, options: Options = Options()) -> Any:
        from search.searching import Result

        stream = self.stream(text, options)
        return Result(list(stream.hits), stream.total, stream.strict_total, stream.keywords)

    def _rank(self, key: str, shared: Shared, query: Ranking, explain: bool) -> Merged:
        n = len(self.shards.names)
        tops = self.shards.each("presence", [(key, shared, explain)] * n)
        owner = np.concatenate([np.full(len(t[0]), k) for k, t in enumerate(tops)])
        best = best_first(*(np.concatenate([t[i] for t in tops]) for i in range(3)))[:RERANK]
        pool = np.bincount(owner[best], minlength=n)
        ranked = self.shards.each("rerank", [(key, int(k)) for k in pool])
        if query.bigrams:  # a typed question: feedback from the collection's best documents
            weighted = self._feedback(key, shared, query, ranked)
            ranked = self.shards.each("finish", [(key, weighted)] * n)
        shard = np.concatenate([np.full(len(r.passages), k) for k, r in enumerate(ranked)])
        tier, scores, place, passage, documents, dates, partial = (
            np.concatenate([getattr(r, name) for r in ranked])
            for name in ("tier", "scores", "place", "passages", "documents", "dates", "partial")
        )
        order = best_first(tier, scores, place)
        documents = documents + self.doc_base[shard]
        files = np.zeros(int(self.doc_base[-1]), dtype=np.int64)
        files[documents] = place >> 40  # a source file's rank (``IndexView.docinfo``)
        return Merged(
            shard[order], passage[order], scores[order], partial[order],
            documents[order], dates[order], files,
        )  # fmt: skip

    def _feedback(self, key: str, shared: Shared, query: Ranking, pools: list[Any]) -> Weighted:
        """The feedback bigrams of a typed question: those most of the collection's best
        documents share (as one index finds them), with the collection's frequencies."""
        weights = Weights()
        shard = np.concatenate([np.full(len(p[0]), k) for k, p in enumerate(pools)])
        scores, place, docs = (np.concatenate([p[i] for p in pools]) for i in range(3))
        best = best_documents(shard << 40 | docs, scores, place, weights.feedback_docs)
        top = [(d >> 40, d & ((1 << 40) - 1)) for d in best]  # (shard, its document)
        asked: dict[int, list[int]] = {}
        for s, d in top:
            asked.setdefault(s, []).append(d)
        got = self.shards.some({s: ("bigram_keys", (key, d)) for s, d in asked.items()})
        keys = [got[s][asked[s].index(d)] for s, d in top]
        n = len(self.shards.names)

        def frequencies(grams: list[str]) -> list[int]:
            counted = self.shards.each("frequencies", [(grams,)] * n)
            return [int(f) for f in np.sum(counted, axis=0)]

        passages = max(1, shared.totals.passages)
        return shared_bigrams(weights, lambda df: bm25.idf(df, passages), keys, query, frequencies)

    def _hits(
        self, key: str, merged: Merged, rows: np.ndarray, copies: tuple[tuple[int, ...], ...]
    ) -> Iterator[Hit]:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            reposts = self._copies(copies[start : start + CHUNK]) if copies else None
            owners = merged.shard[chunk]
            calls = {}
            for s in unique(owners).tolist():
                mine = chunk[owners == s]
                calls[s] = (
                    "hits",
                    (key, merged.passage[mine], merged.scores[mine], merged.partial[mine]),
                )
            got = {s: iter(h) for s, h in self.shards.some(calls).items()}
            for i, s in enumerate(owners.tolist()):
                hit = next(got[s])
                hit = replace(hit, rank=start + i + 1, document=self._document(hit.document))
                if reposts and reposts[i]:
                    hit = replace(hit, copies=tuple(self._document(d) for d in reposts[i]))
                yield hit

    def _copies(self, chosen: tuple[tuple[int, ...], ...]) -> list[list[Any]]:
        """The documents (global numbers) that hits stand for, read from their shards."""
        wanted = sorted({d for numbers in chosen for d in numbers})
        shard = np.searchsorted(self.doc_base, wanted, side="right") - 1
        calls = {}
        for k in unique(shard).tolist():
            local = [
                int(d - self.doc_base[k]) for d, s in zip(wanted, shard, strict=True) if s == k
            ]
            calls[k] = ("documents", (local,))
        got = self.shards.some(calls)
        found: dict[int, Any] = {}
        for k, (_, (local,)) in calls.items():
            for number, document in zip(local, got[k], strict=True):
                found[number + int(self.doc_base[k])] = document
        return [[found[d] for d in numbers] for numbers in chosen]

    def _document(self, document: Any) -> Any:
        shown = self._shown.get(document.path)
        if shown is None:
            shown = self._shown[document.path] = display_path(absolute(document.path, self.base))
        return replace(document, path=shown)
