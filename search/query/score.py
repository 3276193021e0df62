"""Stage 4: BM25F over the index: the query's jieba words counted as written in each passage.

Scoring every candidate through Whoosh's Python matchers cost 0.4 s for a two-word query on
100k passages; here the whole candidate set is scored with numpy from the literal postings in a
few milliseconds:

* stage 1, every candidate: for each query word, its BM25 weight with the term frequency
  taken as 1 (presence, from the word's posting list) in the passage text, plus the same for
  the document title and the section headings (weighted fields); for a typed question also
  the character bigrams of the question (they catch words jieba cut differently);
* stage 2, the best ``RERANK`` candidates: exact term frequencies (words and question
  bigrams) and a proximity bonus; for a typed question also the evidence of the passage's whole
  document (its context);
* stage 3, typed questions only, the same candidates: pseudo-relevance feedback (bigrams that
  most of the ten best documents share) and a small bonus for a document's lead paragraph.

A typed question seldom uses the words of the passage that answers it, and the answer's
document often spreads the topic over several paragraphs: the context score is a document-level
BM25 over the same words and bigrams, with the number of the document's passages that hold a
word as its frequency and the document's length as its length (measured on eval-stard: MRR@10
0.360 → 0.375 with exact bigram frequencies and this context, → 0.380 with stage 3; see
README "Relevance").

Every stage scores with the one BM25 of ``search.query.bm25`` (weight × idf × saturation);
feedback is in ``search.query.feedback``; with a ``Ledger``, every part of every score is noted
for ``--explain``.

Words are counted literally, so a query word glued into a longer word by jieba (消费 in
促消费) still counts; title and headings are separate fields with their own weights (short
titles would otherwise dominate through length normalisation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from search.query import bm25
from search.query.explain import Detail, Ledger
from search.query.feedback import feedback
from search.query.match import Matched
from search.query.plan import Ranking
from search.query.stats import Shared, totals

RERANK = 500
_NONE = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Weights:
    """Global parameters, measured on eval-stard (see README "Relevance"): chosen on the
    even-numbered questions and checked on the odd ones.  A low title weight (many articles
    share their law's name), b = 0.5 (passages are short); ``bigrams`` weighs the question's
    character bigrams, ``context_*`` the document-level score of words and bigrams."""

    k1: float = 1.2
    b: float = 0.5
    title: float = 0.3
    headings: float = 0.5
    bigrams: float = 0.3
    proximity: float = 1.0
    context_words: float = 0.5
    context_bigrams: float = 0.8
    lead: float = 2.5
    feedback: float = 0.1
    feedback_docs: int = 10
    feedback_terms: int = 20
    feedback_min_docs: int = 3


@dataclass(frozen=True)
class Scored:
    """Candidate passage numbers best first, their scores, and which match only partly."""

    passages: np.ndarray
    scores: np.ndarray
    partial: np.ndarray  # bool per passage


class Ranker:
    """Scores candidate passages of one open index (the ``IndexView``'s methods).  With
    ``shared``, the collection statistics are those of a whole sharded collection, and the
    index is one of its shards."""

    def __init__(
        self, literal: Any, weights: Weights = Weights(), shared: Shared | None = None
    ) -> None:
        self.literal = literal
        self.weights = weights
        self.shared = shared
        total = shared.totals if shared else totals(literal)
        self.n = max(1, total.passages)
        self.avgdl = total.length / total.passages if total.passages else 1.0
        self.avg_tokens = total.tokens / total.passages if total.passages else 1.0
        self.n_docs = max(1, total.documents)
        self.avg_doc = total.length / self.n_docs or 1.0
        self.lengths = literal.lengths()
        self.doc_of = np.asarray(literal.docinfo[:, 0])
        self._doc_lengths: np.ndarray | None = None  # per document, on first relaxed query
        # a word jieba produced is counted in Whoosh's postings, with lengths in tokens
        self.tokens = literal.tokens

    def places(self, numbers: np.ndarray) -> np.ndarray:
        """These passages' places in collection order (what breaks ties)."""
        found: np.ndarray = self.literal.places(numbers)
        return found

    def df(self, gram: str, posting: np.ndarray, jieba: bool) -> int:
        """A term's document frequency in the collection: its passages here, or in every
        shard (jieba's postings, or as written)."""
        if self.shared is None:
            return len(posting)
        found = self.shared.words.get(gram) if jieba else None
        return found if found is not None else self.shared.passages.get(gram, 0)

    def word_stats(
        self, word: str, candidates: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, float]:
        """How a query word is counted in the passages' text: its live passages, their
        frequencies (None: counted literally, later), and the candidates' lengths with their
        average.  A word jieba produced as a token anywhere in the index takes Whoosh's jieba
        statistics (frequency, document frequency, length in tokens); any other word (a
        fragment, a mix jieba cut elsewhere) is counted as written, length in characters."""
        found = self.literal.word_postings(word)
        if self.shared is not None and found is None and self.shared.words.get(word) is not None:
            found = (_NONE, np.zeros(0))  # a jieba word elsewhere in the collection, not here
        if found is None:
            return self.literal.matches(word), None, self.lengths[candidates], self.avgdl
        return found[0], found[1], self.tokens[candidates], self.avg_tokens

    def idf(self, df: int, n: int = 0) -> float:
        return bm25.idf(df, n or self.n)

    def norm(self, candidates: np.ndarray) -> np.ndarray:
        return bm25.norm(self.lengths[candidates], self.avgdl, self.weights.b)

    def presence(
        self, candidates: np.ndarray, query: Ranking, ledger: Ledger | None
    ) -> np.ndarray:
        """Stage 1, every candidate: each word's and bigram's BM25 with tf taken as 1."""
        w = self.weights
        once = bm25.saturation(1.0, self.norm(candidates), w.k1)
        length = self.lengths[candidates]
        score = np.zeros(len(candidates))
        for word in query.words:
            self._word(score, candidates, word, once, ledger)
        for gram in query.bigrams:
            posting = self.literal.matches(gram)
            if len(posting):
                df = self.df(gram, posting, False)
                idf = self.idf(df)
                present = np.isin(candidates, posting, assume_unique=True)
                add = bm25.contribution(w.bigrams, idf, once) * present
                score += add
                if ledger:
                    detail = Detail(1.0, df, idf, w.bigrams, length, self.avgdl)
                    ledger.note(("bigram", "text", gram), candidates, add, detail)
        return score

    def _word(
        self,
        score: np.ndarray,
        candidates: np.ndarray,
        word: str,
        once: np.ndarray,
        ledger: Ledger | None,
    ) -> None:
        """Add a query word's presence in the text, the title and the headings to ``score``."""
        lit, w = self.literal, self.weights
        posting, freqs, lengths, average = self.word_stats(word, candidates)
        df = self.df(word, posting, freqs is not None)
        if not df:
            return
        idf = self.idf(df)
        once = bm25.saturation(1.0, bm25.norm(lengths, average, w.b), w.k1)
        fields = (
            ("text", 1.0, once, np.isin(candidates, posting, assume_unique=True)),
            ("title", w.title, 1.0, _isin(self.doc_of[candidates], lit.titles, word)),
            ("headings", w.headings, 1.0, _isin(candidates, lit.headings, word)),
        )
        for name, weight, saturated, held in fields:
            if held is None:
                continue
            add = bm25.contribution(weight, idf, saturated) * held
            score += add
            if ledger:
                text = name == "text"
                detail = Detail(1.0, df, idf, weight, lengths if text else 0.0, average * text)
                ledger.note(("word", name, word), candidates, add, detail)

    def exact(self, pool: np.ndarray, query: Ranking, ledger: Ledger | None) -> np.ndarray:
        """Stage 2 correction: real term frequencies instead of presence, proximity, and the
        document context of a typed question."""
        w = self.weights
        extra = self._frequencies(pool, ("word", query.words, 1.0), ledger)
        if query.bigrams:
            extra += self._frequencies(pool, ("bigram", query.bigrams, w.bigrams), ledger)
            extra += self._context(pool, query, ledger)
        if len(query.terms) > 1:
            for i, text in enumerate(self.literal.texts(pool)):  # decoded at once
                gap = min_window(text, query.terms)
                if gap is not None:
                    add = w.proximity / (1.0 + gap / 8.0)
                    extra[i] += add
                    if ledger:
                        part = ("proximity", "text", " ".join(query.terms))
                        ledger.note(
                            part, pool[i : i + 1], [add], Detail(weight=w.proximity, gap=gap)
                        )
        return extra

    def _frequencies(
        self,
        pool: np.ndarray,
        grams: tuple[str, tuple[str, ...], float],
        ledger: Ledger | None,
    ) -> np.ndarray:
        """What counting each gram's real frequency adds to its presence score."""
        k1 = self.weights.k1
        kind, terms, weight = grams
        extra = np.zeros(len(pool))
        for gram in terms:
            if kind == "word":
                posting, freqs, lengths, average = self.word_stats(gram, pool)
            else:
                posting, freqs, lengths, average = (
                    self.literal.matches(gram),
                    None,
                    self.lengths[pool],
                    self.avgdl,
                )
            if freqs is None:  # counted as written
                tf = self.tf(pool, gram)
            else:
                tf = np.zeros(len(pool))
                at = np.minimum(np.searchsorted(posting, pool), max(0, len(posting) - 1))
                held = posting[at] == pool if len(posting) else np.zeros(len(pool), bool)
                tf[held] = freqs[at[held]]
            norm = bm25.norm(lengths, average, self.weights.b)
            once = bm25.saturation(1.0, norm, k1)
            many = tf > 1
            if many.any():
                real = bm25.saturation(tf, norm, k1)
                df = self.df(gram, posting, freqs is not None)
                idf = self.idf(df)
                add = np.where(many, bm25.contribution(weight, idf, real - once), 0.0)
                extra += add
                if ledger:
                    detail = Detail(tf, df, idf, weight, lengths, average)
                    ledger.note((kind, "text", gram), pool, add, detail)
        return extra

    def tf(self, pool: np.ndarray, gram: str) -> np.ndarray:
        """How often ``gram`` occurs in each passage of the pool."""
        tf = np.zeros(len(pool))
        present = np.isin(pool, self.literal.matches(gram), assume_unique=True)
        if present.any():
            tf[present] = self.literal.counts(pool[present], gram)
        return tf

    def _context(self, pool: np.ndarray, query: Ranking, ledger: Ledger | None) -> np.ndarray:
        """Document-level BM25 of the pool's documents: a gram's frequency in a document is the
        number of its passages that hold it."""
        w = self.weights
        if self._doc_lengths is None:
            live = self.literal.live()
            self._doc_lengths = np.bincount(
                self.doc_of[live],
                weights=self.lengths[live],
                minlength=self.literal.document_count(),
            )
        lengths = self._doc_lengths
        n_docs, average = self.n_docs, self.avg_doc
        docs = self.doc_of[pool]
        norm = bm25.norm(lengths[docs], average, w.b)
        score = np.zeros(len(pool))
        grams = [("word", g, w.context_words) for g in query.words]
        grams += [("bigram", g, w.context_bigrams) for g in query.bigrams]
        for kind, gram, weight in grams:
            posting = self.literal.matches(gram)
            if not len(posting):
                continue
            owners = self.doc_of[posting]
            per_doc = np.bincount(owners[owners >= 0], minlength=len(lengths))
            tf = per_doc[docs].astype(float)
            df = self.shared.documents[gram] if self.shared else int(np.count_nonzero(per_doc))
            saturated = bm25.saturation(tf, norm, w.k1)
            idf = self.idf(df, n_docs)
            add = bm25.contribution(weight, idf, saturated)
            score += add
            if ledger:
                detail = Detail(tf, df, idf, weight, lengths[docs], average)
                ledger.note((kind, "document", gram), pool, add, detail)
        return score

    def order(
        self, candidates: np.ndarray, tier: np.ndarray, query: Ranking, ledger: Ledger | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Candidates best first (tier, then score, then collection order) and their scores;
        with a ledger, every part of every score noted in it."""
        if not len(candidates):
            return candidates, np.zeros(0)
        score = self.presence(candidates, query, ledger)
        place = self.places(candidates)
        first = best_first(tier, score, place)[:RERANK]
        pool = candidates[first]
        if ledger:
            ledger.reranked = set(pool.tolist())
        score[first] += self.exact(pool, query, ledger)
        if query.bigrams:
            extra = feedback(self, pool, score[first], query, ledger)
            score[first] += extra + self.lead(pool, ledger)
        order = best_first(tier, score, place)
        return candidates[order], score[order]

    def lead(self, pool: np.ndarray, ledger: Ledger | None) -> np.ndarray:
        """The bonus of a document's first passage (its lead paragraph)."""
        add = self.weights.lead * self.literal.leads(pool)
        if ledger:
            ledger.note(("lead", "", ""), pool, add, Detail(weight=self.weights.lead))
        return add


def score(ranker: Ranker, matched: Matched, query: Ranking, ledger: Ledger | None = None) -> Scored:
    """Stage 4: the matched passages ordered best first, with their scores."""
    candidates = matched.passages
    tier = tiers(matched.whole())
    together = len(query.terms) > 1
    if together and len(candidates):
        written = ranker.literal.matches(_joined(query.terms))
        tier = tiers(matched.whole(), np.isin(candidates, written, assume_unique=True))
    if ledger:
        ledger.ordered(candidates, tier, together)
    ordered, scores = ranker.order(candidates, tier, query, ledger)
    partial = ~np.isin(ordered, candidates[: matched.full], assume_unique=True)
    return Scored(ordered, scores, partial)


def _joined(terms: Sequence[str]) -> str:
    """The keywords written together (a space between two Latin letters or digits)."""
    out = terms[0]
    for term in terms[1:]:
        sep = " " if out[-1].isascii() and out[-1].isalnum() and term[0].isascii() else ""
        out += sep + term
    return out


def _isin(numbers: np.ndarray, table: Any, word: str) -> np.ndarray | None:
    """Which of ``numbers`` the gram table's entries holding ``word`` are (None: no entry)."""
    held = table.matches(word)
    return np.isin(numbers, held) if len(held) else None


def tiers(whole: np.ndarray, together: np.ndarray | None = None) -> np.ndarray:
    """What orders hits before their score: matching the whole query (1) or only part of it
    (0), then, for several keywords, holding them written together (1) or not (0)."""
    tier = whole.astype(np.int64)
    return tier if together is None else tier * 2 + together.astype(np.int64)


def best_first(tier: np.ndarray, score: np.ndarray, place: np.ndarray) -> np.ndarray:
    """The order of hits: higher tier, then higher score, then earlier in the collection."""
    return np.lexsort((place, -score, -tier))


def min_window(text: str, terms: Sequence[str]) -> int | None:
    """The shortest stretch of ``text`` holding every term, in characters beyond the terms."""
    events: list[tuple[int, int]] = []
    for k, term in enumerate(terms):
        start = text.find(term)
        while start >= 0:
            events.append((start, k))
            start = text.find(term, start + 1)
    if len({k for _, k in events}) < len(terms):
        return None
    events.sort()
    best: int | None = None
    count: dict[int, int] = {}
    left = 0
    for pos, k in events:
        count[k] = count.get(k, 0) + 1
        while len(count) == len(terms):
            lpos, lk = events[left]
            width = pos + len(terms[k]) - lpos
            best = width if best is None else min(best, width)
            count[lk] -= 1
            if not count[lk]:
                del count[lk]
            left += 1
    return None if best is None else max(0, best - sum(len(t) for t in terms))
