"""Normalisation, segmentation engines, and the Whoosh tokenizer contract."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search import analysis, documents
from search.analysis import normalize
from search.errors import BadQuery
from search.query import parse
from search.tokenizer import JiebaTokenizer


def test_normalize_is_one_to_one() -> None:
    assert normalize("促消費５Ｇ手机ＡＢＣ　國務院") == "促消费5g手机abc 国务院"
    assert len(normalize("\x00\u200b\ufeffａ")) == 4


@given(st.text(max_size=200))
def test_normalize_keeps_length(text: str) -> None:
    assert len(normalize(text)) == len(text)


def test_tokenizer_positions_are_ordinals_and_offsets_original() -> None:
    text = "促消費，以旧换新 5G手机"
    tokens = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in JiebaTokenizer()(text, positions=True, chars=True)
    ]
    assert tokens == [
        ("消费", 0, 1, 3),
        ("促消费", 0, 0, 3),
        ("换新", 1, 6, 8),
        ("以旧换新", 1, 4, 8),
        ("5g", 2, 9, 11),
        ("手机", 3, 11, 13),
    ]
    for word, _, start, end in tokens:
        assert normalize(text[start:end]) == word


@pytest.mark.slow
def test_rjieba_and_jieba_give_identical_tokens(fresh: tuple[Path, Path], seeds: Path) -> None:
    corpus, _ = fresh
    found = documents.find([corpus, seeds])
    texts = [
        p.text
        for path in found.files
        for _, passages in documents.read(path, path.name, path.name)
        for p in passages
    ]
    assert len(texts) > 90
    analysis.configure("rjieba")
    fast = [analysis.words(t) for t in texts]
    analysis.configure("jieba")
    reference = [analysis.words(t) for t in texts]
    assert fast == reference


def test_user_dictionary_changes_segmentation(tmp_path: Path) -> None:
    assert "便民生活" not in analysis.query_words("便民生活服务")
    userdict = tmp_path / "dict.txt"
    userdict.write_text("便民生活 50000 n\n", encoding="utf-8")
    analysis.configure("rjieba", userdict)
    assert analysis.query_words("便民生活服务")[0] == "便民生活"


def test_bundled_dictionary_terms() -> None:
    assert analysis.query_words("推动一刻钟便民生活圈建设") == ["推动", "一刻钟便民生活圈", "建设"]
    assert "辽洽会" in analysis.query_words("办好第五届辽洽会")


@given(st.text(max_size=60))
def test_parser_never_crashes(text: str) -> None:
    try:
        parse(text)
    except BadQuery as exc:
        assert exc.message
