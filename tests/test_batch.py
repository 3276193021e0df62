"""Issue 4 (scripted use): ``govsearch batch`` and the one JSON contract it shares with
``search --json``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from search import render
from search.cli import app
from search.models import Document, Hit, Passage

runner = CliRunner()

QUERIES = (
    "带动销售额\n"
    "\n"
    "# a comment line\n"
    '{"id": "T2", "query": "灯", "limit": 1}\n'
    '{"id": 7, "query": "促消费", "issuer": "国务院"}\n'
)
SCORE = re.compile(r"\d+\.\d+")

# The JSON contract (README "JSON output"), in order, with the type of each value.
HIT_KEYS: dict[str, type | tuple[type, ...]] = {
    "schema_version": int,
    "rank": int,
    "score": float,
    "doc_id": str,
    "path": str,
    "line": int,
    "end_line": int,
    "match_line": int,
    "paragraph": int,
    "location": str,
    "title": (str, type(None)),
    "date": (str, type(None)),
    "issuer": (str, type(None)),
    "doc_number": (str, type(None)),
    "url": (str, type(None)),
    "headings": list,
    "text": str,
    "spans": list,
    "partial": bool,
    "matched": list,
    "ocr": bool,
}


def _batch(folder: Path, *args: str, stdin: str = QUERIES) -> tuple[int, str, str]:
    result = runner.invoke(app, ["batch", *args, "--index", str(folder)], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _scoreless(out: str) -> list[str]:
    return [SCORE.sub("S", line, count=1) for line in out.splitlines()]


def test_json_contract_keys_and_types(built: Path) -> None:
    search = runner.invoke(app, ["search", "消费", "--json", "--index", str(built)])
    hits = [json.loads(line) for line in search.stdout.splitlines()]
    _, out, _ = _batch(built, stdin="消费\n")
    batch_hits = [json.loads(line) for line in out.splitlines()]
    assert len(hits) == len(batch_hits) == 8
    for hit in hits:
        assert list(hit) == list(HIT_KEYS)
        for key, kind in HIT_KEYS.items():
            assert isinstance(hit[key], kind), key
        assert hit["schema_version"] == render.JSON_SCHEMA_VERSION == 1
        assert all(isinstance(h, str) for h in hit["headings"] + hit["matched"])
        assert all(len(s) == 2 and all(isinstance(i, int) for i in s) for s in hit["spans"])
    for hit in batch_hits:
        assert list(hit) == ["qid", *HIT_KEYS] and hit["qid"] == "1"
    assert [{k: v for k, v in h.items() if k != "qid"} for h in batch_hits] == hits


def test_batch_jsonl(built: Path) -> None:
    code, out, err = _batch(built)
    assert (code, err) == (0, "")
    hits = [json.loads(line) for line in out.splitlines()]
    assert [(h["qid"], h["rank"], h["location"], h["spans"]) for h in hits] == [
        ("1", 1, "corpus/broken.txt:5", [[23, 28]]),
        ("T2", 1, "corpus/gbk_notice.txt:8", [[13, 14]]),
        ("7", 1, "corpus/news.jsonl:1#p2", [[13, 16]]),
    ]
    assert out.splitlines()[1] == (
        '{"qid": "T2", "schema_version": 1, "rank": 1, "score": '
        + str(hits[1]["score"])
        + ', "doc_id": "corpus/gbk_notice.txt", "path": "corpus/gbk_notice.txt", "line": 8, '
        '"end_line": 8, "match_line": 8, "paragraph": 5, "location": "corpus/gbk_notice.txt:8", '
        '"title": "关于开展2023年夜经济消费季活动的通知", "date": "2023-07-15", '
        '"issuer": "沈阳市商务局", "doc_number": "沈商发〔2023〕12号", "url": null, '
        '"headings": [], "text": "为促进夜经济发展,点亮城市灯光,现将有关事项通知如下。", '
        '"spans": [[13, 14]], "partial": false, "matched": ["灯"], "ocr": false}'
    )


def test_batch_tsv(built: Path) -> None:
    code, out, err = _batch(built, "--format", "tsv")
    assert (code, err) == (0, "")
    assert _scoreless(out) == [
        "qid\trank\tscore\tdoc_id\tpath\tlocation\tline\tend_line\tparagraph\tpartial\ttitle"
        "\tsnippet",
        "1\t1\tS\tcorpus/broken.txt\tcorpus/broken.txt\tcorpus/broken.txt:5\t5\t6\t3\tfalse\t"
        "关于推动以旧换新的实施意见\t"
        "全市将开展汽车、家电等消费品以旧换新活动,预计带动销售额增长15%,惠及群众超过50万人。",
        "T2\t1\tS\tcorpus/gbk_notice.txt\tcorpus/gbk_notice.txt\tcorpus/gbk_notice.txt:8\t8\t8"
        "\t5\tfalse\t关于开展2023年夜经济消费季活动的通知\t"
        "为促进夜经济发展,点亮城市灯光,现将有关事项通知如下。",
        "7\t1\tS\tnews-001\tcorpus/news.jsonl\tcorpus/news.jsonl:1#p2\t1\t1\t2\tfalse\t"
        "国务院常务会议部署促消费措施\t会议指出,要持续扩大内需,促消费稳增长。",
    ]


def test_batch_trec_one_line_per_document(built: Path) -> None:
    code, out, err = _batch(built, "--format", "trec", "--run", "mine", stdin="消费\n")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [re.sub(r" \d+\.\d{4} ", " S ", line) for line in lines] == [
        "1 Q0 news-002 1 S mine",
        "1 Q0 corpus/gbk_notice.txt 2 S mine",
        "1 Q0 news-001 3 S mine",
        "1 Q0 corpus/broken.txt 4 S mine",
        "1 Q0 corpus/pages.md 5 S mine",
    ]
    scores = [float(line.split()[4]) for line in lines]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)


def test_trec_scores_never_rise_with_rank() -> None:
    def hit(rank: int, doc_id: str, score: float) -> Hit:
        return Hit(rank, score, Document(doc_id, doc_id), Passage(doc_id, 1, 1, 1, "x"))

    hits = [hit(1, "a", 2.0), hit(2, "b", 2.0), hit(3, "c d", 3.0)]
    out: list[str] = []
    render.write_trec(hits, _Sink(out), "q 1")
    assert "".join(out) == (
        "q_1 Q0 a 1 2.0000 govsearch\nq_1 Q0 b 2 1.9999 govsearch\nq_1 Q0 c_d 3 1.9998 govsearch\n"
    )


class _Sink:
    def __init__(self, out: list[str]) -> None:
        self.out = out

    def write(self, text: str) -> int:
        self.out.append(text)
        return len(text)


def test_bad_lines_are_reported_and_skipped(built: Path) -> None:
    stdin = (
        "灯\n"
        "{not json\n"
        '{"id": "x"}\n'
        '"unbalanced\n'
        '{"query": "灯", "limit": -1}\n'
        '{"query": "灯", "since": "someday"}\n'
        "[1, 2]\n"
        "航天\n"
    )
    code, out, err = _batch(built, "--format", "trec", stdin=stdin)
    assert code == 2
    assert _scoreless(out) == ["1 Q0 corpus/gbk_notice.txt 1 S govsearch"]
    assert err == (
        "govsearch: line 2: not valid JSON: Expecting property name enclosed in double quotes "
        "(column 2)\n"
        'govsearch: line 3: no "query" in this JSON line\n'
        'govsearch: line 4: unbalanced quote at character 1: "unbalanced\n'
        'govsearch: line 5: "limit" must be a whole number, 0 or more (0 = all)\n'
        "govsearch: line 6: bad date 'someday' in: someday\n"
        "govsearch: 5 bad lines skipped (2, 3, 4, 5, 6); 3 queries ran\n"
    )


def test_no_query_matching_exits_1_as_grep(built: Path) -> None:
    assert _batch(built, stdin="航天\n# nothing else\n") == (1, "", "")
    assert _batch(built, stdin="航天\n夜经济\n")[0] == 0
    assert _batch(built, stdin="航天\n夜经济 xyzzy\n")[0] == 1  # partial hits only
    assert _batch(built, "--format", "tsv", stdin="") == (
        1,
        "\t".join(render.TSV_COLUMNS) + "\n",
        "",
    )


def test_batch_reads_a_file_and_keeps_per_line_limits(built: Path, tmp_path: Path) -> None:
    queries = tmp_path / "queries.txt"
    queries.write_text('\ufeff{"id": "a", "query": "消费", "limit": 2}\n消费\n', encoding="utf-8")
    code, out, _ = _batch(built, str(queries), "-n", "3", stdin="")
    assert code == 0
    assert [json.loads(line)["qid"] for line in out.splitlines()] == ["a", "a", "2", "2", "2"]
    code, _, err = _batch(built, str(tmp_path / "missing.txt"))
    assert code == 2
    assert err == (
        f"govsearch: error: cannot read {tmp_path / 'missing.txt'}: No such file or directory"
        " — give a file of queries, or - for stdin\n"
    )


def test_batch_without_index_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _batch(tmp_path / "nowhere")
    assert (code, out) == (2, "")
    assert err.startswith("govsearch: error: no index at ")
