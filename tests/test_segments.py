"""The index in segments: results that do not depend on how it was built, updates that touch
only what changed (record by record in a JSON Lines dump), merges, and older indexes."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from search.errors import IndexOutdated
from search.searching import Options, Searcher
from search.store import build, merge
from search.store.manifest import Manifest
from search.store.reader import read_toc
from search.store.writer import update

WORDS = (
    "消费 补贴 以旧换新 夜经济 家电 汽车 首店 通知 国务院 商务部 发展 活动 群众 城市 数字".split()
)
QUERIES = [
    "消费",
    "以旧换新 家电",
    '"促消费"',
    "夜经济 OR 首店",
    "消费 -汽车",
    "title:通知 补贴",
    "家电以旧换新补贴怎么申请",  # a typed question: relaxed fallback, feedback, lead bonus
    "消费 date:2023",
]


@pytest.fixture
def small_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments of a few hundred characters, merged eight at a time: every update of the
    small fixtures makes, merges and deletes in several segments."""
    monkeypatch.setattr(build, "FLUSH_CHARS", 300)
    monkeypatch.setattr(merge, "MAX_CHARS", 100_000)


def _text(rng: random.Random, n: int) -> str:
    lines = []
    for k in range(n):
        words = rng.choices(WORDS, k=rng.randint(3, 9))
        lines.append(f"第{k + 1}条" + "，".join(words) + "，促消费。")
    return "\n".join(lines) + "\n"


def _record(rng: random.Random, i: int) -> str:
    text = _text(rng, rng.randint(1, 4)).strip()
    return json.dumps(
        {
            "id": f"r{i}",
            "title": f"关于{rng.choice(WORDS)}的通知",
            "date": f"2023-0{i % 9 + 1}-01",
            "issuer": rng.choice(["商务部", "国务院"]),
            "text": text,
        },
        ensure_ascii=False,
    )


def _file(rng: random.Random, i: int) -> str:
    return f"关于{rng.choice(WORDS)}工作的通知\n\n" + _text(rng, rng.randint(2, 6))


def _results(folder: Path) -> dict[str, list[tuple[str, int, int, float, bool]]]:
    out = {}
    with Searcher(folder) as searcher:
        for q in QUERIES:
            hits = searcher.search(q, Options(limit=0, per_doc=0)).hits
            out[q] = [
                (h.document.doc_id, h.passage.paragraph, h.passage.line, h.score, h.partial)
                for h in hits
            ]
    return out


def _same(
    a: dict[str, list[tuple[str, int, int, float, bool]]],
    b: dict[str, list[tuple[str, int, int, float, bool]]],
) -> None:
    assert a.keys() == b.keys()
    for q in a:
        assert [x[:3] + x[4:] for x in a[q]] == [x[:3] + x[4:] for x in b[q]], q
        for x, y in zip(a[q], b[q], strict=True):
            assert abs(x[3] - y[3]) <= 1e-9, (q, x, y)


