"""Reading files into documents and passages: encodings, splitting, lines, metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search import documents
from search.documents.blocks import passages_from_blocks, text_blocks
from search.errors import BadInput, UnreadableDocument


def _read(path: Path) -> list:
    return documents.read(path, path.name, path.name)


def test_gbk_file_is_decoded_with_metadata(fresh: tuple[Path, Path]) -> None:
    corpus, _ = fresh
    [(doc, passages)] = _read(corpus / "gbk_notice.txt")
    assert doc.title == "关于开展2023年夜经济消费季活动的通知"
    assert (doc.date, doc.issuer, doc.doc_number) == (
        "2023-07-15",
        "沈阳市商务局",
        "沈商发〔2023〕12号",
    )
    assert [(p.paragraph, p.line) for p in passages][4:7] == [(5, 8), (6, 9), (7, 10)]
    assert passages[4].text == "为促进夜经济发展,点亮城市灯光,现将有关事项通知如下。"


def test_line_broken_mid_sentence_joins_its_paragraph(fresh: tuple[Path, Path]) -> None:
    corpus, _ = fresh
    [(_, passages)] = _read(corpus / "broken.txt")
    joined = passages[2]
    assert (
        joined.text
        == "全市将开展汽车、家电等消费品以旧换新活动,预计带动销售额增长15%,惠及群众超过50万人。"
    )
    assert (joined.line, joined.end_line, joined.joins) == (5, 6, ((25, 6),))
    assert joined.line_at(joined.text.index("销售额")) == 6
    assert joined.line_at(0) == 5
    assert passages[3].line == 7


def test_seed_broken_lines_join(seeds: Path) -> None:
    [(_, passages)] = _read(seeds / "002_251240217543a9b3.txt")
    texts = {p.line: p for p in passages}
    assert "全省160余家重点商贸流通企业" in texts[11].text
    assert texts[11].end_line == 13
    assert "接待游客人数和旅游综合收入" in texts[65].text


def test_seed_headings_give_article_and_section(seeds: Path) -> None:
    [(doc, passages)] = _read(seeds / "002_251240217543a9b3.txt")
    assert doc.title == "我省全年将开展促消费活动3500场以上 持续开展汽车家电等消费品以旧换新"
    by_line = {p.line: p for p in passages}
    assert by_line[69].headings == (
        "我省将推动文体旅融合发展 打造“乡约辽宁”“海上游辽宁”等品牌项目",
        "全省预计接待游客6.27亿人次 同比增长23%",
    )


def test_seed_reply_metadata(seeds: Path) -> None:
    [(doc, _)] = _read(seeds / "000_27be60c5d12d2868.txt")
    assert doc.title.startswith("对省政协十三届一次会议《关于培育消费新模式")
    assert (doc.date, doc.issuer, doc.doc_number) == (
        "2023-06-04",
        "辽宁省商务厅",
        "辽政发〔2023〕1号",
    )


def test_markdown_headings(fresh: tuple[Path, Path]) -> None:
    corpus, _ = fresh
    [(doc, passages)] = _read(corpus / "pages.md")
    assert doc.title == "辽宁省推进新三样出口"
    last = passages[-1]
    assert (last.line, last.headings) == (15, ("沈阳启动一刻钟便民生活圈建设", "工作目标"))


def test_an_empty_heading_gives_no_passage() -> None:
    passages = passages_from_blocks("d", text_blocks(["# #", "##", "正文。"]))
    assert [(p.paragraph, p.line, p.text, p.headings) for p in passages] == [(1, 3, "正文。", ())]


def test_jsonl_records_are_documents(fresh: tuple[Path, Path]) -> None:
    corpus, _ = fresh
    parsed = _read(corpus / "news.jsonl")
    assert [d.doc_id for d, _ in parsed] == ["news-001", "news-002"]
    doc, passages = parsed[1]
    assert (doc.title, doc.date, doc.issuer, doc.url) == (
        "商务部发布3折消费月活动安排",
        "2024-03-05",
        "商务部",
        "",
    )
    assert [(p.paragraph, p.line) for p in passages] == [(1, 2), (2, 2)]


def test_bad_jsonl_lines_are_reported_and_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    good = json.dumps({"id": "a", "text": "第一条"}, ensure_ascii=False)
    path.write_text(good + "\n{not json\n" + json.dumps({"id": "b"}) + "\n", encoding="utf-8")
    with pytest.raises(documents.PartlyReadable) as info:
        _read(path)
    assert [d.doc_id for d, _ in info.value.parsed] == ["a"]
    assert info.value.problems[0].startswith("dump.jsonl:2: not JSON")
    assert info.value.problems[1] == 'dump.jsonl:3: no "text" string in this record'


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"\x00\x01\x02binary", "binary file"), (b"ab\x80\xff\x80" * 50, "cannot decode")],
)
def test_unreadable_files(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(UnreadableDocument, match=reason):
        _read(path)


def test_empty_file_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(UnreadableDocument, match="no text"):
        _read(path)


def test_utf8_bom_and_utf16(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes("\ufeff通知正文。".encode())
    (tmp_path / "u16.txt").write_bytes("通知正文。".encode("utf-16"))
    for name in ("bom.txt", "u16.txt"):
        [(_, passages)] = _read(tmp_path / name)
        assert passages[0].text == "通知正文。"


def test_bytes_after_a_utf16_byte_order_mark_must_be_writing(tmp_path: Path) -> None:
    # FF FE followed by bytes that decode without error but not to writing (here: every
    # other code unit in the private-use area) is refused, not indexed
    units = [0xE000 + i * 37 % 0x1800 if i % 2 else 0x4E00 + i for i in range(2000)]
    junk = b"".join(u.to_bytes(2, "little") for u in units)
    path = tmp_path / "junk.txt"
    path.write_bytes(b"\xff\xfe" + junk)
    with pytest.raises(UnreadableDocument, match=r"^junk\.txt: not valid UTF-16-LE despite"):
        _read(path)


def test_find_sorted_skips_hidden_and_missing_path_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("乙", encoding="utf-8")
    (tmp_path / "a.md").write_text("甲", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("丙", encoding="utf-8")
    (tmp_path / "pic.png").write_bytes(b"\x89PNG")
    found = documents.find([tmp_path])
    assert [p.name for p in found.files] == ["a.md", "b.txt"]
    assert [(p.name, why) for p, why in found.skipped] == [("pic.png", "unsupported file type")]
    with pytest.raises(BadInput, match="no such file"):
        documents.find([tmp_path / "nope"])


@given(st.lists(st.text(alphabet="消费。,\n #甲乙5G ", max_size=30), max_size=20))
def test_splitting_keeps_every_character_and_line(lines: list[str]) -> None:
    source = "\n".join(lines).splitlines()
    passages = passages_from_blocks("d", text_blocks(source))
    for p in passages:
        assert p.text
        assert p.text == p.text.strip()
        assert 1 <= p.line <= p.end_line <= len(source)
        for offset in range(len(p.text)):
            assert p.line <= p.line_at(offset) <= p.end_line
    kept = "".join(ch for p in passages for ch in p.text if not ch.isspace() and ch != "#")
    original = "".join(ch for line in source for ch in line if not ch.isspace() and ch != "#")
    assert kept == original
