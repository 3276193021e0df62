"""Word 97–2003 (.doc) and WPS (.wps) files, written by tests/ole.py: text, locations, faults."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from pathlib import Path

import pytest
from ole import compound_file, summary_information, word_document
from typer.testing import CliRunner

from search.cli import app
from search.documents import read
from search.documents.formats import READERS, SUFFIXES
from search.errors import UnreadableDocument

runner = CliRunner()
NOTICE = [
    ("Notice No. 5\r", True),  # an 8-bit piece
    (
        "关于开展安全生产大检查的通知\r各区县人民政府：\r"
        '为做好\x13 HYPERLINK "http://x" \x14安全生产\x15工作，现通知如下。\x0b请遵照执行。\r'
        "\r单位\x07金额\x07\x07"  # a table row: two cells and the row's end mark
        "浙江省人民政府办公厅\r二〇二三年十二月五日\r",
        False,  # a UTF-16 piece
    ),
    ("(end)\r", True),
]


def test_doc_paragraphs_locations_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "notice.doc"
    path.write_bytes(word_document(NOTICE))
    [(document, passages)] = read(path, "notice.doc", "notice.doc")
    assert [(p.line, p.text) for p in passages] == [
        (1, "Notice No. 5"),
        (2, "关于开展安全生产大检查的通知"),
        (3, "各区县人民政府："),
        (4, "为做好安全生产工作，现通知如下。"),
        (4, "请遵照执行。"),
        (6, "单位"),
        (7, "金额"),
        (9, "浙江省人民政府办公厅"),
        (10, "二〇二三年十二月五日"),
        (11, "(end)"),
    ]
    assert (document.title, document.date, document.issuer, document.fmt) == (
        "关于开展安全生产大检查的通知",
        "2023-12-05",
        "浙江省人民政府办公厅",
        "doc",
    )


def test_wps_is_read_as_word_and_text_stops_at_the_main_text(tmp_path: Path) -> None:
    pieces = [("关于印发方案的通知\r杭州市商务局\r2024年1月2日\r页眉文字\r", False)]
    main = len("关于印发方案的通知\r杭州市商务局\r2024年1月2日\r")
    path = tmp_path / "plan.wps"
    path.write_bytes(word_document(pieces, characters=main, property_run=False))
    [(document, passages)] = read(path, "plan.wps", "plan.wps")
    assert [p.text for p in passages] == ["关于印发方案的通知", "杭州市商务局", "2024年1月2日"]
    assert (document.issuer, document.date, document.fmt) == ("杭州市商务局", "2024-01-02", "wps")
    assert SUFFIXES[".wps"] == "wps" and SUFFIXES[".doc"] == "doc"


def test_doc_summary_information_when_the_text_has_none() -> None:
    summary = summary_information("第三次专题会议纪要", datetime.datetime(2023, 12, 1, 9, 30))
    data = word_document([("会议议定事项如下。\r", False)], summary=summary)
    _, info = READERS["doc"](data, "m.doc")
    assert (info.title, info.date) == ("第三次专题会议纪要", "2023-12-01")
    _, info = READERS["doc"](word_document(NOTICE, summary=summary), "n.doc")
    assert (info.title, info.date) == ("关于开展安全生产大检查的通知", "2023-12-05")
    generic = summary_information("Microsoft Word - 文档1", datetime.datetime(2023, 1, 2))
    _, info = READERS["doc"](word_document([("正文。\r", False)], summary=generic), "g.doc")
    assert (info.title, info.date) == ("正文。", "2023-01-02")


def test_doc_search_shows_paragraph_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # locations print relative to the current folder
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "notice.doc").write_bytes(word_document(NOTICE))
    index = tmp_path / "index"
    assert runner.invoke(app, ["index", str(corpus), "--index", str(index)]).exit_code == 0
    result = runner.invoke(app, ["search", "遵照执行", "--json", "--index", str(index)])
    assert result.exit_code == 0
    hit = json.loads(result.stdout.splitlines()[0])
    assert (hit["location"], hit["text"]) == ("corpus/notice.doc:4", "请遵照执行。")


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>改名的新格式文件。</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def test_mislabelled_word_files_are_read_by_their_content() -> None:
    blocks, _ = READERS["doc"](_docx_bytes(), "new.doc")
    assert [b.text for b in blocks] == ["改名的新格式文件。"]
    blocks, _ = READERS["docx"](word_document([("旧格式。\r", False)]), "old.docx")
    assert [(b.line, b.text) for b in blocks] == [(1, "旧格式。")]


GOOD = word_document([("正文。\r", False)])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "bad.doc: not a Word 97–2003 or WPS file (no OLE container)"),
        ("纯文本".encode(), "bad.doc: not a Word 97–2003 or WPS file (no OLE container)"),
        (GOOD[:600], "bad.doc: damaged Word file (ValueError)"),
        (GOOD[:2500], "bad.doc: its piece table is damaged"),
        (
            word_document([("机密。\r", False)], encrypted=True),
            "bad.doc: encrypted Word file (needs a password)",
        ),
        (
            compound_file({"EncryptedPackage": b"x", "EncryptionInfo": b"y"}),
            "bad.doc: encrypted Word file (needs a password)",
        ),
        (
            compound_file({"CONTENTS": b"works"}),
            "bad.doc: no WordDocument stream inside (not a Word or WPS document?)",
        ),
        (
            word_document([("旧版。\r", False)], ident=0xA5DC),
            "bad.doc: Word 6/95 format, not supported",
        ),
        (
            word_document([("乱码。\r", False)], ident=0x1234),
            "bad.doc: its WordDocument stream does not start as Word's does",
        ),
        (
            compound_file({"WordDocument": GOOD[:0] + bytes(0x1AA), "1Table": b""}),
            "bad.doc: its WordDocument stream does not start as Word's does",
        ),
        (
            word_document([("超长。\r", False)], shift=1_000_000),
            "bad.doc: a piece of its text lies outside the file (truncated?)",
        ),
    ],
)
def test_damaged_doc_files_give_one_line(data: bytes, message: str) -> None:
    with pytest.raises(UnreadableDocument) as caught:
        READERS["doc"](data, "bad.doc")
    assert caught.value.message == message
    assert caught.value.hint


def test_damaged_piece_table_and_missing_table_stream() -> None:
    good = word_document([("正文。\r", False)])
    bad_table = good.replace(b"\x02\x10\x00\x00\x00", b"\x07\x10\x00\x00\x00", 1)
    assert bad_table != good
    with pytest.raises(UnreadableDocument) as caught:
        READERS["doc"](bad_table, "b.doc")
    assert caught.value.message == "b.doc: its piece table is damaged"
    no_table = good.replace("1Table".encode("utf-16-le"), "2Table".encode("utf-16-le"))
    with pytest.raises(UnreadableDocument) as caught:
        READERS["doc"](no_table, "b.doc")
    assert caught.value.message == "b.doc: no 1Table stream inside"


def test_doc_without_text_is_reported_by_read(tmp_path: Path) -> None:
    path = tmp_path / "blank.doc"
    path.write_bytes(word_document([("\r\r\x07\r", False)]))
    with pytest.raises(UnreadableDocument) as caught:
        read(path, "blank.doc", "blank.doc")
    assert caught.value.message == "blank.doc: no text found"
