"""The query language: exact trees for every form, errors that point at the problem."""

from __future__ import annotations

import pytest

from search.errors import BadQuery
from search.query import And, DateRange, Not, Or, Term, parse, parse_dates


def test_keywords_phrases_operators_fields() -> None:
    assert parse("消费 以旧换新") == And((Term("消费"), Term("以旧换新")))
    assert parse('"品牌消费" -夜经济') == And((Term("品牌消费", phrase=True), Not(Term("夜经济"))))
    assert parse("辽洽会 OR 夜经济 NOT 首店") == Or(
        (Term("辽洽会"), And((Term("夜经济"), Not(Term("首店")))))
    )
    assert parse("(消费 | 补贴) title:通知") == And(
        (Or((Term("消费"), Term("补贴"))), Term("通知", "title"))
    )
    assert parse('issuer:"商务厅"') == Term("商务厅", "issuer", phrase=True)
    assert parse("ＡＢＣ 國務院") == And((Term("abc"), Term("国务院")))


def test_chinese_quotes_and_brackets_are_syntax_only_at_word_boundaries() -> None:
    assert parse("“以旧换新” 消费") == And((Term("以旧换新", phrase=True), Term("消费")))
    assert parse("名为“个体工商户”实为") == Term("名为“个体工商户”实为")
    assert parse("（消费 OR 补贴） 通知") == And((Or((Term("消费"), Term("补贴"))), Term("通知")))
    assert parse("（货车）司机") == Term("(货车)司机")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023", DateRange("2023-01-01", "2023-12-31")),
        ("2024-02", DateRange("2024-02-01", "2024-02-29")),
        ("2023-06-04", DateRange("2023-06-04", "2023-06-04")),
        ("2023-01..2023-06", DateRange("2023-01-01", "2023-06-30")),
        (">=2023-03", DateRange("2023-03-01", "")),
        ("<2024", DateRange("", "2023-12-31")),
        (">2023-12-31", DateRange("2024-01-01", "")),
        ("2023年6月", DateRange("2023-06-01", "2023-06-30")),
    ],
)
def test_dates(value: str, expected: DateRange) -> None:
    assert parse_dates(value) == expected
    assert parse(f"date:{value}") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"开放', "unbalanced quote at character 1"),
        ("(消费", "unbalanced '(' at character 1"),
        ("消费)", "unbalanced ')' at character 3"),
        ("OR 消费", "a keyword is missing at character 1"),
        ("消费 OR", "OR needs a keyword on both sides at character 4"),
        ("消费 NOT", "NOT needs a keyword after it at character 4"),
        ("foo:消费", "unknown field 'foo:'"),
        ("date:2023-13", "bad month"),
        ("date:2023-02-30", "bad day"),
        ("date:昨天", "bad date"),
    ],
)
def test_errors_point_at_the_problem(text: str, message: str) -> None:
    with pytest.raises(BadQuery, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(text)


def test_urls_and_times_are_keywords_not_fields() -> None:
    assert parse("http://www.gov.cn/zhengce") == Term("http://www.gov.cn/zhengce")
    assert parse("12:30") == Term("12:30")
