"""Issue #14: a sharded index (``index --shards N``) holds every document once, in the shard its
``doc_id`` hashes to, and answers exactly as one index of the same collection: the same hits,
order, scores, counts and file lists, searched as one view or shard by shard (the fan-out that
Ray actors run)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from search.errors import BadInput
from search.query.fanout import FanOut, InProcess
from search.query.plan import Options
from search.searching import Searcher
from search.store import shards
from search.store.sharded import update
from tests.conftest import write_corpus
from tests.test_reposts import ORIGINAL, OTHER, REPOST

QUERIES = [
    "消费",
    "以旧换新",
    "消费 活动",
    '"促消费活动"',
    "如何开展促消费活动带动销售额增长",
    "消费 issuer:商务部",
    "消费 date:2023",
    "消费 OR 外贸",
    "消费 NOT 活动",
    "汽车 锂电池 光伏",
    "灯",
    "5G",
    "不存在的词语",
    "以旧换新活动",
]
OPTIONS = [
    Options(),
    Options(limit=0),
    Options(limit=3, per_doc=1),
    Options(sort="date"),
    Options(distinct="file", limit=0),
    Options(explain=True),
    Options(strict=True),
    Options(collapse=True),
    Options(collapse=True, sort="date", per_doc=1),
]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The same collection as one index and as three shards: (one, sharded, corpus)."""
    root = tmp_path_factory.mktemp("shards")
    corpus = write_corpus(root)
    shutil.copytree(Path(__file__).parent.parent / "seeds", corpus / "seeds")
    extra = [
        {"id": f"rec-{i}", "title": f"第{i}号通知", "date": f"202{i % 5}-0{1 + i % 9}-1{i % 10}",
         "issuer": "国务院办公厅" if i % 2 else "商务部",
         "text": f"关于开展消费券发放活动的通知。\n第{i}批活动带动汽车消费。"}
        for i in range(12)
    ]  # fmt: skip
    lines = [json.dumps(r, ensure_ascii=False) for r in extra]
    (corpus / "more.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, text in (("notice", ORIGINAL), ("repost", REPOST), ("other", OTHER)):
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")  # reposts, in two shards
    one, three = root / "one", root / "three"
    update(one, [corpus])
    update(three, [corpus], count=3)
    return one, three, corpus


def _rows(result: object) -> list[tuple[object, ...]]:
    rows = []
    for h in result.hits:  # type: ignore[attr-defined]
        why = (h.explain.parts, h.explain.reranked) if h.explain else None
        why = (why, [(c.doc_id, c.path) for c in h.copies])
        where = (h.document.doc_id, h.document.path, h.passage.line, h.passage.paragraph)
        rows.append((h.rank, *where, h.spans, h.partial, why))
    return rows


def _scores(result: object) -> list[float]:
    return [h.score for h in result.hits]  # type: ignore[attr-defined]


def test_every_document_is_in_the_shard_its_doc_id_hashes_to(pair: tuple[Path, Path, Path]) -> None:
    _, three, _ = pair
    assert json.loads((three / "shards.json").read_text())["shards"] == 3
    seen: dict[str, int] = {}
    for k, folder in enumerate(shards.folders(three)):
        with Searcher(folder) as s:
            view = s.literal
            for n in range(view.document_count()):
                doc_id = view.document(n)["doc_id"]
                assert shards.shard_of(doc_id, 3) == k
                seen[doc_id] = seen.get(doc_id, 0) + 1
    assert len(seen) == 3 + 2 + 2 + 12 + 3  # files, two dumps (2 + 12), seeds, reposts
    assert set(seen.values()) == {1}
    with Searcher(pair[0]) as s:
        assert s.literal.document_count() == len(seen)


def test_shard_of_is_stable_blake2b() -> None:
    assert [shards.shard_of(d, 4) for d in ("news-001", "corpus/broken.txt", "")] == [
        shards.shard_of(d, 4) for d in ("news-001", "corpus/broken.txt", "")
    ]
    assert shards.shard_of("news-001", 1) == 0
    assert (
        shards.shard_of("news-001", 7)
        == int.from_bytes(__import__("hashlib").blake2b(b"news-001", digest_size=8).digest(), "big")
        % 7
    )


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: repr(o)[8:60])
def test_fan_out_ranks_exactly_as_one_index(
    pair: tuple[Path, Path, Path], options: Options
) -> None:
    one, three, _ = pair
    with (
        FanOut(InProcess(shards.folders(three)), three) as fan,
        Searcher(one) as single,
        Searcher(three) as joined,
    ):
        for query in QUERIES:
            want = single.search(query, options)
            for got in (fan.search(query, options), joined.search(query, options)):
                assert _rows(got) == _rows(want), query
                assert _scores(got) == pytest.approx(_scores(want), abs=1e-9, rel=0), query
                assert (got.total, got.strict_total) == (want.total, want.strict_total)
            assert fan.count(query, options) == single.count(query, options)


