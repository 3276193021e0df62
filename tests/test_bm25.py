"""The ranking math on small arrays, with exact expected values: idf, length normalisation,
saturation, field weights and the tiers that order hits before their score."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np

from search.query import bm25
from search.query.plan import Ranking
from search.query.score import Ranker, Weights, best_first, tiers
from search.store.reader import open_view
from search.store.view import IndexView


def test_idf() -> None:
    assert bm25.idf(1, 3) == math.log(1 + 2.5 / 1.5)
    assert bm25.idf(5, 10) == math.log(2.0)
    assert bm25.idf(10, 10) == math.log(1 + 0.5 / 10.5)  # held everywhere: small, not negative
    assert bm25.idf(1, 100) > bm25.idf(2, 100) > bm25.idf(50, 100) > 0


def test_norm_and_saturation() -> None:
    lengths = np.array([10.0, 20.0, 40.0])
    assert bm25.norm(lengths, 20.0, 0.5).tolist() == [0.75, 1.0, 1.5]
    assert bm25.norm(lengths, 20.0, 0.0).tolist() == [1.0, 1.0, 1.0]
    tf = np.array([1.0, 2.0, 0.0])
    # tf (k1 + 1) / (tf + k1 norm) with k1 = 1.2, norm 1: 2.2 / 2.2, 4.4 / 3.2, 0
    assert bm25.saturation(tf, 1.0, 1.2).tolist() == [1.0, 4.4 / 3.2, 0.0]
    assert bm25.saturation(1.0, 0.75, 1.0) == 2.0 / 1.75
    assert bm25.saturation(1e9, 1.0, 1.2) < 2.2  # never beyond k1 + 1


def test_contribution_is_weight_times_idf_times_saturation() -> None:
    assert bm25.contribution(0.5, 2.0, 1.5) == 1.5
    scores = bm25.contribution(0.3, 2.0, np.array([1.0, 0.5]))
    assert scores.tolist() == [0.3 * 2.0 * 1.0, 0.3 * 2.0 * 0.5]


def test_tiers_order_before_the_score() -> None:
    whole = np.array([True, True, False, True])
    together = np.array([1, 0, 1, 0])
    assert tiers(whole).tolist() == [1, 1, 0, 1]
    assert tiers(whole, together).tolist() == [3, 2, 1, 2]
    tier = tiers(whole, together)
    score = np.array([0.1, 9.0, 99.0, 9.0])
    place = np.array([3, 2, 1, 0])
    # tier 3 first however low its score; equal tier and score: collection order
    assert best_first(tier, score, place).tolist() == [0, 3, 1, 2]


def _presence(literal: IndexView, word: str, weights: Weights) -> np.ndarray:
    ranker = Ranker(literal, weights)
    candidates = literal.live()
    return ranker.presence(candidates, Ranking((word,), (word,), ()), None)


def test_field_weights_add_weight_times_idf(built: Path) -> None:
    _, literal = open_view(built)
    try:
        base = Weights(title=0.0, headings=0.0)
        # 通知 is in the title of the GBK notice (a document title) and in its passages
        plain = _presence(literal, "通知", base)
        titled = _presence(literal, "通知", replace(base, title=1.0))
        idf = bm25.idf(len(literal.matches("通知")), len(literal.live()))
        docs = literal.docinfo[literal.live(), 0]
        in_title = np.isin(docs, literal.titles.matches("通知"))
        assert in_title.sum() > 0
        assert np.allclose(titled - plain, np.where(in_title, idf, 0.0), rtol=0, atol=1e-12)
        # 外贸形势 is a section heading of pages.md: its passage gets headings × idf
        plain = _presence(literal, "外贸", base)
        headed = _presence(literal, "外贸", replace(base, headings=0.5))
        idf = bm25.idf(len(literal.matches("外贸")), len(literal.live()))
        under = np.isin(literal.live(), literal.headings.matches("外贸"))
        assert under.sum() == 1
        assert np.allclose(headed - plain, np.where(under, 0.5 * idf, 0.0), rtol=0, atol=1e-12)
    finally:
        literal.close()
