"""Speed without a change of answers (#10, #11): the fast JSON Lines writer gives the contract's
bytes, passages read a batch at a time are the passages read one by one, ``stats`` counts live
documents only, and an index of the previous schema is refused."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from search import render
from search.errors import IndexOutdated
from search.jsonlines import HitLines
from search.models import Document, Hit, Passage, Span
from search.searching import Options, Searcher
from search.stats import collect
from search.store.writer import update

HOSTILE = Hit(
    3,
    1.234567,
    Document('a"b', "x\\y.txt", "t\x1b[31m\u202e", "", "某局", "", "", "txt"),
    Passage('a"b', 2, 7, 8, "文\u0085本\n\t", ("一", "二\u2028"), ((2, 8),), True),
    (Span(0, 1), Span(2, 3)),
    True,
    ("文", "本"),
)


def test_hostile_hit_line_exact() -> None:
    out = io.StringIO()
    render.write_jsonl([HOSTILE], out, qid="q\u2029")
    assert out.getvalue() == (
        '{"qid": "q\\u2029", "schema_version": 1, "rank": 3, "score": 1.2346, '
        '"doc_id": "a\\"b", "path": "x\\\\y.txt", "line": 7, "end_line": 8, "match_line": 7, '
        '"paragraph": 2, "location": "x\\\\y.txt:7", "title": "t\\u001b[31m\\u202e", '
        '"date": null, "issuer": "某局", "doc_number": null, "url": null, '
        '"headings": ["一", "二\\u2028"], "text": "文\\u0085本\\n\\t", "spans": [[0, 1], [2, 3]], '
        '"partial": true, "matched": ["文", "本"], "ocr": true}\n'
    )
    assert out.getvalue() == render.json_line(render.hit_object(HOSTILE, "q\u2029")) + "\n"


def test_lines_are_the_hit_objects(built: Path) -> None:
    """Every hit of keyword, phrase, relaxed and question queries, with and without a qid."""
    lines = HitLines()
    written = 0
    with Searcher(built) as searcher:
        for query in ("消费", "以旧换新 带动", '"新三样"', "消费 不存在的词", "怎么促消费?"):
            for hit in searcher.search(query, Options(limit=0, per_doc=0)).hits:
                assert lines(hit) == render.json_line(render.hit_object(hit))
                assert lines(hit, "7") == render.json_line(render.hit_object(hit, "7"))
                written += 1
    assert written == 21


def test_batched_passages_are_single_reads(tmp_path: Path) -> None:
    """Texts whose original differs from the normalised one (full-width punctuation), lines
    joined and headings, read in any order and any batch, as one at a time."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(
        "# 总则\n\n第一条（目的）：为了规范，制定本法。\n\n第二条 １００％适用，\n"
        "跨行的句子。\n\n## 附则\n\n第三条 本法自公布之日起施行。\n",
        encoding="utf-8",
    )
    (corpus / "b.txt").write_text("普通的一段话。\n\n另一段：含（括号）。\n", encoding="utf-8")
    update(tmp_path / "index", [corpus])
    with Searcher(tmp_path / "index") as searcher:
        view = searcher.literal
        numbers = np.array([5, 0, 3, 6, 3, 1, 4, 2], dtype=np.int64)
        assert [view.passage(int(n)) for n in numbers] == view.read_passages(numbers)
        texts = [p.text for p, _ in view.read_passages(np.arange(view.doc_count))]
        norms = [n for _, n in view.read_passages(np.arange(view.doc_count))]
    assert texts == [
        "总则",
        "第一条（目的）：为了规范，制定本法。",
        "第二条 １００％适用，跨行的句子。",
        "附则",
        "第三条 本法自公布之日起施行。",
        "普通的一段话。",
        "另一段：含（括号）。",
    ]
    assert norms[1] == "第一条(目的):为了规范,制定本法。"


def test_stats_count_live_documents_only(fresh: tuple[Path, Path]) -> None:
    """``stats`` reads the documents' metadata a segment at a time, skipping deleted ones."""
    corpus, folder = fresh
    update(folder, [corpus])
    (corpus / "broken.txt").unlink()
    update(folder, [corpus])
    with Searcher(folder) as searcher:
        found = collect(searcher)
    assert (found.documents, found.passages) == (4, 21)
    assert found.by_issuer == (("商务部", 1), ("国务院", 1), ("沈阳市商务局", 1), ("", 1))
    assert found.by_year == (("2024", 1), ("2023", 2), ("", 1))


def test_an_index_of_the_previous_schema_says_rebuild(fresh: tuple[Path, Path]) -> None:
    """Schema 8 codes n-gram gaps in variable-length bytes: an older index is refused, with the
    fix."""
    corpus, folder = fresh
    update(folder, [corpus])
    [manifest] = folder.glob("manifest-*.json")
    fields = json.loads(manifest.read_text(encoding="utf-8"))
    assert fields["schema_version"] == 8
    manifest.write_text(json.dumps({**fields, "schema_version": 5}), encoding="utf-8")
    with pytest.raises(IndexOutdated) as raised:
        Searcher(folder)
    assert raised.value.message == (
        f"the index at {folder} was built with another analysis (schema 5 → 8)"
    )
    assert raised.value.hint == f"rebuild it: govsearch index --rebuild --index {folder}"
    update(folder, [corpus], rebuild=True)
    with Searcher(folder) as searcher:
        assert searcher.search("灯").total == 1


def _lines(stream: object, split_from: int, monkeypatch: pytest.MonkeyPatch) -> str:
    from search import jsonlines

    monkeypatch.setattr(jsonlines, "SPLIT_FROM", split_from)
    out = io.StringIO()
    jsonlines.write_stream(stream, out)
    return out.getvalue()


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="fork: POSIX only")
def test_a_long_list_written_by_two_processes_is_the_same_lines(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    forks: list[int] = []
    real_fork = os.fork

    def counted() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", counted)
    monkeypatch.setattr("search.jsonlines._two_cores", lambda: True)
    with Searcher(built) as searcher:
        one = _lines(searcher.stream("消费", Options(limit=0)), 10**9, monkeypatch)
        assert forks == []
        two = _lines(searcher.stream("消费", Options(limit=0)), 2, monkeypatch)
        assert forks == [1]
    ranks = [json.loads(line)["rank"] for line in two.splitlines()]
    assert ranks == list(range(1, 9))  # 8 passages hold 消费: four in each process
    assert two == one


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="fork: POSIX only")
def test_when_the_second_process_fails_the_first_writes_its_half(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses
    import os

    parent = os.getpid()
    monkeypatch.setattr("search.jsonlines._two_cores", lambda: True)
    with Searcher(built) as searcher:
        one = _lines(searcher.stream("消费", Options(limit=0)), 10**9, monkeypatch)
        stream = searcher.stream("消费", Options(limit=0))
        part = stream.part
        assert part is not None

        def failing(lo: int, hi: int) -> object:
            if os.getpid() != parent:
                raise OSError("no space left on device")
            return part(lo, hi)

        two = _lines(dataclasses.replace(stream, part=failing), 2, monkeypatch)
    assert two == one


def test_without_a_temporary_file_one_process_writes_every_line(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    def no_room() -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("search.jsonlines._two_cores", lambda: True)
    with Searcher(built) as searcher:
        one = _lines(searcher.stream("消费", Options(limit=0)), 10**9, monkeypatch)
        monkeypatch.setattr(tempfile, "TemporaryFile", no_room)
        two = _lines(searcher.stream("消费", Options(limit=0)), 2, monkeypatch)
    assert two == one and len(two.splitlines()) == 8
