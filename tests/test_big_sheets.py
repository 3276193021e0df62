"""Large sheets stream (#13): rows are read as they are indexed, a sheet larger than a segment
is split across segments under one doc_id, and deleting its file removes every part."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from search.cli import app
from search.documents import sheets
from search.errors import UnreadableDocument
from search.searching import Searcher
from search.store import build, merge
from search.store.writer import update
from tests.sheetfiles import xlsx

pytestmark = pytest.mark.slow  # sheets of thousands of rows across segments

runner = CliRunner()
ROWS = 3000
HEADER = ["序号", "企业名称", "金额"]


def _rows(count: int) -> list[list[str | float | None]]:
    return [[f"{i}", f"企业{i:05d}号", float(i * 3)] for i in range(1, count + 1)]


def _csv(count: int, long_field_at: int = 0) -> bytes:
    lines = [",".join(HEADER)]
    for i in range(1, count + 1):
        name = "长" * 200_000 if i == long_field_at else f"企业{i:05d}号"
        lines.append(f"{i},{name},{i * 3}")
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Segments of 20,000 characters (a 3,000-row sheet is five), never merged, and the
    metadata decided after 1,000 characters; run from beside the corpus."""
    monkeypatch.setattr(build, "FLUSH_CHARS", 20_000)
    monkeypatch.setattr(merge, "MAX_CHARS", 30_000)
    monkeypatch.setattr(sheets, "HEAD_CHARS", 1_000)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").mkdir()
    return tmp_path / "corpus"


@pytest.mark.parametrize(
    ("name", "last"),
    [("big.csv", "corpus/big.csv:3001"), ("big.xlsx", "corpus/big.xlsx:S:3001")],
)
def test_a_large_sheet_spans_segments_under_one_doc_id(small: Path, name: str, last: str) -> None:
    data = _csv(ROWS) if name.endswith(".csv") else xlsx([("S", [HEADER, *_rows(ROWS)])])
    (small / name).write_bytes(data)
    update(small.parent / "index", [small])
    doc_id = f"corpus/{name}"
    with Searcher(small.parent / "index") as searcher:
        numbers = searcher.literal.documents_with_id(doc_id)
        assert len(numbers) == 5  # one part in each of five segments
        assert len(searcher.literal.parts) == 5
        assert len({str(searcher.literal.document(n)) for n in numbers}) == 1  # one metadata
        passages = searcher.document_passages(doc_id)
    assert [p.paragraph for p in passages] == list(range(1, ROWS + 1))
    assert [p.line for p in passages] == list(range(2, ROWS + 2))
    assert passages[-1].text == "序号:3000 企业名称:企业03000号 金额:9000"
    found = runner.invoke(app, ["search", "企业03000号", "-l", "--index", "index"])
    assert (found.exit_code, found.stdout) == (0, f"{doc_id}\n")
    hit = runner.invoke(app, ["search", "企业03000号", "--json", "--strict", "--index", "index"])
    assert hit.stdout.count('"location"') == 1 and f'"location": "{last}"' in hit.stdout
    assert runner.invoke(app, ["search", "企业", "-c", "--index", "index"]).stdout == "3000\n"
    trec = runner.invoke(app, ["batch", "--format", "trec", "--index", "index"], input="企业\n")
    assert [line.split()[2] for line in trec.stdout.splitlines()] == [doc_id]  # one document
    shown = runner.invoke(app, ["show", doc_id, "--index", "index"]).stdout.splitlines()
    assert (len(shown), shown[2].split()[1], shown[-1].split()[1]) == (3002, "序号:1", "序号:3000")


def test_deleting_a_split_sheet_removes_every_part(small: Path) -> None:
    (small / "big.csv").write_bytes(_csv(ROWS))
    (small / "note.txt").write_text("企业名单另见附件。\n", encoding="utf-8")
    update(small.parent / "index", [small])
    (small / "big.csv").unlink()
    update(small.parent / "index", [small])
    found = runner.invoke(app, ["search", "企业", "-l", "--index", "index"])
    assert (found.exit_code, found.stdout) == (0, "corpus/note.txt\n")
    with Searcher(small.parent / "index") as searcher:
        assert searcher.document_passages("corpus/big.csv") == []


def test_rows_are_read_as_they_are_asked_for(small: Path) -> None:
    # a field over the csv module's limit on row 2,500: the first rows come out, and the
    # problem is met only when reading gets there
    blocks, _ = sheets.stream_csv(_csv(ROWS, long_field_at=2500), "big.csv")
    assert next(blocks).text == "序号:1 企业名称:企业00001号 金额:3"
    with pytest.raises(UnreadableDocument) as caught:
        list(blocks)
    assert caught.value.message == (
        "big.csv: not a readable CSV file (field larger than field limit (131072))"
    )


def test_a_problem_past_the_first_rows_keeps_the_rows_before_it(small: Path) -> None:
    (small / "big.csv").write_bytes(_csv(ROWS, long_field_at=2500))
    result = runner.invoke(app, ["index", str(small), "--index", "index"])
    assert result.exit_code == 0
    assert "big.csv: not a readable CSV file (field larger than field limit" in result.stderr
    counted = runner.invoke(app, ["search", "企业", "-c", "--index", "index"])
    assert counted.stdout == "2499\n"  # rows 1 to 2,499


def test_metadata_comes_from_the_first_rows_of_a_large_sheet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows: list[list[str | float | None]] = [
        ["2023年首贷贴息企业名单"],
        HEADER,
        *_rows(3),
        ["辽宁省商务厅"],
        ["2023年12月5日"],
    ]
    blocks, info = sheets.stream_workbook(xlsx([("S", rows)]), "list.xlsx")
    assert (info.title, info.issuer, info.date) == (
        "2023年首贷贴息企业名单",
        "辽宁省商务厅",
        "2023-12-05",
    )
    assert [b.line for b in blocks] == [1, 3, 4, 5, 6, 7]
    monkeypatch.setattr(sheets, "HEAD_CHARS", 40)  # the sheet is "large": its signature unread
    blocks, info = sheets.stream_workbook(xlsx([("S", rows)]), "list.xlsx")
    assert (info.title, info.issuer, info.date) == ("2023年首贷贴息企业名单", "", "")
    assert [b.line for b in blocks] == [1, 3, 4, 5, 6, 7]
