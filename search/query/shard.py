"""One shard's side of a search over a sharded index (``search.query.fanout`` is the other).

A ``ShardSearch`` keeps one shard open for any number of queries (a Ray actor holds one, or the
coordinator itself without Ray).  A query takes a few short steps, each answering the
coordinator with small arrays, so that every shard scores with the statistics of the whole
collection (``Shared``) and the coordinator merges what they rank:

1. ``strict``: the full matches here, and this shard's counts of the query's terms (the
   collection relaxes a query when all shards together do not fill the page: then
   ``match`` finds the partial matches too, and counts the relaxed words);
3. ``presence``: stage 1 of ranking with the collection's statistics; this shard's best
   ``RERANK`` candidates (tier, score, place);
4. ``rerank``: stage 2 for the first ``k`` of those (the ones in the collection's pool), and
   every candidate's final tier, score and place; for a typed question first
   ``bigram_keys`` and ``frequencies`` for feedback, then ``finish`` (feedback and the lead
   bonus);
6. ``hits``: the chosen passages as hits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from search.models import Hit
from search.query import parse
from search.query.collect import Collected
from search.query.explain import Ledger
from search.query.feedback import Weighted, apply, bigram_keys
from search.query.hits import hits
from search.query.match import Matched, match
from search.query.plan import Options, Plan, Ranking, plan, ranking
from search.query.score import RERANK, Ranker, best_first, tiers
from search.query.stats import Counts, Shared, Totals, counts, totals


@dataclass(frozen=True)
class Ranked:
    """A shard's candidates after ranking: local passage numbers and, per candidate, tier,
    score, place in the collection, document, date and whether it matches partly."""

    passages: np.ndarray
    tier: np.ndarray
    scores: np.ndarray
    place: np.ndarray
    documents: np.ndarray
    dates: np.ndarray
    partial: np.ndarray


Matching = tuple[int, int, Counts, Ranking]  # full matches, candidates, counts, what ranks
Pool = tuple[np.ndarray, np.ndarray, np.ndarray]  # scores, places, documents


class _Query:
    """What a shard keeps of the query being run."""

    def __init__(self, key: str, planned: Plan) -> None:
        self.key = key
        self.planned = planned
        self.matched: Matched | None = None
        self.ranking: Ranking | None = None
        self.ranker: Ranker | None = None
        self.ledger: Ledger | None = None
        self.tier = np.zeros(0, dtype=np.int64)
        self.scores = np.zeros(0)
        self.order = np.zeros(0, dtype=np.int64)  # candidates' rows, best first after stage 1
        self.pool = np.zeros(0, dtype=np.int64)  # rows reranked


class StaleQuery(RuntimeError):
    """A step of a query this shard is not running (it was restarted meanwhile)."""


class ShardSearch:
    """One shard of a sharded index, open for searching."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)
        self._open()

    def _open(self) -> None:
        from search.searching import Searcher

        self.searcher = Searcher(self.folder)
        self.view = self.searcher.literal
        self._query: _Query | None = None

    def generation(self) -> int:
        """The commit this shard searches: the newest (a long-lived actor reopens its shard
        after an update)."""
        from search.store.manifest import latest_generation

        if latest_generation(self.folder) != self.view.generation:
            self.searcher.close()
            self._open()
        return int(self.view.generation)

    def sources(self) -> list[str]:
        """The source files this shard holds passages of."""
        return sorted({s for part in self.view.parts for s in part.data.sources})

    def use_order(self, sources: list[str]) -> Totals:
        """Order passages by the collection's source files (every shard's); this shard's
        totals."""
        self.view.source_order = sources
        self.view.__dict__.pop("docinfo", None)
        self.searcher.__dict__.pop("ranker", None)
        return totals(self.view)

    def count(self, text: str, options: Options) -> int:
        return self.searcher.count(text, options)

    def strict(self, key: str, text: str, options: Options) -> tuple[int, Matching]:
        """The commit searched (the newest) and the query's full matches here, as ``match``
        gives them for a query the collection does not relax."""
        generation = self.generation()
        self._query = _Query(key, plan(parse(text), options))
        return generation, self.match(key, False)

    def _current(self, key: str) -> _Query:
        if self._query is None or self._query.key != key:
            raise StaleQuery(f"this shard is not running query {key}")
        return self._query

    def match(self, key: str, partly: bool) -> Matching:
        """Full matches, all candidates, the counts of the terms that rank them, and what
        ranks."""
        q = self._current(key)
        q.matched = match(q.planned, self.view, self.searcher.analyzer, partly)
        q.ranking = ranking(q.planned, q.matched.relaxed)
        found = counts(self.view, q.ranking.words, q.ranking.bigrams)
        return q.matched.full, len(q.matched.passages), found, q.ranking

    def presence(
        self, key: str, shared: Shared, explain: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Stage 1 with the collection's statistics; this shard's best ``RERANK`` candidates'
        tiers, scores and places, best first."""
        from search.query.score import _joined

        q = self._current(key)
        assert q.matched is not None and q.ranking is not None
        q.ranker = ranker = Ranker(self.view, shared=shared)
        candidates = q.matched.passages
        q.tier = tiers(q.matched.whole())
        together = len(q.ranking.terms) > 1
        if together and len(candidates):
            written = self.view.matches(_joined(q.ranking.terms))
            q.tier = tiers(q.matched.whole(), np.isin(candidates, written, assume_unique=True))
        w = ranker.weights
        q.ledger = Ledger(w.k1, w.b) if explain else None
        if q.ledger:
            q.ledger.ordered(candidates, q.tier, together)
        q.scores = ranker.presence(candidates, q.ranking, q.ledger)
        place = ranker.places(candidates)
        q.order = best_first(q.tier, q.scores, place)
        top = q.order[:RERANK]
        return q.tier[top], q.scores[top], place[top]

    def rerank(self, key: str, k: int) -> Pool | Ranked:
        """Stage 2 for this shard's first ``k`` (the collection's pool); for a typed question's
        feedback, the pool's scores, places and documents; else the final ranking."""
        q = self._current(key)
        assert q.matched is not None and q.ranking is not None and q.ranker is not None
        q.pool = q.order[:k]
        passages = q.matched.passages[q.pool]
        if q.ledger:
            q.ledger.reranked = set(passages.tolist())
        q.scores[q.pool] += q.ranker.exact(passages, q.ranking, q.ledger)
        if not q.ranking.bigrams:
            return self.finish(key, None)
        return q.scores[q.pool], q.ranker.places(passages), q.ranker.doc_of[passages]

    def bigram_keys(self, key: str, documents: list[int]) -> list[np.ndarray]:
        q = self._current(key)
        assert q.ranker is not None
        return [bigram_keys(q.ranker, d) for d in documents]

    def frequencies(self, grams: list[str]) -> list[int]:
        return [self.view.frequency(g) for g in grams]

    def finish(self, key: str, weighted: Weighted | None) -> Ranked:
        """Feedback (a typed question's ``weighted`` bigrams) and the lead bonus for the pool;
        every candidate's final ranking."""
        q = self._current(key)
        assert q.matched is not None and q.ranker is not None and q.ranking is not None
        candidates = q.matched.passages
        if q.ranking.bigrams:
            pool = candidates[q.pool]
            extra = apply(q.ranker, pool, weighted or [], q.ledger)
            q.scores[q.pool] += extra + q.ranker.lead(pool, q.ledger)
        docinfo = self.view.docinfo
        return Ranked(
            candidates,
            q.tier,
            q.scores,
            q.ranker.places(candidates),
            docinfo[candidates, 0],
            docinfo[candidates, 1],
            ~q.matched.whole(),
        )

    def hits(
        self, key: str, passages: np.ndarray, scores: np.ndarray, partial: np.ndarray
    ) -> list[Hit]:
        """These passages as hits (paths as stored; ranks to be set by the coordinator)."""
        q = self._current(key)
        assert q.matched is not None
        chosen = Collected(passages, scores, partial)
        return list(hits(chosen, q.planned, q.matched, self.view, q.ledger))

    def facets(self, text: str, options: Options, names: tuple[str, ...]) -> Any:
        """This shard's facet counts of a query (``facets.merge`` adds the shards')."""
        from search.facets import count_facets, full_matches

        found = full_matches(self.searcher, text, options)
        return count_facets(self.view, found, names, self.searcher.base)

    def sketches(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per document of this shard: its repost sketch, date, whether it is live, and the
        number of its first part (``IndexView.document_heads``): what the collection groups
        reposts by, across shards."""
        from search.store.sketch import HASHES

        parts = self.view.parts
        rows = [p.data["d.sketch"] for p in parts] or [np.zeros((0, HASHES), np.uint16)]
        dates = [p.data["d.date"] for p in parts] or [np.zeros(0, np.int64)]
        live = np.zeros(self.view.document_count(), dtype=bool)
        alive = self.view.docinfo[:, 0]
        live[alive[alive >= 0]] = True
        heads = np.asarray(self.view.document_heads, dtype=np.int64)
        return np.concatenate(rows), np.concatenate(dates), live, heads

    def documents(self, numbers: list[int]) -> list[Any]:
        """These documents (by this shard's numbers), paths as stored."""
        from search.query.hits import document_from

        return [document_from(self.view.document(n)) for n in numbers]

    def node(self) -> str:
        """Where this shard is searched: the Ray node's address, else this host's name."""
        try:
            import ray

            return str(ray.util.get_node_ip_address())
        except Exception:  # not in a Ray worker
            import socket

            return socket.gethostname()

    def document_count(self) -> int:
        return self.view.document_count()

    def close(self) -> None:
        self.searcher.close()