@pytest.mark.slow
def test_one_run_and_twenty_updates_give_the_same_results(
    tmp_path: Path, small_segments: None
) -> None:
    rng = random.Random(7)
    files = {f"f{i:02d}.txt": _file(rng, i) for i in range(24)}
    records = [_record(rng, i) for i in range(30)]
    final = tmp_path / "one" / "corpus"  # doc_ids are paths relative to the index's parent:
    final.mkdir(parents=True)  # both indexes name their files corpus/…
    for name, body in files.items():
        (final / name).write_text(body, encoding="utf-8")
    (final / "dump.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    one = tmp_path / "one" / "index"
    update(one, [final])

    growing = tmp_path / "grow" / "corpus"
    growing.mkdir(parents=True)
    many = tmp_path / "grow" / "index"
    names = list(files)
    steps = 0
    for batch in range(10):  # 10 updates adding files and records, some first written wrong
        for name in names[batch * 2 : batch * 2 + 2]:
            body = files[name] if batch % 3 else _file(rng, 99)
            (growing / name).write_text(body, encoding="utf-8")
        (growing / f"gone{batch}.txt").write_text(_file(rng, batch), encoding="utf-8")
        dump = records[: 3 * (batch + 1)]
        if batch == 4:
            dump[2] = _record(rng, 2)  # a record changed in place, changed back later
        (growing / "dump.jsonl").write_text("\n".join(dump) + "\n", encoding="utf-8")
        update(many, [growing])
        steps += 1
    for batch in range(10):  # 10 updates: wrong versions corrected, extra files deleted
        (growing / f"gone{batch}.txt").unlink()
        for name in names[batch * 2 : batch * 2 + 2]:
            (growing / name).write_text(files[name], encoding="utf-8")
        if batch == 9:
            for name in names[20:]:
                (growing / name).write_text(files[name], encoding="utf-8")
        (growing / "dump.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
        update(many, [growing])
        steps += 1
    assert steps == 20
    assert sorted(p.name for p in growing.iterdir()) == sorted(p.name for p in final.iterdir())
    assert len(read_toc(many, Manifest.load(many).generation)) > 1  # type: ignore[union-attr]
    a, b = _results(one), _results(many)
    assert sum(len(v) for v in a.values()) > 100
    _same(a, b)


def test_appending_to_a_dump_reads_only_the_new_records(
    fresh: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    dump = corpus / "news.jsonl"
    extra = {"id": "news-003", "title": "新增", "text": "夜间消费节开幕。"}
    with dump.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(extra, ensure_ascii=False) + "\n")
    read: list[set[int]] = []
    original = build.documents.read_records

    def spy(path: Path, display: str, lines: set[int], keep: object = None) -> object:
        read.append(set(lines))
        return original(path, display, lines, keep)  # type: ignore[arg-type]

    monkeypatch.setattr(build.documents, "read_records", spy)
    report = update(folder)
    assert (report.changed, report.added, report.documents, report.passages) == (1, 0, 6, 28)
    assert read == [{3}]
    with Searcher(folder) as searcher:
        hits = searcher.search("消费节开幕", Options(strict=True)).hits
        assert [(h.document.doc_id, h.passage.line) for h in hits] == [("news-003", 3)]
        assert [
            h.document.doc_id for h in searcher.search("促消费稳增长", Options(strict=True)).hits
        ] == ["news-001"]


def test_a_changed_record_replaces_its_old_version(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    dump = corpus / "news.jsonl"
    lines = dump.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["text"] = "国务院部署推进夜经济。"
    lines[0] = json.dumps(record, ensure_ascii=False)
    dump.write_text("\n".join(lines[:1]) + "\n", encoding="utf-8")  # record 2 removed
    report = update(folder)
    assert (report.changed, report.documents) == (1, 4)
    with Searcher(folder) as searcher:
        assert searcher.search("促消费稳增长", Options(strict=True)).hits == []
        assert searcher.search("3折消费月", Options(strict=True)).hits == []
        assert [
            h.document.doc_id for h in searcher.search("推进夜经济", Options(strict=True)).hits
        ] == ["news-001"]


def test_merges_keep_every_passage_and_drop_deleted_ones(
    fresh: tuple[Path, Path], small_segments: None
) -> None:
    corpus, folder = fresh
    for i in range(12):
        (corpus / f"n{i}.txt").write_text(f"第{i}号通知\n\n灯光{i}号工程推进。\n", encoding="utf-8")
    update(folder, [corpus])
    for i in range(6):
        (corpus / f"n{i}.txt").unlink()
    update(folder)
    manifest = Manifest.load(folder)
    assert manifest is not None
    segments = read_toc(folder, manifest.generation)
    live = sum(s.doc_count() for s in segments)
    assert live == sum(f["passages"] for f in manifest.files.values()) == 27 + 6 * 2
    with Searcher(folder) as searcher:
        hits = searcher.search("号工程", Options(limit=0)).hits
        assert sorted(h.document.doc_id for h in hits) == sorted(
            f"corpus/n{i}.txt" for i in range(6, 12)
        )
        assert searcher.search("灯", Options(limit=0, strict=True)).total == 7
    # a search reads the commit's segments from the manifest: the same as Whoosh's TOC
    assert manifest.segments == [
        [s.segment_id(), s.doc_count_all(), sorted(s.deleted_docs())] for s in segments
    ]
    assert any(deleted for _, _, deleted in manifest.segments)
    files = {p.name for p in folder.iterdir()}
    ids = {s.segment_id() for s in segments}
    assert {n.split(".")[0] for n in files if n.startswith("passages_") and "." in n} == ids


def test_an_index_of_an_older_version_says_rebuild(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    folder.mkdir()
    (folder / "manifest.json").write_text('{"schema_version": 4}', encoding="utf-8")
    (folder / "literal-3").mkdir()
    with pytest.raises(IndexOutdated, match="older govsearch"):
        Searcher(folder)
    with pytest.raises(IndexOutdated, match="older govsearch"):
        update(folder, [corpus])
    report = update(folder, [corpus], rebuild=True)
    assert report.added == 4
    with Searcher(folder) as searcher:
        assert searcher.search("灯").total == 1


def test_searching_writes_nothing(built: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in built.iterdir()}
    with Searcher(built) as searcher:
        searcher.search("消费")
    assert {p.name: p.stat().st_mtime_ns for p in built.iterdir()} == before


def test_a_dump_that_became_unreadable_leaves_no_record_behind(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    dump = corpus / "news.jsonl"
    # valid UTF-8, so it is updated record by record, but control characters: not text, so
    # reading its records fails as a whole
    dump.write_bytes(dump.read_bytes() + b"\x00\x01\x02" * 200 + b"\n")
    report = update(folder)
    assert [line.split(": ", 1)[0] for line in report.failed] == ["corpus/news.jsonl"]
    assert report.documents == 3
    with Searcher(folder) as searcher:
        assert searcher.search("促消费稳增长", Options(strict=True)).hits == []
        assert searcher.search("3折消费月", Options(strict=True)).hits == []


def test_documents_are_found_by_id_and_by_file_without_decoding_every_one(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    ids = ['a"1', "政-2,", "[3]", 'a"1']  # quotes, commas, brackets; an id used twice
    lines = [
        json.dumps({"id": i, "text": f"第{n}条通知。"}, ensure_ascii=False)
        for n, i in enumerate(ids)
    ]
    (corpus / "d.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (corpus / "e.txt").write_text("另一份通知。\n", encoding="utf-8")
    update(tmp_path / "index", [corpus])
    with Searcher(tmp_path / "index") as searcher:
        view = searcher.literal
        assert [view.document(n)["doc_id"] for n in view.documents_with_id('a"1')] == ['a"1'] * 2
        assert [searcher.literal.text(p) for p in searcher.passages_of("政-2,")] == ["第1条通知。"]
        assert searcher.passages_of("政-2") == []
        in_dump = view.documents_from(lambda source: source.endswith("d.jsonl"))
        assert sorted(view.document(n)["doc_id"] for n in in_dump) == sorted(ids)
        sources = view.document_sources()
        assert len(set(sources[in_dump].tolist())) == 1 and len(set(sources.tolist())) == 2


def test_an_update_that_only_adds_deletes_nothing(
    fresh: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from whoosh.writing import SegmentWriter

    corpus, folder = fresh
    update(folder, [corpus])
    deleted: list[tuple[str, str]] = []
    original = SegmentWriter.delete_by_term

    def spy(self: SegmentWriter, field: str, text: str, searcher: object = None) -> int:
        deleted.append((field, text))
        return original(self, field, text, searcher)

    monkeypatch.setattr(SegmentWriter, "delete_by_term", spy)
    (corpus / "new.txt").write_text("新增的通知。\n", encoding="utf-8")
    assert update(folder).added == 1
    assert deleted == []  # nothing of a new file can be in the index: no reader is opened
    (corpus / "new.txt").write_text("改过的通知。\n", encoding="utf-8")
    assert update(folder).changed == 1
    assert deleted == [("source", str((corpus / "new.txt").resolve()))]


def test_a_jieba_word_ranks_by_whoosh_and_a_fragment_by_its_literal_counts(built: Path) -> None:
    from whoosh import index as windex

    from search.store.manifest import INDEX_NAME

    with Searcher(built) as searcher:
        view, ranker = searcher.literal, searcher.ranker
        live = view.live()
        posting, freqs, lengths, average = ranker.word_stats("消费", live)
        with windex.open_dir(str(built), INDEX_NAME).searcher() as whoosh:
            assert len(posting) == whoosh.doc_frequency("text", "消费")  # nothing deleted here
        assert freqs is not None and lengths.tolist() == view.tokens[live].tolist()
        assert average == ranker.avg_tokens
        # 费稳 stands in 促消费稳增长 but is no jieba token: counted as written, in characters
        posting, freqs, lengths, average = ranker.word_stats("费稳", live)
        assert freqs is None and [view.text(p) for p in posting] == [
            "会议指出,要持续扩大内需,促消费稳增长。"
        ]
        assert lengths.tolist() == view.lengths()[live].tolist() and average == ranker.avgdl


def test_columns_are_made_per_segment_with_deletions_and_places_alone_match_the_whole(
    tmp_path: Path, small_segments: None
) -> None:
    corpus, folder = tmp_path / "notices", tmp_path / "index"
    corpus.mkdir()
    for i in range(9):  # three updates: three segments
        (corpus / f"c{i}.txt").write_text(
            f"第{i}号通知\n\n一段{i}。\n\n二段{i}。\n", encoding="utf-8"
        )
        if i % 3 == 2:
            update(folder, [corpus])
    (corpus / "c4.txt").unlink()
    update(folder)
    with Searcher(folder) as searcher:
        view = searcher.literal
        assert len(view.parts) > 1
        owners = view.docinfo[:, 0]
        assert (owners < 0).sum() == 3  # c4.txt's three passages, deleted
        order = view.collection_order()
        live = view.live()
        # live passages in collection order: the files by name, each from its first paragraph
        shown = [view.passage(int(n))[0].text for n in live[np.argsort(order[live])]]
        assert shown[:4] == ["第0号通知", "一段0。", "二段0。", "第1号通知"]
        assert len(shown) == 24
        some = np.array([live[-1], live[0], live[5]])
        assert view.places(some).tolist() == order[some].tolist()
        assert view.leads(some).tolist() == (view.docinfo[some, 3] == 1).tolist()
        assert set(view.dates().tolist()) == {0}


def test_unique_is_numpys() -> None:
    from search.sets import unique

    rng = np.random.default_rng(7)
    for values in (rng.integers(0, 50, 200), np.array([], dtype=np.int64), np.array([3])):
        assert unique(values).tolist() == np.unique(values).tolist()


def test_a_merge_keeps_a_passage_without_words(tmp_path: Path, small_segments: None) -> None:
    """A passage of punctuation alone has no jieba words: Whoosh reads its length back as
    None, and merging its segment must keep it (and every other passage) as it was."""
    corpus, folder = tmp_path / "notices", tmp_path / "index"
    corpus.mkdir()
    for i in range(10):  # ten updates: segments merged eight at a time
        (corpus / f"m{i}.txt").write_text(
            f"第{i}号通知\n\n……\n\n灯光{i}号工程。\n", encoding="utf-8"
        )
        update(folder, [corpus])
    with Searcher(folder) as searcher:
        assert len(searcher.literal.parts) < 10  # merged
        hits = searcher.search("……", Options(limit=0)).hits
        assert sorted(h.document.doc_id for h in hits) == [f"notices/m{i}.txt" for i in range(10)]
        assert searcher.search("号工程", Options(limit=0)).total == 10


def test_adding_and_removing_a_text_file_leaves_the_dumps_line_hashes_unread(
    fresh: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, folder = fresh
    update(folder, [corpus])  # the corpus holds a dump: its line hashes are in records-<G>
    read: list[str] = []
    original = Manifest._all_records

    def spy(self: Manifest, where: Path) -> dict[str, dict[str, str]]:
        read.append(str(where))
        return original(self, where)

    monkeypatch.setattr(Manifest, "_all_records", spy)
    notice = corpus / "notice.txt"
    notice.write_text("关于路灯的通知\n\n路灯维修。\n", encoding="utf-8")
    assert update(folder).added == 1
    notice.unlink()
    assert update(folder).removed == 1
    assert read == []  # neither update read the dumps' line hashes
    with Searcher(folder) as searcher:
        assert searcher.search("促消费稳增长", Options(strict=True)).total == 1


def test_the_merge_policy_never_merges_a_segment_closed_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Segments closed full (half the merge limit or more) are final unless over 30%
    deleted, then rewritten alone; small ones merge eight of a size class at a time, never
    above the limit, so a build writes each passage once."""

    class Seg:
        def __init__(self, name: str) -> None:
            self.name = name

        def segment_id(self) -> str:
            return self.name

    monkeypatch.setattr(build, "FLUSH_CHARS", 100)
    monkeypatch.setattr(merge, "MAX_CHARS", 200)
    full = [(Seg(f"full{i}"), 100, 0.0) for i in range(10)]  # exactly the flush size
    deleted = [(Seg("gone"), 150, 0.4)]
    small = [(Seg(f"small{i}"), 10, 0.0) for i in range(9)]
    groups = merge.plan(full + deleted + small)
    names = [[s.segment_id() for s in group] for group in groups]
    assert names == [["gone"], [f"small{i}" for i in range(8)]]
    # eight small ones whose sum passes the limit: as many as fit
    big_small = [(Seg(f"b{i}"), 60, 0.0) for i in range(8)]
    assert [[s.segment_id() for s in g] for g in merge.plan(big_small)] == [["b0", "b1", "b2"]]
