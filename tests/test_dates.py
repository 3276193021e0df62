"""Dates in every form a government document writes them (#13): full-width digits, Chinese
numerals, dotted and slashed dates under a signature, and the <meta> dates of CMSs."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from search.cli import app
from search.documents.blocks import Block
from search.documents.formats import READERS
from search.documents.meta import extract, parse_date

runner = CliRunner()


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("２０２３年１２月５日", "2023-12-05"),
        ("二〇二三年十二月五日", "2023-12-05"),
        ("二O二三年十二月三十一日", "2023-12-31"),
        ("二〇二四年二月二十九日", "2024-02-29"),
        ("二〇二三年二月二十九日", ""),  # no such day
        ("2023年2月30日", ""),
        ("2023.12.05", "2023-12-05"),
        ("2023/12/5", "2023-12-05"),
        ("２０２３－１２－０５", "2023-12-05"),
        ("2023-12-05-09:30:00", "2023-12-05"),  # gov.cn's firstpublishedtime
        ("版本 1.2.3", ""),
        ("于2023.12.05.发布", "2023-12-05"),
        ("版本 1.2023.12.05.7", ""),
        ("1899年1月1日", ""),
    ],
)
def test_parse_date_forms(text: str, iso: str) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    "date", ["２０２３年１２月５日", "二〇二三年十二月五日", "2023.12.05", "2023/12/5"]
)
def test_date_under_the_signature_in_any_form(date: str) -> None:
    blocks = [Block("关于做好安全生产工作的通知", 1, 1), Block("请认真执行。", 2, 2)]
    blocks += [Block("浙江省人民政府办公厅", 3, 3), Block(date, 4, 4)]
    info = extract(blocks)
    assert (info.issuer, info.date) == ("浙江省人民政府办公厅", "2023-12-05")


@pytest.mark.parametrize(
    "tag",
    [
        '<meta name="firstpublishedtime" content="2023-12-05-09:30:00">',
        '<meta name="PubDate" content="2023-12-05 09:30">',
        '<meta name="ArticleTimes" content="2023年12月05日">',
        '<meta name="publishdate" content="2023/12/5">',
        '<meta itemprop="datePublished" content="2023-12-05T09:30:00+08:00">',
        '<meta name="dcterms.issued" content="２０２３-１２-０５">',
    ],
)
def test_cms_meta_dates(tag: str) -> None:
    page = f"<html><head>{tag}</head><body><p>正文没有日期。</p></body></html>"
    _, info = READERS["html"](page.encode(), "page.html")
    assert info.date == "2023-12-05"


def test_full_width_date_is_searchable_by_month(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "notice.txt").write_text(
        "关于做好安全生产工作的通知\n请认真执行。\n浙江省人民政府办公厅\n２０２３年１２月５日\n",
        encoding="utf-8",
    )
    index = tmp_path / "index"
    assert runner.invoke(app, ["index", str(corpus), "--index", str(index)]).exit_code == 0
    result = runner.invoke(app, ["search", "执行 date:2023-12", "-l", "--index", str(index)])
    # printed as from here: the file is outside the current folder, so its absolute path
    assert (result.exit_code, result.stdout) == (0, f"{corpus / 'notice.txt'}\n")
