"""``--explain``: the parts of every hit's score add up to it, and say how it was computed."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from search.cli import app
from search.models import Hit
from search.query import bm25, score
from search.searching import Options, Searcher

QUERIES = [
    ("消费", Options(limit=0, per_doc=0)),  # one keyword
    ("新三样 出口", Options(limit=0)),  # keywords, relaxed to partial matches
    ('"品牌消费" 活动', Options(limit=0)),  # a phrase
    ("怎么促进夜间消费", Options(limit=0, per_doc=0)),  # a question: feedback, context, lead
    ("如何推动以旧换新活动", Options(limit=0)),
    ("title:通知 消费", Options(limit=0)),  # filters
    ("消费", Options(limit=0, issuer="商务部", since="2024")),
    ("消费 OR 出口 -夜经济", Options(limit=0, sort="date")),
]


def _hits(folder: Path, text: str, options: Options) -> list[Hit]:
    with Searcher(folder) as searcher:
        explained = Options(**{**options.__dict__, "explain": True})
        return searcher.search(text, explained).hits


@pytest.mark.parametrize(("text", "options"), QUERIES)
def test_parts_add_up_to_the_score(built: Path, text: str, options: Options) -> None:
    hits = _hits(built, text, options)
    assert hits
    for hit in hits:
        assert hit.explain is not None
        assert abs(sum(p.value for p in hit.explain.parts) - hit.explain.score) < 1e-9
        assert hit.explain.score == hit.score  # the hit carries the exact score
        assert hit.explain.whole_query is not hit.partial


def test_question_parts_cover_every_feature(built: Path) -> None:
    kinds = {
        (p.kind, p.field)
        for hit in _hits(built, "怎么促进夜间消费", Options(limit=0, per_doc=0))
        for p in hit.explain.parts  # type: ignore[union-attr]
    }
    assert kinds == {
        ("word", "text"),
        ("word", "title"),
        ("word", "document"),
        ("bigram", "text"),
        ("bigram", "document"),
        ("feedback", "text"),
        ("lead", ""),
    }


def test_each_bm25_part_is_weight_idf_saturation(built: Path) -> None:
    for text, options in QUERIES:
        for hit in _hits(built, text, options):
            assert hit.explain is not None
            k1, b = hit.explain.k1, hit.explain.b
            for p in hit.explain.parts:
                if p.kind in ("proximity", "lead"):
                    continue
                if p.field in ("title", "headings"):
                    assert math.isclose(p.value, p.weight * p.idf, abs_tol=1e-12)
                    continue
                norm = bm25.norm(p.length, p.average, b)
                expected = bm25.contribution(p.weight, p.idf, bm25.saturation(p.tf, norm, k1))
                assert math.isclose(p.value, expected, abs_tol=1e-12), (text, p)


def test_keywords_exact_parts(built: Path) -> None:
    first = _hits(built, "新三样 出口", Options(limit=1))[0]
    assert first.explain is not None
    assert (first.explain.whole_query, first.explain.together, first.explain.reranked) == (
        True,
        True,
        True,
    )
    idf2, idf3 = bm25.idf(2, 27), bm25.idf(3, 27)
    assert [
        (p.kind, p.field, p.term, p.tf, p.df, p.idf, p.length) for p in first.explain.parts
    ] == [
        ("word", "text", "新三样", 1.0, 2, idf2, 6.0),  # jieba words: length in tokens
        ("word", "title", "新三样", 1.0, 2, idf2, 0.0),
        ("word", "text", "出口", 1.0, 3, idf3, 6.0),
        ("word", "title", "出口", 1.0, 3, idf3, 0.0),
        ("proximity", "text", "新三样 出口", 0.0, 0, 0.0, 0.0),
    ]
    assert first.explain.parts[-1].value == 1.0  # written together: gap 0
    assert first.explain.parts[-1].gap == 0


def test_beyond_the_reranked_pool_each_word_counts_once(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(score, "RERANK", 1)
    hits = _hits(built, "消费", Options(limit=0, per_doc=0))
    assert [h.explain.reranked for h in hits if h.explain] == [True] + [False] * 7
    for hit in hits[1:]:
        assert hit.explain is not None
        assert {p.tf for p in hit.explain.parts} == {1.0}
        assert abs(sum(p.value for p in hit.explain.parts) - hit.explain.score) < 1e-9


runner = CliRunner()


def test_terminal_tree(built: Path) -> None:
    result = runner.invoke(
        app,
        [
            "search",
            "新三样 出口",
            "-n",
            "1",
            "--explain",
            "--color",
            "never",
            "--index",
            str(built),
        ],
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines()[2:] == [
        "    score 7.2976 = the parts below; ordered first by whole query, keywords together",
        "    ├─  2.6597  word      新三样      text     tf 1 · df 2 · idf 2.416 · weight 1 · "
        "length 6/9.0",
        "    ├─  0.7248  word      新三样      title    df 2 · idf 2.416 · weight 0.3",
        "    ├─  2.2893  word      出口        text     tf 1 · df 3 · idf 2.079 · weight 1 · "
        "length 6/9.0",
        "    ├─  0.6238  word      出口        title    df 3 · idf 2.079 · weight 0.3",
        "    └─  1.0000  proximity 新三样 出口 weight 1 · gap 0",
        "",
    ]


def test_json_explain_object(built: Path) -> None:
    result = runner.invoke(
        app, ["search", "消费", "-n", "1", "--json", "--explain", "--index", str(built)]
    )
    assert result.exit_code == 0
    hit = json.loads(result.stdout)
    explain = hit["explain"]
    assert hit["schema_version"] == 1
    assert {k: v for k, v in explain.items() if k not in ("score", "parts")} == {
        "whole_query": True,
        "together": None,
        "reranked": True,
        "k1": 1.2,
        "b": 0.5,
    }
    assert round(explain["score"], 4) == hit["score"]
    assert [(p["kind"], p["field"], p["term"], sorted(p)) for p in explain["parts"]] == [
        (
            "word",
            "text",
            "消费",
            sorted(
                [
                    "kind",
                    "field",
                    "term",
                    "value",
                    "tf",
                    "df",
                    "idf",
                    "weight",
                    "length",
                    "average_length",
                ]
            ),
        ),
        (
            "word",
            "title",
            "消费",
            sorted(["kind", "field", "term", "value", "df", "idf", "weight"]),
        ),
    ]
    assert explain["parts"][0]["tf"] == 2
    assert abs(sum(p["value"] for p in explain["parts"]) - explain["score"]) < 1e-9


def test_without_explain_no_explain_object(built: Path) -> None:
    result = runner.invoke(app, ["search", "消费", "-n", "1", "--json", "--index", str(built)])
    assert "explain" not in json.loads(result.stdout)


@pytest.mark.parametrize("flag", ["-c", "-l"])
def test_explain_with_count_or_files_is_refused(built: Path, flag: str) -> None:
    result = runner.invoke(app, ["search", "消费", flag, "--explain", "--index", str(built)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "govsearch: error: --explain shows the parts of each hit's score — drop -l/-c\n"
    )
