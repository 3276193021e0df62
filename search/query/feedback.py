"""Pseudo-relevance feedback for a typed question: the character bigrams that most of the
best documents share, and the question lacks, count a little (weighted by how many of those
documents hold them and by their idf).  Only the first ``FEEDBACK_CHARS`` characters of a
document are read, so a huge document costs no more than a long one."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from search.query import bm25
from search.query.explain import Detail, Ledger
from search.query.plan import Ranking
from search.sets import unique
from search.store.grams import SHIFT

if TYPE_CHECKING:
    from search.query.score import Ranker, Weights

FEEDBACK_CHARS = 20_000  # of each feedback document


def feedback(
    ranker: Ranker, pool: np.ndarray, scores: np.ndarray, query: Ranking, ledger: Ledger | None
) -> np.ndarray:
    """What feedback adds to the scores of the pool (the reranked passages)."""
    keys = [bigram_keys(ranker, d) for d in top_documents(ranker, pool, scores)]
    counted = ranker.literal.frequency
    weighted = shared_bigrams(
        ranker.weights, ranker.idf, keys, query, lambda grams: [counted(g) for g in grams]
    )
    return apply(ranker, pool, weighted, ledger)


Weighted = list[tuple[float, float, str, int]]


def apply(
    ranker: Ranker, pool: np.ndarray, weighted: Weighted, ledger: Ledger | None
) -> np.ndarray:
    """What the feedback bigrams ``weighted`` add to the scores of the pool."""
    w = ranker.weights
    extra = np.zeros(len(pool))
    if not weighted:
        return extra
    heaviest = weighted[0][0]
    norm = ranker.norm(pool)
    for weight, idf, gram, df in weighted[: w.feedback_terms]:
        tf = ranker.tf(pool, gram)
        saturated = bm25.saturation(tf, norm, w.k1)
        share = w.feedback * weight / heaviest
        add = bm25.contribution(share, idf, saturated)
        extra += add
        if ledger:
            detail = Detail(tf, df, idf, share, ranker.lengths[pool], ranker.avgdl)
            ledger.note(("feedback", "text", gram), pool, add, detail)
    return extra


def top_documents(ranker: Ranker, pool: np.ndarray, scores: np.ndarray) -> list[int]:
    """The document numbers of the best ``feedback_docs`` documents of the pool."""
    return best_documents(
        ranker.doc_of[pool], scores, ranker.places(pool), ranker.weights.feedback_docs
    )


def best_documents(
    documents: np.ndarray, scores: np.ndarray, place: np.ndarray, count: int
) -> list[int]:
    """The first ``count`` distinct ``documents`` of passages ordered by score, then by place
    in the collection."""
    top: list[int] = []
    for i in np.lexsort((place, -scores)).tolist():
        document = int(documents[i])
        if document not in top:
            top.append(document)
            if len(top) == count:
                break
    return top


def shared_bigrams(
    weights: Weights,
    idf: Callable[[int], float],
    keys: list[np.ndarray],
    query: Ranking,
    frequencies: Callable[[list[str]], list[int]],
) -> Weighted:
    """``(documents × idf, idf, bigram, df)`` of the bigrams that at least
    ``feedback_min_docs`` of the top documents (their ``bigram_keys``) hold and the question
    lacks, heaviest first; ``frequencies`` counts bigrams' passages in the collection (all at
    once: a sharded collection asks every shard once)."""
    asked = set(query.words) | set(query.bigrams)
    if not keys:
        return []
    shared, held = np.unique(np.concatenate(keys), return_counts=True)
    often = held >= weights.feedback_min_docs
    candidates = []
    for key, count in zip(shared[often].tolist(), held[often].tolist(), strict=True):
        gram = chr(key >> SHIFT) + chr(key & ((1 << SHIFT) - 1))
        if not (gram in asked or any(gram in term for term in query.terms)):
            candidates.append((gram, count))
    weighted = []
    dfs = frequencies([gram for gram, _ in candidates]) if candidates else []
    for (gram, count), df in zip(candidates, dfs, strict=True):
        rarity = idf(df)
        weighted.append((count * rarity, rarity, gram, df))
    weighted.sort(key=lambda item: -item[0])  # stable: ties keep the bigrams' order
    return weighted


def bigram_keys(ranker: Ranker, document: int) -> np.ndarray:
    """The distinct Chinese character bigrams of a document's passages (not across two
    passages), as ``first << 21 | second`` code points, sorted; its first ``FEEDBACK_CHARS``
    characters only."""
    passages = ranker.literal.passages_of(document)
    sizes = np.cumsum(ranker.literal.lengths()[passages])  # characters, as len(text)
    enough = np.flatnonzero(sizes >= FEEDBACK_CHARS)
    if len(enough):  # up to the passage that reaches FEEDBACK_CHARS
        passages = passages[: int(enough[0]) + 1]
    text = "\x00".join(ranker.literal.texts(passages))
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    han = (cps >= 0x4E00) & (cps <= 0x9FFF)
    pair = han[:-1] & han[1:]
    return unique((cps[:-1][pair] << SHIFT) | cps[1:][pair])
