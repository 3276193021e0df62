"""The query path's stages, each on its own: plan, relax, match, collect; the analyzer as a
value (no process state), and the tokenizer still unpickled under its old name."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np

from search import analysis
from search.analyzer import Analyzer
from search.query import And, DateRange, Term, parse
from search.query.collect import collect
from search.query.match import match
from search.query.plan import Options, Plan, Ranking, Relaxed, plan, ranking, relax
from search.query.score import Scored
from search.searching import Searcher


def test_plan_of_keywords_phrase_and_filters() -> None:
    node = parse('以旧换新 "家电" title:通知')
    planned = plan(node, Options(issuer="商务厅", since="2023"))
    issuer, dates = Term("商务厅", "issuer"), DateRange("2023-01-01", "")
    assert planned == Plan(
        node=node,
        filters=(issuer, dates),
        required=And((node, issuer, dates)),
        terms=("以旧换新", "家电"),
        want=10,
        relaxable=True,
        kept=(issuer, dates, Term("家电", phrase=True), Term("通知", "title")),
        keywords=("以旧换新",),
    )
    assert not plan(parse("消费 OR 补贴"), Options()).relaxable
    assert not plan(parse("消费 -补贴"), Options()).relaxable
    assert not plan(parse("消费"), Options(strict=True)).relaxable


def test_relax_drops_stop_words_and_knows_a_question() -> None:
    rjieba = Analyzer()
    question = relax(plan(parse("怎么促进夜间消费"), Options()), rjieba)
    assert question == Relaxed(
        units=("促进", "夜间", "消费"),
        words=("怎么", "促进", "夜间", "消费", "怎么促进夜间消费"),
        question=True,
    )
    keywords = relax(plan(parse("夜间 消费"), Options()), rjieba)
    assert keywords == Relaxed(("夜间", "消费"), ("夜间", "消费"), False)
    planned = plan(parse("怎么促进夜间消费"), Options())
    assert ranking(planned, question) == Ranking(
        ("怎么促进夜间消费",),
        question.words,
        ("怎么", "么促", "促进", "进夜", "夜间", "间消", "消费"),
    )
    assert ranking(planned, None) == Ranking(("怎么促进夜间消费",), ("怎么促进夜间消费",), ())


def test_match_puts_full_matches_first(built: Path) -> None:
    with Searcher(built) as searcher:
        planned = plan(parse("新三样 出口"), Options())
        matched = match(planned, searcher.literal, searcher.analyzer)
    assert matched.full == 2
    assert len(matched.passages) == 3
    assert matched.whole().tolist() == [True, True, False]
    assert matched.relaxed == Relaxed(("新三样", "出口"), ("新三样", "出口"), False)


class _Index:
    """Four documents; documents 0 and 1 come from the same source file."""

    def __init__(self) -> None:
        self.docinfo = np.array([[0], [0], [0], [1], [2], [3], [0]])
        self.docs = [["a.jsonl\x1fx"], ["a.jsonl\x1fy"], ["b.txt\x1fb.txt"], ["c.txt\x1fc.txt"]]
        self.document_heads = np.arange(4)  # no document split across segments

    def document_sources(self) -> np.ndarray:
        """Per document, a number for its source file (documents 0 and 1: one file)."""
        return np.array([0, 0, 1, 2])

    def dates(self) -> np.ndarray:
        return np.array([20230101, 20230101, 20230101, 20240101, 0, 20220101, 20230101])


def _scored() -> Scored:
    passages = np.array([0, 1, 2, 3, 4, 5, 6])
    scores = np.array([7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0])
    partial = np.array([False, False, False, False, False, True, True])
    return Scored(passages, scores, partial)


def test_collect_caps_sorts_and_keeps_one_per_document_or_file() -> None:
    index = _Index()
    capped = collect(_scored(), Options(limit=5, per_doc=2), index)
    assert capped.passages.tolist() == [0, 1, 3, 4, 5]  # passage 2: a third of document 0
    assert capped.scores.tolist() == [7.0, 6.0, 4.0, 3.0, 2.0]
    assert capped.partial.tolist() == [False, False, False, False, True]
    every = collect(_scored(), Options(limit=0, per_doc=2), index)
    assert every.passages.tolist() == [0, 1, 3, 4, 5, 2, 6]
    by_date = collect(_scored(), Options(limit=0, per_doc=0, sort="date"), index)
    assert by_date.passages.tolist() == [3, 0, 1, 2, 4, 6, 5]  # full matches first, newest first
    one_each = collect(_scored(), Options(limit=0, distinct="document"), index)
    assert one_each.passages.tolist() == [0, 3, 4, 5]
    files = collect(_scored(), Options(limit=2, per_doc=0, distinct="file"), index)
    assert files.passages.tolist() == [0, 4]  # a.jsonl once although it holds documents 0 and 1


def test_tokenizer_imports_no_process_state_and_unpickles_under_both_names() -> None:
    code = (
        "import sys, search.tokenizer; "
        "print('search.analysis' in sys.modules, 'search.analysis' in str(sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "False False\n"
    from search.tokenizer import JiebaTokenizer

    tokenizer = JiebaTokenizer("rjieba", "")
    assert [t.text for t in tokenizer("促消费")] == ["消费", "促消费"]
    assert b"_analyzer" not in pickle.dumps(tokenizer)  # the loaded segmenter is not pickled
    restored = pickle.loads(pickle.dumps(tokenizer))
    assert (restored.engine, restored.userdict) == ("rjieba", "")
    assert analysis.JiebaTokenizer is JiebaTokenizer
    assert pickle.loads(_pickled_as("search.analysis")).engine == "rjieba"


def _pickled_as(module: str) -> bytes:
    """A tokenizer pickled under ``module`` (as indexes written by older versions hold it)."""
    return pickle.dumps(_Named(module))


class _Named:
    def __init__(self, module: str) -> None:
        self.module = module

    def __reduce__(self) -> tuple[object, ...]:
        import importlib

        cls = importlib.import_module(self.module).JiebaTokenizer
        return (cls, ("rjieba", ""))


def test_stream_reads_hits_as_they_are_iterated(built: Path) -> None:
    with Searcher(built) as searcher:
        listed = searcher.search("消费", Options(limit=0, per_doc=0))
        stream = searcher.stream("消费", Options(limit=0, per_doc=0))
        assert (stream.total, stream.strict_total) == (listed.total, listed.strict_total) == (8, 8)
        first = next(stream.hits)
        assert first == listed.hits[0]
        assert [first, *stream.hits] == listed.hits
        assert list(stream.hits) == []  # read once
