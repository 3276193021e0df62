"""User text → query tree.  Never opens an index.

Syntax: keywords separated by spaces are ANDed; ``"exact text"``; ``OR`` (or ``|``); ``NOT``
or ``-word``; parentheses; ``title:``, ``issuer:`` and ``date:`` fields.  Dates:
``date:2023``, ``date:2023-06``, ``date:2023-01-01..2023-06-30``, ``date:>=2023-03``,
``date:<2024``.  A malformed query raises ``BadQuery`` pointing at the problem.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from search.analyzer import normalize
from search.errors import BadQuery

FIELDS = ("title", "issuer", "date", "text")
_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』"}


@dataclass(frozen=True)
class Term:
    """A keyword or quoted phrase (normalised), matched literally in ``field``."""

    text: str
    field: str = "text"
    phrase: bool = False


@dataclass(frozen=True)
class DateRange:
    low: str  # inclusive ISO date, "" for open
    high: str


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Term | DateRange | And | Or | Not


@dataclass(frozen=True)
class _Tok:
    kind: str  # word, phrase, open, close, or, not
    text: str
    at: int


def _before_ok(text: str, i: int) -> bool:
    return i == 0 or text[i - 1].isspace() or text[i - 1] in "(（"


def _after_ok(text: str, j: int) -> bool:
    return j >= len(text) or text[j].isspace() or text[j] in ")）"


def _group_closes(text: str, i: int) -> bool:
    """Whether a full-width bracket at ``i`` has a closing one at a word boundary after it:
    only then is it grouping; otherwise it is a character of the text (（货车）司机)."""
    j = text.find("）", i + 1)
    while j >= 0:
        if _after_ok(text, j + 1):
            return True
        j = text.find("）", j + 1)
    return False


def _phrase_end(text: str, i: int) -> int:
    """Index of the quote closing the one at ``i``, or -1.  ASCII quotes always delimit a
    phrase; Chinese quotes and brackets only when they stand at word boundaries — inside a
    question (名为“个体工商户”实为…) they are just characters of the text."""
    end = text.find(_QUOTES[text[i]], i + 1)
    if text[i] == '"':
        if end < 0:
            raise BadQuery(f"unbalanced quote at character {i + 1}: {text}", "close the quote")
        return end
    if end < 0 or not _before_ok(text, i) or not _after_ok(text, end + 1):
        return -1
    return end


def _word_end(text: str, i: int, depth: int) -> int:
    j = i
    while j < len(text):
        c = text[j]
        if c.isspace() or c in '()"':
            break
        if c == "）" and depth > 0 and _after_ok(text, j + 1):
            break
        j += 1
    return j


def _lex(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i = depth = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "(" or (ch == "（" and _before_ok(text, i) and _group_closes(text, i)):
            toks.append(_Tok("open", ch, i))
            depth += 1
            i += 1
        elif ch == ")" or (ch == "）" and depth > 0 and _after_ok(text, i + 1)):
            toks.append(_Tok("close", ch, i))
            depth -= 1
            i += 1
        elif ch in _QUOTES and (end := _phrase_end(text, i)) >= 0:
            toks.append(_Tok("phrase", text[i + 1 : end], i))
            i = end + 1
        else:
            j = _word_end(text, i + 1 if ch in _QUOTES else i, depth)
            i = _word(text, i, j, toks)
    return toks


def _word(text: str, start: int, end: int, toks: list[_Tok]) -> int:
    """Append the token(s) of the word ``text[start:end]``; return where lexing goes on."""
    word = text[start:end]
    if word in ("OR", "|"):
        toks.append(_Tok("or", word, start))
    elif word in ("AND", "&"):
        pass
    elif word == "NOT":
        toks.append(_Tok("not", word, start))
    elif word.startswith("-") and len(word) > 1:
        toks.append(_Tok("not", "-", start))
        toks.append(_Tok("word", word[1:], start + 1))
    elif word.endswith(":") and end < len(text) and text[end] in _QUOTES:
        close = text.find(_QUOTES[text[end]], end + 1)
        if close < 0:
            raise BadQuery(f"unbalanced quote at character {end + 1}: {text}", "close the quote")
        toks.append(_Tok("fieldphrase", word[:-1] + "\x00" + text[end + 1 : close], start))
        return close + 1
    else:
        toks.append(_Tok("word", word, start))
    return end


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _lex(text)
        self.i = 0

    def _peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def _fail(self, what: str, tok: _Tok | None) -> BadQuery:
        where = f" at character {tok.at + 1}" if tok else " at the end"
        return BadQuery(
            f"{what}{where}: {self.text}", "see 'govsearch search --help' for the syntax"
        )

    def parse(self) -> Node:
        node = self._or()
        tok = self._peek()
        if tok is not None:
            raise self._fail("unbalanced ')'" if tok.kind == "close" else "unexpected text", tok)
        return node

    def _or(self) -> Node:
        children = [self._and()]
        while (tok := self._peek()) is not None and tok.kind == "or":
            self.i += 1
            if self._peek() is None or self._peek().kind in ("or", "close"):  # type: ignore[union-attr]
                raise self._fail("OR needs a keyword on both sides", tok)
            children.append(self._and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def _and(self) -> Node:
        children: list[Node] = []
        while (tok := self._peek()) is not None and tok.kind not in ("or", "close"):
            children.append(self._unary())
        if not children:
            raise self._fail("a keyword is missing", self._peek())
        return children[0] if len(children) == 1 else And(tuple(children))

    def _unary(self) -> Node:
        tok = self._peek()
        assert tok is not None
        if tok.kind == "not":
            self.i += 1
            following = self._peek()
            if following is None or following.kind in ("or", "close", "not"):
                raise self._fail("NOT needs a keyword after it", tok)
            return Not(self._unary())
        if tok.kind == "open":
            self.i += 1
            node = self._or()
            close = self._peek()
            if close is None or close.kind != "close":
                raise self._fail("unbalanced '('", tok)
            self.i += 1
            return node
        self.i += 1
        if tok.kind == "phrase":
            return self._term(tok.text, "text", True, tok)
        if tok.kind == "fieldphrase":
            name, _, value = tok.text.partition("\x00")
            return self._field(name, value, True, tok)
        name, colon, value = tok.text.partition(":")
        if colon and name.lower() in FIELDS:
            return self._field(name.lower(), value, False, tok)
        if colon and name.isascii() and name.isalpha() and value and value[0] != "/":
            raise self._fail(f"unknown field '{name}:' (fields: title, issuer, date)", tok)
        return self._term(tok.text, "text", False, tok)

    def _field(self, name: str, value: str, phrase: bool, tok: _Tok) -> Node:
        name = name.lower()
        if name not in FIELDS:
            raise self._fail(f"unknown field '{name}:' (fields: title, issuer, date)", tok)
        if name == "date":
            return parse_dates(value, self.text)
        return self._term(value, name, phrase, tok)

    def _term(self, text: str, field: str, phrase: bool, tok: _Tok) -> Term:
        norm = normalize(text).strip()
        if not phrase:  # 消费*: every keyword already matches inside longer words
            norm = norm.rstrip("*")
            if "*" in norm.lstrip("*"):
                raise BadQuery(
                    f"a * inside a keyword at character {tok.at + 1}: {self.text}",
                    'keywords match inside longer words: drop the *, or quote it: "5*3"',
                )
            norm = norm.lstrip("*")
        if not norm:
            raise self._fail("empty keyword", tok)
        return Term(norm, field, phrase)


def parse(text: str) -> Node:
    """Parse query text into a tree, or raise BadQuery."""
    if not text or not text.strip():
        raise BadQuery("the query is empty", 'give keywords, e.g. govsearch search "促消费"')
    node = _Parser(text).parse()
    if not _selects(node):
        raise BadQuery(
            f"NOT only excludes, and nothing is left to search for: {text}",
            "add what to find, e.g. 夜经济 NOT 消费",
        )
    return node


def _selects(node: Node) -> bool:
    """Whether ``node`` says what to find (not only what to leave out)."""
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_selects(c) for c in node.children)
    if isinstance(node, Or):
        return all(_selects(c) for c in node.children)
    return True


_PARTIAL_DATE = re.compile(r"^(\d{4})年?(?:[-/.]?(\d{1,2})月?)?(?:[-/.]?(\d{1,2})日?)?$")


def _bound(value: str, high: bool, query: str) -> str:
    if not value:
        return ""
    match = _PARTIAL_DATE.match(value.strip())
    if not match:
        raise BadQuery(
            f"bad date '{value}' in: {query}", "write dates as 2023, 2023-06 or 2023-06-04"
        )
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    m = int(month) if month else (12 if high else 1)
    if not 1 <= m <= 12:
        raise BadQuery(f"bad month in date '{value}'", "months run from 1 to 12")
    last = calendar.monthrange(year, m)[1]
    d = int(day) if day else (last if high else 1)
    if not 1 <= d <= last:
        raise BadQuery(f"bad day in date '{value}'", f"{year}-{m:02d} has {last} days")
    return f"{year:04d}-{m:02d}-{d:02d}"


def parse_dates(value: str, query: str = "") -> DateRange:
    """``2023``, ``2023-06``, ``A..B``, ``>=A``, ``>A``, ``<=B``, ``<B`` → an inclusive range."""
    query = query or value
    value = value.strip()
    for op in (">=", "<=", ">", "<"):
        if value.startswith(op):
            rest = value[len(op) :]
            if op == ">=":
                return DateRange(_bound(rest, False, query), "")
            if op == "<=":
                return DateRange("", _bound(rest, True, query))
            if op == ">":
                return DateRange(_after(_bound(rest, True, query)), "")
            return DateRange("", _before(_bound(rest, False, query)))
    if ".." in value:
        low, _, high = value.partition("..")
        if not low and not high:
            raise BadQuery(f"empty date range in: {query}", "write date:2023-01..2023-06")
        found = DateRange(_bound(low, False, query), _bound(high, True, query))
        if found.low and found.high and found.low > found.high:
            raise BadQuery(
                f"the date range {value} ends before it starts: {query}",
                f"write the earlier date first: date:{high}..{low}",
            )
        return found
    if not value:
        raise BadQuery(f"empty date in: {query}", "write date:2023 or date:2023-06")
    return DateRange(_bound(value, False, query), _bound(value, True, query))


def _after(iso: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(iso) + dt.timedelta(days=1)).isoformat()


def _before(iso: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(iso) - dt.timedelta(days=1)).isoformat()


def positive_terms(node: Node) -> list[Term]:
    """The terms that make a passage match (not under NOT), in query order, distinct."""
    out: dict[Term, None] = {}

    def walk(n: Node, negated: bool) -> None:
        if isinstance(n, Term):
            if not negated:
                out.setdefault(n, None)
        elif isinstance(n, Not):
            walk(n.child, not negated)
        elif isinstance(n, And | Or):
            for child in n.children:
                walk(child, negated)

    walk(node, False)
    return list(out)
