"""The measurement scripts (scripts/recall.py, eval.py, bench.py) on a tiny corpus: each core
function runs end to end and reports what it should.  No timing assertions."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"

RECORDS = [
    {
        "id": "a-1",
        "title": "关于开展促消费活动的通知",
        "date": "2023-03-01",
        "issuer": "商务厅",
        "url": None,
        "text": "我省全年将开展促消费活动3500场以上。\n当前以“3折消费月”为重点,推进5G网络建设。",
    },
    {
        "id": "a-2",
        "title": "个体工商户条例第二条",
        "date": "2022-11-01",
        "issuer": "国务院",
        "url": None,
        "text": "有经营能力的公民,依照本条例规定经登记机关登记,从事工商业经营的,为个体工商户。",
    },
    {
        "id": "a-3",
        "title": "民法典第一千零六十四条",
        "date": None,
        "issuer": None,
        "url": None,
        "text": "夫妻双方共同签名或者夫妻一方事后追认等共同意思表示所负的债务,属于夫妻共同债务。",
    },
    {
        "id": "a-4",
        "title": "2023年夜经济消费季",
        "date": "2023-07-15",
        "issuer": "沈阳市商务局",
        "url": None,
        "text": "一是举办夜间消费节,发放消费券3000万元。\n二是支持首店经济,点亮城市灯光。",
    },
]


def _load(name: str) -> ModuleType:
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    __import__(name)
    return sys.modules[name]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    lines = [json.dumps(r, ensure_ascii=False) for r in RECORDS]
    (folder / "docs-01.jsonl").write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    (folder / "docs-02.jsonl").write_text("\n".join(lines[2:]) + "\n", encoding="utf-8")
    queries = [
        {"id": "q1", "text": "谁可以成为个体工商户？"},
        {"id": "q2", "text": "夫妻一方所负的债务，谁偿还？"},
        {"id": "q3", "text": "月球上有什么"},
    ]
    (folder / "queries.jsonl").write_text(
        "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queries), encoding="utf-8"
    )
    (folder / "qrels.tsv").write_text(
        "query-id\tcorpus-id\tscore\nq1\ta-2\t1\nq2\ta-3\t1\nq3\ta-1\t1\n", encoding="utf-8"
    )
    return folder


def test_recall_finds_every_literal_match(corpus: Path, tmp_path: Path) -> None:
    recall = _load("recall")
    out = tmp_path / "out"
    result = recall.run_recall([corpus], None, out, keywords=12, seed=3, pattern="docs-*.jsonl")
    summary = result["summary"]
    assert summary["all"]["keywords"] >= 8
    assert summary["all"]["recall"] == 1.0
    assert summary["all"]["extra"] == 0
    assert result["misses"] == []
    assert json.loads((out / "recall.json").read_text(encoding="utf-8"))["passages"] == 6


def test_recall_keyword_classes() -> None:
    recall = _load("recall")
    assert recall.class_counts(200) == {"substring": 34, "char": 33, "mixed": 33, "word": 100}
    assert recall.mixed_keywords("推进5g网络,3折消费,g20峰会") == [
        "5g",
        "5g网",
        "进5g",
        "3折",
        "g20",
        "g20峰",
    ]


def test_eval_metrics_by_hand() -> None:
    ev = _load("eval")
    run = ev.read_trec(["q1 Q0 x 1 2.0 r", "q1 Q0 a 2 1.0 r", "q2 Q0 y 1 1.0 r"])
    scores = ev.metrics(run, {"q1": {"a"}, "q2": {"b", "c"}, "q3": {"d"}})
    assert scores["mrr@10"] == pytest.approx(0.5 / 3)
    assert scores["recall@100"] == pytest.approx(1 / 3)
    assert scores["ndcg@10"] == pytest.approx((1 / 1.5849625007211562) / 3)


def test_eval_end_to_end(corpus: Path, tmp_path: Path) -> None:
    ev = _load("eval")
    out = tmp_path / "out"
    result = ev.evaluate(corpus, tmp_path / "eval-index", out, limit=10, engine="library")
    assert result["queries"] == 3
    assert result["metrics"]["mrr@10"] == pytest.approx(2 / 3)
    assert result["empty_queries"] == 1
    assert (out / "eval.trec").read_text(encoding="utf-8").startswith("q1 Q0 a-2 1 ")


@pytest.mark.slow
def test_bench_quick(corpus: Path, tmp_path: Path) -> None:
    bench = _load("bench")
    out = tmp_path / "out"
    result = bench.run_bench(
        [corpus],
        out,
        repeat=1,
        quick=False,
        pattern="docs-*.jsonl",
        naive_sample=1.0,
        keyword_queries=5,
        pair_queries=2,
        cold_runs=1,
    )
    figures = {row["figure"] for row in result["rows"]}
    assert "full build (chars/s)" in figures
    assert "warm query p50, top 10 (ms)" in figures
    whole = result["whole_sets"]
    assert f"`-l` {whole['word']} ({whole['passages']} passages) (ms)" in figures
    assert whole["counted"] == whole["passages"] == whole["json_hits"]
    assert result["text"]["passages"] == 6
    assert (out / "bench.md").read_text(encoding="utf-8").startswith("| figure |")
    assert json.loads((out / "bench.json").read_text(encoding="utf-8"))["rows"]
    assert "re-index, one announcement changed (s)" in figures
    assert {"cold `govsearch show LOCATION` (s)", "cold `govsearch stats` (s)"} <= figures
    parts = result["index_components"]
    assert (
        parts["side_bytes"] + parts["whoosh_bytes"] < parts["index_bytes"] == result["index_bytes"]
    )
    assert "- Index " in (out / "bench.md").read_text(encoding="utf-8")


def test_index_sizes_account_for_every_byte(built: Path) -> None:
    """Each side file's arrays and header, each Whoosh compound file's parts, add up."""
    from search.store.reader import open_view

    sizes = _load("index_sizes")
    found = sizes.breakdown(built)
    assert sum(found["side_groups"].values()) == found["side_bytes"]
    assert sum(found["side_arrays"].values()) == found["side_bytes"]
    assert sum(found["whoosh_files"].values()) == found["whoosh_bytes"]
    assert {"pst", "trm"} <= set(found["whoosh_files"])
    _, view = open_view(built)
    coded = sum(int(part.data.text.offsets[-1]) for part in view.parts)
    assert found["side_arrays"]["text.blob"] == coded  # the passages' coded texts
    assert "text: stored text" in sizes.report(found, 1000)


@pytest.mark.slow
def test_growth_repeats_the_collection_with_distinct_ids(corpus: Path, tmp_path: Path) -> None:
    growth = _load("bench_growth")
    out = tmp_path / "growth"
    result = growth.run([corpus], out, [1, 2], 5, "docs-*.jsonl")
    rows = result["rows"]
    assert [r["copies"] for r in rows] == [1, 2]
    assert rows[1]["chars"] == 2 * rows[0]["chars"]
    from search.searching import Options, Searcher

    with Searcher(out / "index-2") as searcher:  # each copy's records are documents of their own
        hits = searcher.search("个体工商户", Options(limit=0, per_doc=0, strict=True)).hits
        assert sorted(h.document.doc_id for h in hits) == ["a-2~c0", "a-2~c1"]
    svg = (out / "growth.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and svg.count("<polyline") == 5
    assert (out / "growth.md").read_text(encoding="utf-8").startswith("| size | characters |")


def test_resultsets_measures_whole_result_sets(built: Path, tmp_path: Path) -> None:
    resultsets = _load("resultsets")
    assert (
        resultsets.main([str(built), "--word", "消费", "--queries", "5", "--out", str(tmp_path)])
        == 0
    )
    r = json.loads((tmp_path / "resultsets.json").read_text(encoding="utf-8"))
    # 8 passages hold 消费, in 4 files (news.jsonl holds 2 documents); all 8 as JSON
    assert (r["word"], r["passages"], r["counted"], r["files"], r["json_hits"]) == (
        "消费",
        8,
        8,
        4,
        8,
    )
    assert r["batch_qps"] > 0


def test_coldstart_commands() -> None:
    coldstart = _load("coldstart")
    commands = coldstart.commands([Path("ix")], "消费")
    assert list(commands) == ["--version", "--help", "search 消费 (ix)", "search 消费 -c (ix)"]
    assert commands["search 消费 -c (ix)"][-7:] == [
        "search",
        "消费",
        "--index",
        str(Path("ix").resolve()),  # absolute: the commands run from the temporary folder
        "--color",
        "never",
        "-c",
    ]


def test_formats_bench_reads_every_file_exactly(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = _load("formats_bench")
    docs = bench.records(corpus / "docs-01.jsonl", 5)
    assert [d["paragraphs"][0][:6] for d in docs] == ["我省全年将开", "有经营能力的"]
    bench.bench_doc(docs)
    bench.bench_xlsx(docs, copies=2)
    bench.bench_ofd(docs)
    lines = capsys.readouterr().out.splitlines()
    exact = [line.split("exact ")[1] for line in lines if "ours:" in line]
    # .ofd: a-1's two one-line paragraphs, alone on their page, are joined: with no full line
    # anywhere there is no right margin to tell a short line by (as in a PDF)
    assert exact == ["2/2", "2/2", "1/2"]


def test_ocr_cer_distance_and_pages() -> None:
    cer = _load("ocr_cer")
    pairs = [("", "ab"), ("abc", "abd"), ("通知如下", "通知下")]
    assert [cer.distance(a, b) for a, b in pairs] == [2, 1, 1]
    pages = cer.pages_of(sorted((SCRIPTS.parent / "seeds").glob("*.txt")), 2)
    assert len(pages) == 2 and all(len(p) == cer.LINES_PER_PAGE for p in pages)
    assert all(len(text) <= cer.LINE_CHARS - 2 for page in pages for _, text in page)
    assert pages[0][0] == ("body", "辽宁省商务厅")


def test_bench_reposts_reports_groups_and_a_sample(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_reposts import ORIGINAL, OTHER, REPOST

    bench = _load("bench_reposts")
    corpus = tmp_path / "corpus"
    folders = {"news-xwlb": {"a.txt": ORIGINAL, "b.txt": REPOST}, "news-cpcnews": {"c.txt": OTHER}}
    for folder, files in folders.items():
        (corpus / folder).mkdir(parents=True)
        for name, text in files.items():
            (corpus / folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / "sample.md"
    monkeypatch.setattr(sys, "argv", ["bench_reposts.py", str(corpus), "--out", str(out)])
    bench.main()
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("; ")[-1] for line in lines[:3]] == [
        "1 groups of near duplicates holding 2 documents (largest 2)",
        "0 groups of near duplicates holding 0 documents (largest 1)",
        "1 groups of near duplicates holding 2 documents (largest 2)",
    ]
    sample = out.read_text(encoding="utf-8")
    assert "## both: 1 of 1 groups" in sample
    assert "news-xwlb/a.txt 2024-03-01 J=1.00 关于开展2024年消费品以旧换新活动的通知" in sample


def test_bench_sheets_writes_sheets_the_readers_read(tmp_path: Path) -> None:
    from search.documents import sheets

    bench = _load("bench_sheets")
    bench.write_csv(tmp_path / "s.csv", 3)
    bench.write_xlsx(tmp_path / "s.xlsx", 3)
    expected = [f"序号:{i} 企业名称:企业{i:07d}号 金额:{i * 3}" for i in (1, 2, 3)]
    for name, reader in (("s.csv", sheets.read_csv), ("s.xlsx", sheets.read_workbook)):
        blocks, _ = reader((tmp_path / name).read_bytes(), name)
        assert [block.text for block in blocks] == expected
