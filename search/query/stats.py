"""Collection statistics that ranking takes from the whole collection, however it is split.

A passage's score depends on the collection through a few sums: the live passages and their
lengths (in characters and in jieba tokens), the documents with text, and each query term's
document frequency (passages, or documents for a question's context).  One index computes them
itself (``Ranker`` without ``Shared``); a sharded index adds up each shard's ``Counts`` first
(``Shared.of``), as Elasticsearch's ``dfs_query_then_fetch`` does, so that every shard scores
with the statistics of the whole collection and N shards rank exactly like one index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from search.sets import unique


@dataclass(frozen=True)
class Totals:
    """Sums over one shard's live passages."""

    passages: int = 0
    length: int = 0  # characters
    tokens: int = 0  # jieba tokens
    documents: int = 0  # documents with some live text

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.passages + other.passages,
            self.length + other.length,
            self.tokens + other.tokens,
            self.documents + other.documents,
        )


@dataclass(frozen=True)
class Counts:
    """One shard's document frequencies of a query's terms: per word, the live passages
    Whoosh's jieba postings hold it in (None: jieba never produced it here); per gram (words,
    bigrams), the live passages and the documents whose text holds it as written."""

    words: dict[str, int | None]
    passages: dict[str, int]
    documents: dict[str, int]


@dataclass(frozen=True)
class Shared:
    """Statistics of the whole collection, summed over shards."""

    totals: Totals
    words: dict[str, int | None]
    passages: dict[str, int]
    documents: dict[str, int]

    @classmethod
    def of(cls, totals: Iterable[Totals], counts: Sequence[Counts]) -> Shared:
        total = Totals()
        for t in totals:
            total = total + t
        words: dict[str, int | None] = {}
        for c in counts:
            for word, df in c.words.items():
                if df is not None:
                    words[word] = (words.get(word) or 0) + df
                else:
                    words.setdefault(word, None)
        return cls(
            total, words, _sum(c.passages for c in counts), _sum(c.documents for c in counts)
        )


def _sum(dicts: Iterable[dict[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in dicts:
        for key, value in d.items():
            out[key] = out.get(key, 0) + value
    return out


def totals(index: Any) -> Totals:
    """The sums of one index's live passages."""
    owners = np.asarray(index.docinfo[:, 0])
    lengths, tokens = index.lengths(), index.tokens
    alive = owners >= 0
    if not alive.all():  # deleted passages are left out (without deletions, no copies made)
        owners, lengths, tokens = owners[alive], lengths[alive], tokens[alive]
    documents = np.zeros(index.document_count(), dtype=bool)
    documents[owners[lengths > 0]] = True
    return Totals(
        len(owners), int(lengths.sum()), int(tokens.sum()), int(np.count_nonzero(documents))
    )


def counts(index: Any, words: Iterable[str], grams: Iterable[str]) -> Counts:
    """One index's document frequencies of ``words`` (jieba's and as written) and ``grams``
    (as written)."""
    doc_of = index.docinfo[:, 0]
    by_word: dict[str, int | None] = {}
    passages: dict[str, int] = {}
    documents: dict[str, int] = {}
    for word in words:
        found = index.word_postings(word)
        by_word[word] = None if found is None else len(found[0])
    for gram in [*by_word, *grams]:
        posting = index.matches(gram)
        passages[gram] = len(posting)
        owners = doc_of[posting]
        documents[gram] = len(unique(owners[owners >= 0]))
    return Counts(by_word, passages, documents)