def test_reposts_in_two_shards_collapse_as_in_one_index(pair: tuple[Path, Path, Path]) -> None:
    _, three, _ = pair
    ids = ("corpus/notice.txt", "corpus/repost.txt")
    assert len({shards.shard_of(i, 3) for i in ids}) == 2  # the copies live in two shards
    with FanOut(InProcess(shards.folders(three)), three) as fan:
        got = fan.search("以旧换新活动", Options(collapse=True))
    [stands] = [h for h in got.hits if h.copies]
    assert (stands.document.doc_id, [c.doc_id for c in stands.copies]) == (ids[0], [ids[1]])


def test_a_question_uses_feedback_and_still_ranks_as_one_index(
    pair: tuple[Path, Path, Path],
) -> None:
    one, three, _ = pair
    query = "如何开展消费券发放活动带动汽车消费"
    with Searcher(one) as single:
        want = single.search(query, Options(explain=True))
    with FanOut(InProcess(shards.folders(three)), three) as fan:
        got = fan.search(query, Options(explain=True))
    kinds = {p.kind for h in want.hits for p in h.explain.parts}  # type: ignore[union-attr]
    assert {"feedback", "lead", "bigram"} <= kinds
    assert _rows(got) == _rows(want)
    assert _scores(got) == pytest.approx(_scores(want), abs=1e-9, rel=0)


def test_updates_route_each_document_to_its_shard(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path)
    one, three = tmp_path / "one", tmp_path / "three"
    update(one, [corpus])
    update(three, [corpus], count=3)
    (corpus / "broken.txt").unlink()
    (corpus / "new.txt").write_text("关于开展夜间消费节的通知\n\n举办夜间消费节。\n", "utf-8")
    dump = corpus / "news.jsonl"
    record = {"id": "news-003", "title": "新闻", "text": "夜间消费节开幕。"}
    dump.write_text(dump.read_text("utf-8") + json.dumps(record, ensure_ascii=False) + "\n")
    first = update(one)
    report = update(three)
    assert (report.added, report.changed, report.removed, report.unchanged) == (
        first.added, first.changed, first.removed, first.unchanged,
    ) == (1, 1, 1, 2)  # fmt: skip
    assert report.documents == first.documents
    with Searcher(one) as single, Searcher(three) as sharded:
        for query in ("夜间消费节", "以旧换新", "消费"):
            assert _rows(sharded.search(query)) == _rows(single.search(query))


def test_changing_the_shard_count_needs_a_rebuild(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path)
    folder = tmp_path / "index"
    update(folder, [corpus], count=2)
    with pytest.raises(BadInput) as caught:
        update(folder, count=3)
    assert str(caught.value) == (
        f"the index at {folder} has 2 shards; changing that rebuilds it "
        f"(govsearch index --rebuild --shards 3 --index {folder})"
    )
    update(folder, rebuild=True, count=3)
    assert shards.recorded(folder) == 3
    update(folder, rebuild=True, count=1)  # back to the plain layout
    assert not (folder / "shards.json").exists() and shards.recorded(folder) == 1
    with Searcher(folder) as s:
        assert [h.document.doc_id for h in s.search("以旧换新").hits][:1] == ["corpus/broken.txt"]


