"""Searching the test corpus: which passages, in which order, which highlighted characters."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from search.errors import BadQuery
from search.query.score import Weights
from search.searching import Options, Searcher


def _run(folder: Path, text: str, **options: object) -> list[tuple[str, int, bool, list[str]]]:
    with Searcher(folder) as searcher:
        result = searcher.search(text, Options(**options))  # type: ignore[arg-type]
    return [
        (
            h.document.doc_id,
            h.passage.paragraph,
            h.partial,
            [h.passage.text[s.start : s.end] for s in h.spans],
        )
        for h in result.hits
    ]


def test_keyword_inside_longer_jieba_word_is_found(built: Path) -> None:
    # jieba keeps 促消费 as one word; 消费 must still find it, highlighted exactly.
    hits = _run(built, "消费", limit=0, per_doc=0)
    assert ("news-001", 2, False, ["消费"]) in hits
    assert len(hits) == 8


def test_single_character_and_mixed_latin_digits(built: Path) -> None:
    assert _run(built, "灯") == [("corpus/gbk_notice.txt", 5, False, ["灯"])]
    assert _run(built, "5g") == [("corpus/broken.txt", 4, False, ["5G"])]
    assert _run(built, "3折") == [("news-002", 1, False, ["3折"])]


def test_match_across_a_joined_line_break(built: Path) -> None:
    assert _run(built, "带动销售额", strict=True) == [
        ("corpus/broken.txt", 3, False, ["带动销售额"])
    ]


def test_all_keywords_required_and_together_ranks_first(built: Path) -> None:
    hits = _run(built, "新三样 出口", strict=True)
    assert hits == [
        ("corpus/pages.md", 1, False, ["新三样出口"]),
        ("corpus/pages.md", 3, False, ["出口", "新三样", "出口"]),
    ]


def test_traditional_query_finds_simplified_text(built: Path) -> None:
    assert _run(built, "國務院 會議", strict=True) == [
        ("news-001", 1, False, ["国务院", "国务院", "会议"])
    ]


def test_or_not_phrase_and_fields(built: Path) -> None:
    # one keyword each, equally rare: the shorter passage first (length normalisation)
    assert [h[:2] for h in _run(built, "辽洽会 OR 夜间消费节")] == [
        ("corpus/gbk_notice.txt", 6),
        ("corpus/pages.md", 5),
    ]
    assert [h[:2] for h in _run(built, "夜经济 -首店")] == [
        ("corpus/gbk_notice.txt", 2),
        ("corpus/gbk_notice.txt", 5),
    ]
    assert _run(built, '"品牌消费"') == [("news-002", 2, False, ["品牌消费"])]
    assert [h[:2] for h in _run(built, "title:以旧换新 消费", strict=True)] == [
        ("corpus/broken.txt", 4),
        ("corpus/broken.txt", 3),
    ]
    assert [h[:2] for h in _run(built, "消费 issuer:商务部")] == [("news-002", 2), ("news-002", 1)]


def test_dates_and_sort(built: Path) -> None:
    assert {h[0] for h in _run(built, "消费", since="2024", limit=0)} == {
        "news-002",
        "corpus/broken.txt",
    }
    assert {h[0] for h in _run(built, "消费 date:2023-07..2023-08", limit=0)} == {
        "corpus/gbk_notice.txt",
        "news-001",
    }
    dated = _run(built, "消费", sort="date", limit=0, per_doc=0)
    assert [h[0] for h in dated][:2] == ["news-002", "news-002"]


def test_relaxed_matches_come_after_strict_and_are_marked(built: Path) -> None:
    hits = _run(built, "销售额增长")
    assert hits[0] == ("corpus/broken.txt", 3, False, ["销售额增长"])
    assert all(partial for _, _, partial, _ in hits[1:])
    assert ("corpus/pages.md", 3, True, ["增长", "增长"]) in hits
    assert _run(built, "销售额增长", strict=True) == [hits[0]]


def test_a_quoted_phrase_stays_required_when_the_rest_is_relaxed(built: Path) -> None:
    # no passage holds 品牌消费 and 促进消费: the phrase alone still finds its passage, as a
    # partial match; the seven other passages with 消费 but not the phrase are never shown
    assert _run(built, '"品牌消费"如何促进消费') == [("news-002", 2, True, ["品牌消费", "消费"])]
    assert _run(built, '"品牌消费"怎么办') == [("news-002", 2, True, ["品牌消费"])]
    assert _run(built, '"品牌消费"如何促进消费', strict=True) == []


def test_per_document_cap_on_first_page(built: Path) -> None:
    hits = _run(built, "消费", per_doc=1, limit=3)
    assert len({h[0] for h in hits}) == 3


@pytest.mark.parametrize(
    "text", ["", "  ", '"open', "(a", "a)", "OR a", "a OR", "NOT", "date:2023-13", "foo:bar"]
)
def test_malformed_queries_are_bad_query(built: Path, text: str) -> None:
    with pytest.raises(BadQuery):
        _run(built, text)


def test_no_match_is_empty(built: Path) -> None:
    assert _run(built, "航天") == []


def test_full_matches_highlight_only_the_keywords_as_written(built: Path) -> None:
    # the page is filled with partial matches of 销售额 / 增长, but the full match highlights
    # the keyword itself, not its words elsewhere in the passage
    hits = _run(built, "增长15%")
    assert hits[0] == ("corpus/broken.txt", 3, False, ["增长15%"])
    assert any(partial and "增长" in spans for _, _, partial, spans in hits[1:])


def test_a_question_counts_the_rest_of_the_passage_document(tmp_path: Path) -> None:
    # Two identical paragraphs answer the question equally well on their own; the one whose
    # document also speaks of 业主委员会 elsewhere ranks above the other, though it comes second
    # in the file (without the document context the tie would go to index order).
    from search.store.writer import update

    rule = "物业服务企业应当承担共用设施的维修责任。"
    records = [
        {"id": "plain", "title": "甲", "text": rule + "\n\n本条例自公布之日起施行。"},
        {"id": "context", "title": "乙", "text": rule + "\n\n业主委员会可以监督物业服务企业。"},
    ]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "rules.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    update(tmp_path / "index", [corpus])
    hits = _run(tmp_path / "index", "物业服务企业不履行维修责任，业主委员会怎么办？", per_doc=0)
    assert hits == [
        ("context", 1, True, ["物业服务企业", "维修责任"]),
        ("context", 2, True, ["业主委员会", "物业服务企业"]),
        ("plain", 1, True, ["物业服务企业", "维修责任"]),
    ]


def _index_records(tmp_path: Path, records: list[dict[str, str]]) -> Path:
    from search.store.writer import update

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "records.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    update(tmp_path / "index", [corpus])
    return tmp_path / "index"


def test_a_question_learns_from_its_best_documents(tmp_path: Path) -> None:
    # The three best documents all speak of 维修 and 业主, which the question does not use:
    # pseudo-relevance feedback lifts the passage that shares them (d) above the one that
    # does not (e), which is shorter and would otherwise win.
    folder = _index_records(
        tmp_path,
        [
            {"id": "a", "title": "一", "text": "物业公司应当及时维修电梯，保障业主安全。"},
            {"id": "b", "title": "二", "text": "物业公司负责电梯的日常维修和业主通知。"},
            {"id": "c", "title": "三", "text": "物业公司未维修电梯的，业主可以投诉。"},
            {"id": "d", "title": "四", "text": "电梯出现故障，由业主委员会组织维修。"},
            {"id": "e", "title": "五", "text": "电梯广告收入归全体所有人。"},
        ],
    )
    question = "物业公司不管电梯怎么办？"
    assert [h[0] for h in _run(folder, question)] == ["c", "b", "a", "d", "e"]
    assert _run(folder, question)[3] == ("d", 1, True, ["电梯"])  # 维修 is not highlighted
    with Searcher(folder) as searcher:
        searcher.ranker.weights = replace(searcher.ranker.weights, feedback=0.0)
        without = [h.document.doc_id for h in searcher.search(question).hits]
    assert without == ["c", "b", "a", "e", "d"]


def test_a_question_prefers_a_documents_lead_paragraph(tmp_path: Path) -> None:
    rule = "用人单位应当依法为劳动者缴纳社会保险费。"
    folder = _index_records(
        tmp_path,
        [{"id": "law", "title": "条例", "text": f"{rule}\n\n本条例自公布之日起施行。\n\n{rule}"}],
    )
    with Searcher(folder) as searcher:
        hits = searcher.search("公司不给员工交社会保险怎么办？", Options(per_doc=0)).hits
    assert [(h.passage.paragraph, h.partial) for h in hits] == [(1, True), (3, True)]
    assert hits[0].score - hits[1].score == pytest.approx(Weights().lead, abs=1e-3)


def test_ties_go_by_collection_order_not_by_when_a_file_was_indexed(tmp_path: Path) -> None:
    from search.store.writer import update

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "全面推进汽车以旧换新。\n"
    (corpus / "b.txt").write_text(text, encoding="utf-8")
    update(tmp_path / "index", [corpus])
    (corpus / "a.txt").write_text(text, encoding="utf-8")  # indexed later, comes first
    update(tmp_path / "index", [corpus])
    hits = _run(tmp_path / "index", "以旧换新")
    assert hits == [
        ("corpus/a.txt", 1, False, ["以旧换新"]),
        ("corpus/b.txt", 1, False, ["以旧换新"]),
    ]


def test_feedback_reads_at_most_the_start_of_a_huge_document(tmp_path: Path) -> None:
    from search.query.feedback import FEEDBACK_CHARS, bigram_keys

    long_paragraph = "甲乙。" * (FEEDBACK_CHARS // 3 + 1)
    folder = _index_records(
        tmp_path, [{"id": "huge", "title": "大", "text": f"丙丁。\n\n{long_paragraph}\n\n戊己。"}]
    )
    with Searcher(folder) as searcher:
        keys = bigram_keys(searcher.ranker, 0)
    grams = {chr(k >> 21) + chr(k & 0x1FFFFF) for k in keys.tolist()}
    assert grams == {"丙丁", "甲乙"}  # 戊己 lies beyond the first FEEDBACK_CHARS characters


def test_a_keyword_search_ranks_the_same_however_short_its_results(seeds: Path) -> None:
    # Two hits only, so the relaxed fallback runs; a keyword (one jieba word) is still ranked
    # as a keyword, not as a question: the same scores as with --strict. The README's quick
    # start shows this output.
    from search.store.writer import update

    update(seeds.parent / "index", [seeds])
    with Searcher(seeds.parent / "index") as searcher:
        default = searcher.search("以旧换新").hits
        strict = searcher.search("以旧换新", Options(strict=True)).hits
    assert [(h.passage.line, h.score) for h in default] == [
        (h.passage.line, h.score) for h in strict
    ]
    assert [(h.document.doc_id, h.passage.line) for h in default] == [
        ("seeds/002_251240217543a9b3.txt", 15),
        ("seeds/002_251240217543a9b3.txt", 3),
    ]
