"""Many queries over one open index (``govsearch batch``).

Input lines are plain query text, JSON objects ``{"id", "query", "limit", "issuer",
"since", "until"}`` (a line starting with ``{`` is JSON; only ``query`` is required, other keys
are ignored), or ``id<TAB>query``; in UTF-8 or GB18030/GBK.  Empty lines and lines starting
with ``#`` are skipped.  A plain line's query id is its 1-based line number; a JSON line's is
its ``id`` (else its line number).  A bad line
becomes a ``BadLine`` that the caller reports; the other lines still run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from search.errors import BadInput, BadQuery
from search.models import Hit
from search.searching import Options, Searcher


@dataclass(frozen=True)
class BatchQuery:
    """One query of a batch: its input line, query id, text and options."""

    line: int
    qid: str
    text: str
    options: Options


@dataclass(frozen=True)
class BadLine:
    """An input line that cannot run, and why."""

    line: int
    message: str


Item = BatchQuery | BadLine
Writer = Callable[[str, list[Hit]], None]


@dataclass
class BatchReport:
    queries: int = 0  # queries that ran (with or without hits)
    bad: list[BadLine] = field(default_factory=list)
    matched: int = 0  # queries with a passage matching the whole query

    def summary(self) -> str:
        """The last line on stderr when some lines were bad."""
        lines = ", ".join(str(b.line) for b in self.bad[:10])
        more = ", …" if len(self.bad) > 10 else ""
        noun = "line" if len(self.bad) == 1 else "lines"
        ran = "1 query" if self.queries == 1 else f"{self.queries} queries"
        return f"{len(self.bad)} bad {noun} skipped ({lines}{more}); {ran} ran"


INPUTS = ("auto", "text", "jsonl", "tsv")


def parse(data: bytes, defaults: Options, form: str = "auto") -> list[Item]:
    """The queries (and bad lines) of a batch input, in input order.

    ``form``: ``text`` (a line is the query), ``jsonl`` (a JSON object), ``tsv``
    (``id<TAB>query``, as the topics of MS MARCO), or ``auto``: a line starting with ``{`` is
    JSON, one holding a tab is ``id<TAB>query``, any other is text."""
    items: list[Item] = []
    for number, line in enumerate(_lines(data), 1):
        if isinstance(line, BadLine):
            items.append(replace(line, line=number))
            continue
        text = line.lstrip("\ufeff").strip()
        if not text or text.startswith("#"):
            continue
        kind = form
        if form == "auto":
            kind = "jsonl" if text.startswith("{") else "tsv" if "\t" in text else "text"
        if kind == "jsonl":
            items.append(_json_line(number, text, defaults))
        elif kind == "tsv":
            items.append(_tsv_line(number, text, defaults))
        else:
            items.append(BatchQuery(number, str(number), text, defaults))
    return items


def _lines(data: bytes) -> list[str | BadLine]:
    """The input's lines: UTF-8, or GB18030/GBK when no line with other than ASCII is UTF-8
    (as documents are read); else each line that is not UTF-8 is a bad line."""
    raw = data.split(b"\n")
    try:
        return list(data.decode("utf-8").split("\n"))
    except UnicodeDecodeError:
        pass
    wide = [line for line in raw if not line.isascii()]
    if not any(_utf8(line) for line in wide):
        try:
            return list(data.decode("gb18030").split("\n"))
        except UnicodeDecodeError:
            pass
    out: list[str | BadLine] = []
    for line in raw:
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            out.append(BadLine(0, f"neither UTF-8 nor GB18030 text (byte {exc.start + 1})"))
    return out


def _utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _tsv_line(number: int, text: str, defaults: Options) -> Item:
    qid, tab, query_text = text.partition("\t")
    if not tab or not qid.strip() or not query_text.strip():
        return BadLine(number, "expected id<TAB>query")
    return BatchQuery(number, qid.strip(), query_text.strip(), defaults)


def _json_line(number: int, text: str, defaults: Options) -> Item:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return BadLine(number, f"not valid JSON: {exc.msg} (column {exc.colno})")
    if not isinstance(obj, dict):
        return BadLine(number, 'a line starting with "{" must be one JSON object')
    try:
        return BatchQuery(number, _qid(obj, number), _query(obj), _options(obj, defaults))
    except ValueError as exc:
        return BadLine(number, str(exc))


def _query(obj: dict[str, Any]) -> str:
    if "query" not in obj:
        raise ValueError('no "query" in this JSON line')
    text = obj["query"]
    if not isinstance(text, str) or not text.strip():
        raise ValueError('"query" must be a non-empty string')
    return text


def _qid(obj: dict[str, Any], number: int) -> str:
    qid = obj.get("id", number)
    if isinstance(qid, bool) or not isinstance(qid, str | int) or qid == "":
        raise ValueError('"id" must be a non-empty string or an integer')
    return str(qid)


def _options(obj: dict[str, Any], defaults: Options) -> Options:
    limit = obj.get("limit", defaults.limit)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError('"limit" must be a whole number, 0 or more (0 = all)')
    issuer, since, until = (_string(obj, key, getattr(defaults, key)) for key in _FILTERS)
    return replace(defaults, limit=limit, issuer=issuer, since=since, until=until)


_FILTERS = ("issuer", "since", "until")


def _string(obj: dict[str, Any], key: str, default: str) -> str:
    value = obj.get(key, default)
    if not isinstance(value, str):
        raise ValueError(f'"{key}" must be a string')
    return value


def run(
    searcher: Searcher,
    items: list[Item],
    write: Writer,
    on_bad: Callable[[BadLine], None],
    progress: Callable[[int, int, str], None] | None = None,
) -> BatchReport:
    """Run every query on the open index, in order; hits go to ``write``, bad lines to
    ``on_bad`` as they come."""
    report = BatchReport()
    for done, item in enumerate(items, 1):
        if isinstance(item, BatchQuery):
            try:
                result = searcher.search(item.text, item.options)
            except (BadQuery, BadInput) as exc:
                item = BadLine(item.line, exc.message)
            else:
                write(item.qid, result.hits)
                report.queries += 1
                report.matched += bool(result.strict_total)
        if isinstance(item, BadLine):
            report.bad.append(item)
            on_bad(item)
        if progress:
            progress(done, len(items), f"line {item.line}")
    return report
