"""OFD files written by tests/ofdfiles.py: reading order, paragraphs, pages, metadata, faults."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from ofdfiles import layout, ofd
from typer.testing import CliRunner

from search.cli import app
from search.documents import read
from search.documents.formats import READERS, SUFFIXES
from search.errors import UnreadableDocument

runner = CliRunner()
LONG = (
    "为深入贯彻落实党中央、国务院关于安全生产工作的决策部署，切实做好春节期间各项工作，"
    "确保人民群众过一个欢乐祥和的节日，现将有关事项通知如下。"
)
PAGE_1 = layout(
    [
        ("title", "关于做好2024年春节期间安全生产工作的通知"),
        ("body", "浙政办发〔2023〕15号"),
        ("body", "各市人民政府，省政府各部门："),
        ("body", LONG),
        ("body", "请各地各部门认真抓好落实，并将落实情况纳入绩效考核。"),
    ]
)
PAGE_2 = layout(
    [("body", "（此件公开发布）"), ("right", "浙江省人民政府办公厅"), ("right", "2023年12月5日")]
)


def test_ofd_pages_paragraphs_in_reading_order_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "notice.ofd"
    path.write_bytes(ofd([PAGE_1, PAGE_2], title="无关标题", created="2023-12-01"))
    [(document, passages)] = read(path, "notice.ofd", "notice.ofd")
    assert [(p.line, p.headings, p.text) for p in passages] == [
        (1, (), "关于做好2024年春节期间安全生产工作的通知"),
        (1, ("关于做好2024年春节期间安全生产工作的通知",), "浙政办发〔2023〕15号"),
        (1, ("关于做好2024年春节期间安全生产工作的通知",), "各市人民政府，省政府各部门："),
        (1, ("关于做好2024年春节期间安全生产工作的通知",), LONG),
        (
            1,
            ("关于做好2024年春节期间安全生产工作的通知",),
            "请各地各部门认真抓好落实，并将落实情况纳入绩效考核。",
        ),
        (2, ("关于做好2024年春节期间安全生产工作的通知",), "（此件公开发布）"),
        (2, ("关于做好2024年春节期间安全生产工作的通知",), "浙江省人民政府办公厅"),
        (2, ("关于做好2024年春节期间安全生产工作的通知",), "2023年12月5日"),
    ]
    assert (document.title, document.date, document.issuer, document.doc_number) == (
        "关于做好2024年春节期间安全生产工作的通知",
        "2023-12-05",
        "浙江省人民政府办公厅",
        "浙政办发〔2023〕15号",
    )
    assert (document.fmt, SUFFIXES[".ofd"]) == ("ofd", "ofd")


def test_ofd_doc_info_when_the_text_has_none() -> None:
    page = layout([("body", "会议纪要正文。")])
    _, info = READERS["ofd"](ofd([page], title="第三次专题会议纪要", created="2023-12-01"), "m.ofd")
    assert (info.title, info.date) == ("第三次专题会议纪要", "2023-12-01")


def test_ofd_search_location_is_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # locations print relative to the current folder
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "notice.ofd").write_bytes(ofd([PAGE_1, PAGE_2]))
    index = tmp_path / "index"
    assert runner.invoke(app, ["index", str(corpus), "--index", str(index)]).exit_code == 0
    result = runner.invoke(app, ["search", "公开发布", "--json", "--index", str(index)])
    hit = json.loads(result.stdout.splitlines()[0])
    assert (hit["location"], hit["text"]) == ("corpus/notice.ofd:p2", "（此件公开发布）")
    shown = runner.invoke(app, ["show", "corpus/notice.ofd:p2", "-C", "0", "--index", str(index)])
    assert shown.stdout.splitlines()[-3:] == [
        "> p2  （此件公开发布）",
        "> p2  浙江省人民政府办公厅",
        "> p2  2023年12月5日",
    ]


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


GOOD = ofd([PAGE_1])


def _with(name: str, data: bytes | None) -> bytes:
    """GOOD with the member ``name`` replaced (or removed, for ``None``)."""
    with zipfile.ZipFile(io.BytesIO(GOOD)) as archive:
        members = {n: archive.read(n) for n in archive.namelist() if n != name}
    if data is not None:
        members[name] = data
    return _zip(members)


BOMB = '<!DOCTYPE p [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
EXTERNAL = '<!DOCTYPE p [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "bad.ofd: not an OFD file (not a zip archive)"),
        (GOOD[:-60], "bad.ofd: not an OFD file (not a zip archive)"),
        (_zip({"a.txt": b"x"}), "bad.ofd: OFD.xml is missing"),
        (ofd([PAGE_1], prolog="<!--" + "x" * 5000 + "-->" + BOMB), "bad.ofd: an XML part declares"),
        (
            ofd([PAGE_1], prolog=EXTERNAL),
            "bad.ofd: an XML part declares a DTD (not allowed in OFD)",
        ),
        (
            _with("Doc_0/Pages/Page_0/Content.xml", b" " * 40_000_000),
            "bad.ofd: Doc_0/Pages/Page_0/Content.xml unpacks to 40 MB (zip bomb?)",
        ),
        (
            ofd([PAGE_1], extra={"Encryptions.xml": b"<x/>"}),
            "bad.ofd: encrypted OFD file",
        ),
        (
            _with("Doc_0/Pages/Page_0/Content.xml", None),
            "bad.ofd: Doc_0/Pages/Page_0/Content.xml is missing",
        ),
        (
            _zip({"OFD.xml": b"<OFD><DocBody/></OFD>"}),
            "bad.ofd: no DocRoot in OFD.xml",
        ),
        (
            _zip({"OFD.xml": b"<OFD><DocBody><DocRoot>D.xml</DocRoot></DocBody></OFD>"}),
            "bad.ofd: D.xml is missing",
        ),
        (_zip({"OFD.xml": b"<OFD><DocBody>"}), "bad.ofd: damaged OFD file (ParseError)"),
        (ofd([[]]), "bad.ofd: no text in this OFD file (scanned pages?)"),
    ],
)
def test_damaged_ofd_files_give_one_line(data: bytes, message: str) -> None:
    with pytest.raises(UnreadableDocument) as caught:
        READERS["ofd"](data, "bad.ofd")
    assert caught.value.message.startswith(message)
    assert "\n" not in caught.value.message and caught.value.hint
