"""Scanned PDFs: OCR with the ``ocr`` extra (RapidOCR), its cache, the ``ocr`` mark in JSON and
the terminal; without the extra, the install hint.  The scans are drawn by tests/scans.py."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from search.cli import app
from search.documents import ocr, read
from search.documents.pdf import read_pdf
from search.errors import UnreadableDocument

pytestmark = pytest.mark.slow  # OCR of scanned pages (the ocr extra) takes seconds a test

runner = CliRunner()
NOTICE = [
    ("title", "关于做好春节期间安全生产工作的通知"),
    ("body", "各市人民政府，省政府各部门："),
    ("body", "请认真贯彻执行，确保安全。"),
    ("right", "浙江省人民政府办公厅"),
    ("right", "2023年12月5日"),
]


def test_page_scale_keeps_huge_pages_within_bounds() -> None:
    assert ocr.page_scale(595, 842) == 300 / 72
    assert ocr.page_scale(3000, 3000) == pytest.approx((40_000_000 / 9_000_000) ** 0.5)
    assert ocr.page_scale(14400, 14400) == 0.0  # 31 dpi at most: too large to read


def _blank_pdf(width: float = 595, height: float = 842) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(width, height)
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    return out.getvalue()


def test_without_the_extra_a_scan_gives_the_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "available", lambda: False)
    path = tmp_path / "scan.pdf"
    path.write_bytes(_blank_pdf())
    with pytest.raises(UnreadableDocument) as caught:
        read(path, "scan.pdf", "scan.pdf")
    assert caught.value.message == "scan.pdf: no text layer (scanned PDF?)"
    assert caught.value.hint == (
        "run OCR on it first, or pip install 'govsearch[ocr]' to have scanned pages read"
    )


def _scan(dpi: int = 300) -> bytes:
    pytest.importorskip("rapidocr", reason="the ocr extra is not installed")
    pytest.importorskip("noto_cjk_sans_otc", reason="the test extra's CJK font is not installed")
    from scans import scanned_pdf

    return scanned_pdf([NOTICE], dpi)


def test_scanned_pdf_is_recognised_and_cached(tmp_path: Path) -> None:
    data = _scan()
    recognizer = ocr.Recognizer(tmp_path / "cache")
    blocks, info = read_pdf(data, "scan.pdf", recognizer)
    assert [(b.line, b.heading, b.ocr, b.text) for b in blocks] == [
        (1, 1, True, "关于做好春节期间安全生产工作的通知"),
        (1, 0, True, "各市人民政府，省政府各部门："),
        (1, 0, True, "请认真贯彻执行，确保安全。"),
        (1, 0, True, "浙江省人民政府办公厅"),
        (1, 0, True, "2023年12月5日"),
    ]
    assert (info.title, info.issuer, info.date) == (
        "关于做好春节期间安全生产工作的通知",
        "浙江省人民政府办公厅",
        "2023-12-05",
    )
    assert recognizer.recognised == 1
    again = ocr.Recognizer(tmp_path / "cache")
    assert read_pdf(data, "scan.pdf", again) == (blocks, info)
    assert again.recognised == 0  # from the cache: the page is not recognised twice


def test_ocr_hits_are_marked_in_json_and_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # locations print relative to the current folder
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "scan.pdf").write_bytes(_scan())
    index = tmp_path / "index"
    assert runner.invoke(app, ["index", str(corpus), "--index", str(index)]).exit_code == 0
    as_json = runner.invoke(app, ["search", "贯彻执行", "--json", "--index", str(index)])
    hit = json.loads(as_json.stdout.splitlines()[0])
    assert (hit["location"], hit["ocr"], hit["text"]) == (
        "c/scan.pdf:p1",
        True,
        "请认真贯彻执行，确保安全。",
    )
    shown = runner.invoke(app, ["search", "贯彻执行", "--color", "never", "--index", str(index)])
    assert shown.stdout.splitlines()[0] == " 1  c/scan.pdf:p1  [ocr]"


def test_blank_and_huge_scans_are_reported_not_crashed(tmp_path: Path) -> None:
    pytest.importorskip("rapidocr", reason="the ocr extra is not installed")
    recognizer = ocr.Recognizer(tmp_path / "cache")
    for data in (_blank_pdf(), _blank_pdf(14400, 14400)):
        with pytest.raises(UnreadableDocument) as caught:
            read_pdf(data, "scan.pdf", recognizer)
        assert caught.value.message == "scan.pdf: no text layer (scanned PDF?)"
        assert caught.value.hint == "run OCR on it first"
    assert recognizer.recognised == 1  # the huge page was not rendered
