"""Spreadsheets (.xlsx, .xls, .ods, .csv): one passage per row, header names with each cell,
``file.xlsx:Sheet:row`` locations, ``show`` at a row, and damaged files."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

import pytest
import xlwt
from ole import compound_file
from sheetfiles import ods, xlsx
from typer.testing import CliRunner

from search.cli import app
from search.documents import read
from search.documents import sheets as sheets_reader
from search.documents.formats import READERS
from search.errors import UnreadableDocument
from search.models import sheet_label

runner = CliRunner()
SUBSIDY: list[list[str | float | None]] = [
    ["2023年首贷贴息企业名单"],
    [],
    ["序号", "企业名称", "贴息金额（万元）", None, "备注"],
    [1, "沈阳示范机械有限公司", 3, None, "首贷"],
    [2, "大连海湾食品有限公司", 0.5],
    [None, None, None, "无表头的格"],
    ["辽宁省商务厅"],
    ["2023年12月5日"],
]


def _rows(name: str, data: bytes) -> list[tuple[int, tuple[str, ...], str]]:
    path = Path("/nonexistent") / name
    blocks, _ = READERS[READERS_BY_SUFFIX[path.suffix]](data, name)
    return [(b.line, (b.sheet,) if b.sheet else (), b.text) for b in blocks]


READERS_BY_SUFFIX = {".xlsx": "xlsx", ".ods": "ods", ".xls": "xls", ".csv": "csv"}
EXPECTED = [
    (1, "2023年首贷贴息企业名单"),
    (4, "序号:1 企业名称:沈阳示范机械有限公司 贴息金额（万元）:3 备注:首贷"),
    (5, "序号:2 企业名称:大连海湾食品有限公司 贴息金额（万元）:0.5"),
    (6, "无表头的格"),
    (7, "辽宁省商务厅"),
    (8, "2023年12月5日"),
]


def test_xlsx_rows_with_header_names_sheets_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx([("名单 (1)", SUBSIDY), ("Sheet2", [["备注"], ["另表文字"]])]))
    [(document, passages)] = read(path, "list.xlsx", "list.xlsx")
    assert [(p.line, p.headings, p.text) for p in passages] == [
        *((line, ("名单 (1)",), text) for line, text in EXPECTED),
        (1, ("Sheet2",), "备注"),
        (2, ("Sheet2",), "另表文字"),
    ]
    assert (document.title, document.issuer, document.date, document.fmt) == (
        "2023年首贷贴息企业名单",
        "辽宁省商务厅",
        "2023-12-05",
        "xlsx",
    )
    assert passages[1].place("xlsx") == "名单_1:4"


def test_ods_and_xls_read_the_same_rows() -> None:
    blocks, _ = READERS["ods"](ods([("名单", SUBSIDY)]), "list.ods")
    assert [(b.line, b.sheet, b.text) for b in blocks] == [(n, "名单", t) for n, t in EXPECTED]
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名单")
    for r, row in enumerate(SUBSIDY):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    blocks, _ = READERS["xls"](buffer.getvalue(), "list.xls")
    assert [(b.line, b.sheet, b.text) for b in blocks] == [(n, "名单", t) for n, t in EXPECTED]


def test_csv_in_gbk_with_a_quoted_line_break() -> None:
    text = '企业名称,金额\r\n"沈阳\r\n示范公司",3万元\r\n\r\n大连公司,5万元\r\n'
    blocks, info = READERS["csv"](text.encode("gbk"), "list.csv")
    assert [(b.line, b.sheet, b.text) for b in blocks] == [
        (2, "", "企业名称:沈阳 示范公司 金额:3万元"),
        (5, "", "企业名称:大连公司 金额:5万元"),
    ]
    assert info.title == ""


def test_sheet_labels_need_no_shell_quoting() -> None:
    assert sheet_label("Sheet1") == "Sheet1"
    assert sheet_label("名单 (1)") == "名单_1"
    assert sheet_label("a!b$c'd\"e`f;g&h|i*j?k") == "a_b_c_d_e_f_g_h_i_j_k"
    assert sheet_label("!!!") == "sheet"


def test_search_and_show_a_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # locations print relative to the current folder
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "list.xlsx").write_bytes(xlsx([("名单 (1)", SUBSIDY), ("Sheet2", [["另表首贷"]])]))
    index = tmp_path / "index"
    assert runner.invoke(app, ["index", str(corpus), "--index", str(index)]).exit_code == 0
    found = runner.invoke(app, ["search", "企业名称 海湾", "--json", "--index", str(index)])
    assert found.exit_code == 0
    hit = json.loads(found.stdout.splitlines()[0])
    assert (hit["location"], hit["headings"]) == ("corpus/list.xlsx:名单_1:5", ["名单 (1)"])
    shown = runner.invoke(
        app, ["show", "corpus/list.xlsx:名单_1:5", "-C", "1", "--index", str(index)]
    )
    assert shown.exit_code == 0
    assert shown.stdout.splitlines()[3:] == [
        "  名单_1:4  序号:1 企业名称:沈阳示范机械有限公司 贴息金额（万元）:3 备注:首贷",
        "> 名单_1:5  序号:2 企业名称:大连海湾食品有限公司 贴息金额（万元）:0.5",
        "  名单_1:6  无表头的格",
    ]
    listed = runner.invoke(app, ["search", "另表", "--color", "never", "--index", str(index)])
    assert listed.stdout.splitlines()[:4] == [
        " 1  corpus/list.xlsx:Sheet2:1",
        "    2023年首贷贴息企业名单 · 辽宁省商务厅 · 2023-12-05",
        "    § Sheet2",
        "    另表首贷",
    ]
    other = runner.invoke(app, ["show", "corpus/list.xlsx:Sheet2:1", "--index", str(index)])
    assert other.stdout.splitlines()[-1] == "> Sheet2:1  另表首贷"
    sheet_hint = "give path:sheet:row as printed by govsearch search"
    for location, message, hint in [
        ("corpus/list.xlsx:5", "corpus/list.xlsx is a spreadsheet: say which sheet", sheet_hint),
        ("corpus/list.xlsx:Nope:5", "corpus/list.xlsx has no sheet 'Nope'", sheet_hint),
        (
            "corpus/list.xlsx:Sheet2:9",
            "corpus/list.xlsx:Sheet2 has no passage at line 9",
            "its last passage ends on line 1",
        ),
    ]:
        result = runner.invoke(app, ["show", location, "--index", str(index)])
        assert result.exit_code == 2
        assert result.stderr.splitlines() == [f"govsearch: error: {message} — {hint}"]


def test_mislabelled_spreadsheets_are_read_by_their_content() -> None:
    workbook = xlsx([("S", [["企业名称", "金额"], ["甲公司", 1]])])
    assert [b.text for b in READERS["xls"](workbook, "a.xls")[0]] == ["企业名称:甲公司 金额:1"]
    page = "<html><body><table><tr><td>网页表格</td></tr></table></body></html>".encode()
    assert [b.text for b in READERS["xls"](page, "b.xls")[0]] == ["网页表格"]
    tabbed = "企业名称\t金额\n乙公司\t2\n".encode("gbk")
    assert [b.text for b in READERS["xls"](tabbed, "c.xls")[0]] == ["企业名称:乙公司 金额:2"]


def _xls() -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("S")
    sheet.write(0, 0, "文字" * 100)
    sheet.write(1, 0, "b")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


BOF = struct.pack("<HHHH", 0x0809, 4, 0x0600, 0x0005)  # BIFF8 workbook globals


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * 20_000_000 + b"</a>")
    return buffer.getvalue()


ENTITIES = '<!DOCTYPE w [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
HIDDEN_DTD = "<!--" + "x" * 5000 + "-->" + ENTITIES


@pytest.mark.parametrize(
    ("fmt", "data", "message"),
    [
        ("xlsx", b"", "bad.xlsx: empty file"),
        ("xlsx", xlsx([("S", SUBSIDY)])[:300], "bad.xlsx: damaged spreadsheet (BadZipFile)"),
        ("xlsx", _bomb(), "bad.xlsx: xl/worksheets/sheet1.xml unpacks to 20 MB (zip bomb?)"),
        (
            "xlsx",
            xlsx([("S", [["&b;", "x"]])], prolog=ENTITIES),
            "bad.xlsx: xl/worksheets/sheet1.xml declares a DTD (not allowed in spreadsheets)",
        ),
        (
            "xlsx",
            xlsx([("S", [["&b;", "x"]])], prolog=HIDDEN_DTD),
            "bad.xlsx: damaged spreadsheet (XmlError)",
        ),
        (
            "xlsx",
            compound_file({"EncryptedPackage": b"x", "EncryptionInfo": b"y"}),
            "bad.xlsx: encrypted spreadsheet (needs a password)",
        ),
        ("xls", _xls()[:-100], "bad.xls: damaged spreadsheet (calamine failed on it)"),
        ("xls", _xls()[:1500], "bad.xls: damaged spreadsheet (ValueError)"),
        ("xls", compound_file({"Data": b"x"}), "bad.xls: no Workbook stream inside"),
        (
            "xls",
            compound_file({"Workbook": BOF + struct.pack("<HH", 0x2F, 6) + bytes(6)}),
            "bad.xls: encrypted spreadsheet (needs a password)",
        ),
        ("ods", bytes(range(256)) * 4, "bad.ods: binary file"),
        ("csv", b"\xff\xfe\x00\xd8" * 100, "bad.csv: not valid UTF-16-LE"),
    ],
)
def test_damaged_spreadsheets_give_one_line(
    fmt: str, data: bytes, message: str, capfd: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(UnreadableDocument) as caught:
        READERS[fmt](data, f"bad.{fmt}")
    assert caught.value.message.startswith(message)
    assert "\n" not in caught.value.message and caught.value.hint
    assert capfd.readouterr() == ("", "")  # nothing printed by the Rust library


def test_header_needs_two_text_cells() -> None:
    rows = [(1, ["1", "2"], False), (2, ["甲", ""], False), (3, ["名称", "数量"], True)]
    found = list(sheets_reader.row_blocks(rows, "S"))
    assert [(b.text, plain) for b, plain in found] == [
        ("1 2", True),
        ("甲", True),
        ("名称 数量", True),
    ]