def test_the_command_line_indexes_in_shards_and_prints_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from search.cli import app

    runner = CliRunner()
    write_corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    done = runner.invoke(app, ["index", "corpus", "--index", "three", "--shards", "3"])
    assert done.exit_code == 0, done.stderr
    assert runner.invoke(app, ["index", "corpus", "--index", "one"]).exit_code == 0
    for query in (["灯"], ["消费", "--json"], ["消费", "-l"], ["消费", "-c"]):
        one = runner.invoke(app, ["search", *query, "--index", "one", "--color", "never"])
        three = runner.invoke(app, ["search", *query, "--index", "three", "--color", "never"])
        assert (three.exit_code, three.stdout) == (one.exit_code, one.stdout)
    again = runner.invoke(app, ["index", "--index", "three", "--shards", "2"])
    assert again.exit_code == 2
    assert again.stderr == (
        "govsearch: error: the index at three has 3 shards; changing that rebuilds it "
        "— govsearch index --rebuild --shards 2 --index three\n"
    )
    bad = runner.invoke(app, ["index", "--index", "three", "--shards", "0"])
    assert (bad.exit_code, bad.stderr) == (
        2,
        "govsearch: error: --shards 0 is not a shard count — give --shards 1 or more\n",
    )
    stats = runner.invoke(app, ["stats", "--index", "three", "--json"])
    held = [(s["name"], s["documents"], s["passages"]) for s in json.loads(stats.stdout)["shards"]]
    with Searcher(tmp_path / "one") as single:
        assert sum(d for _, d, _ in held) == single.literal.document_count() == 5
        assert sum(p for _, _, p in held) == len(single.literal.live())
    assert [name for name, _, _ in held] == ["shard-0", "shard-1", "shard-2"]


@pytest.mark.slow
@pytest.mark.parametrize("step", ["segment", "manifest", "toc"])
def test_a_sharded_build_killed_midway_is_completed_by_the_next_run(
    tmp_path: Path, step: str
) -> None:
    import os
    import subprocess
    import sys

    corpus = write_corpus(tmp_path)
    env = {**os.environ, "GOVSEARCH_FAULT": step}
    args = [sys.executable, "-m", "search", "index", str(corpus), "--shards", "3", "--index"]
    killed = subprocess.run([*args, str(tmp_path / "three")], env=env, capture_output=True)
    assert killed.returncode == 70  # faults.KILLED: died in the first shard's update
    # the same command again; after "toc" shard-0 has committed, and a refresh with no paths
    # takes its collection from it for every shard
    update(tmp_path / "three", None if step == "toc" else [corpus])
    update(tmp_path / "one", [corpus])
    with Searcher(tmp_path / "one") as single, Searcher(tmp_path / "three") as sharded:
        assert sharded.literal.document_count() == single.literal.document_count() == 5
        for query in ("消费", "以旧换新", "灯"):
            assert _rows(sharded.search(query)) == _rows(single.search(query))


def test_without_ray_the_ray_options_say_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    from typer.testing import CliRunner

    from search.cli import app

    write_corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a)
    )
    runner = CliRunner()
    assert runner.invoke(app, ["index", "corpus", "--shards", "2"]).exit_code == 0
    line = (
        "govsearch: error: Ray is not installed (shards on Ray, govsearch cluster) "
        "— pip install 'govsearch[cluster]'\n"
    )
    for args in (["search", "消费", "--ray", "local"], ["cluster", "status"]):
        done = runner.invoke(app, args)
        assert (done.exit_code, done.stderr) == (2, line)


def test_an_open_fan_out_searches_each_shard_s_newest_commit(tmp_path: Path) -> None:
    """A long-lived searcher (a Ray actor per shard in `cluster up`) sees later updates."""
    corpus = write_corpus(tmp_path)
    folder = tmp_path / "three"
    update(folder, [corpus], count=3)
    with FanOut(InProcess(shards.folders(folder)), folder) as fan:
        assert fan.count("夜间消费节开幕") == 0
        dump = corpus / "news.jsonl"
        record = {"id": "news-003", "title": "新闻", "text": "夜间消费节开幕。"}
        dump.write_text(dump.read_text("utf-8") + json.dumps(record, ensure_ascii=False) + "\n")
        update(folder)
        assert fan.count("夜间消费节开幕") == 1
        [hit] = fan.search("夜间消费节开幕", Options(strict=True)).hits
        assert (hit.document.doc_id, hit.passage.line) == ("news-003", 3)
