"""Interchangeable readers of the same hits: terminal (Rich), JSON Lines, TSV, TREC, paths
(the terminal forms of ``show`` excerpts and ``stats``: ``render_inspect``).

Document text is data: the terminal renderer styles ``rich.text.Text`` by offsets (never
markup built from document text) and shows control, escape and bidi characters as inert
symbols; JSON escapes them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

from search.inert import BIDI as _BIDI
from search.inert import inert
from search.models import SHEET_FORMATS, Document, Explanation, Hit, Part
from search.snippets import clip, window

JSON_SCHEMA_VERSION = 1
# Escaped in JSON output: C1 controls, bidi controls, line/paragraph separators.  A regular
# expression finds them at C speed (str.translate with this table cost 55 µs a hit).
_JSON_UNSAFE = re.compile("[\x7f-\x9f" + _BIDI + "\u2028\u2029]")


def hit_object(hit: Hit, qid: str | None = None) -> dict[str, Any]:
    """The JSON contract of one hit (README: "JSON output")."""
    d, p = hit.document, hit.passage
    obj: dict[str, Any] = {}
    if qid is not None:
        obj["qid"] = qid
    obj.update(
        {
            "schema_version": JSON_SCHEMA_VERSION,
            "rank": hit.rank,
            "score": round(hit.score, 4),
            "doc_id": d.doc_id,
            "path": d.path,
            "line": p.line,
            "end_line": p.end_line,
            "match_line": hit.match_line,
            "paragraph": p.paragraph,
            "location": hit.location,
            "title": d.title,
            "date": d.date or None,
            "issuer": d.issuer or None,
            "doc_number": d.doc_number or None,
            "url": d.url or None,
            "headings": list(p.headings),
            "text": p.text,
            "spans": [[s.start, s.end] for s in hit.spans],
            "partial": hit.partial,
            "matched": list(hit.matched),
            "ocr": p.ocr,
        }
    )
    if hit.explain is not None:
        obj["explain"] = explain_object(hit.explain)
    if hit.copies:
        obj["copies"] = [copy_object(c) for c in hit.copies]
    return obj


def copy_object(d: Document) -> dict[str, Any]:
    """A repost a hit stands for (README: "JSON output", ``copies``)."""
    return {
        "doc_id": d.doc_id,
        "path": d.path,
        "title": d.title,
        "date": d.date or None,
        "issuer": d.issuer or None,
        "url": d.url or None,
    }


_BM25_KEYS = ("tf", "df", "idf", "weight", "length", "average_length")
_KEYS = {
    "title": ("df", "idf", "weight"),
    "headings": ("df", "idf", "weight"),
    "proximity": ("weight", "gap"),
    "lead": ("weight",),
}


def _part_keys(part: Part) -> tuple[str, ...]:
    return _KEYS.get(part.field if part.kind == "word" else part.kind, _BM25_KEYS)


def _detail(part: Part, key: str) -> float | int:
    value = part.average if key == "average_length" else getattr(part, key)
    return int(value) if key in ("tf", "df", "length", "gap") else value


def explain_object(explain: Explanation) -> dict[str, Any]:
    """The ``explain`` object of a hit's JSON (README: "JSON output")."""
    parts = []
    for part in explain.parts:
        obj: dict[str, Any] = {"kind": part.kind, "field": part.field or None}
        obj["term"] = part.term or None
        obj["value"] = part.value
        obj.update((key, _detail(part, key)) for key in _part_keys(part))
        parts.append(obj)
    return {
        "score": explain.score,
        "whole_query": explain.whole_query,
        "together": explain.together,
        "reranked": explain.reranked,
        "k1": explain.k1,
        "b": explain.b,
        "parts": parts,
    }


def json_line(obj: dict[str, Any]) -> str:
    return _JSON_UNSAFE.sub(_escape, _ENCODER.encode(obj))


_ENCODER = json.JSONEncoder(ensure_ascii=False)  # one encoder for every line (json.dumps makes
# a new one per call when given options)


def _escape(found: re.Match[str]) -> str:
    return f"\\u{ord(found.group()):04x}"


def write_jsonl(
    hits: Iterable[Hit], out: TextIO, qid: str | None = None, missing: Sequence[str] = ()
) -> None:
    """One JSON object per hit; ``partial_shards`` names the shards a search answered
    without (``--allow-partial``)."""
    from search.jsonlines import HitLines

    line = HitLines()
    for hit in hits:
        if missing:
            found = hit_object(hit, qid)
            found["partial_shards"] = list(missing)
            out.write(json_line(found) + "\n")
        else:
            out.write(line(hit, qid) + "\n")


TSV_COLUMNS = (
    "qid",
    "rank",
    "score",
    "doc_id",
    "path",
    "location",
    "line",
    "end_line",
    "paragraph",
    "partial",
    "title",
    "snippet",
)


def _tsv_cell(value: object) -> str:
    return inert(str(value)).replace("\t", " ")


def write_tsv(hits: Iterable[Hit], out: TextIO, qid: str) -> None:
    for hit in hits:
        start, end = window(hit.passage.text, hit.spans)
        row = (
            qid,
            hit.rank,
            round(hit.score, 4),
            hit.document.doc_id,
            hit.document.path,
            hit.location,
            hit.passage.line,
            hit.passage.end_line,
            hit.passage.paragraph,
            str(hit.partial).lower(),
            hit.document.title,
            "…" * (start > 0) + hit.passage.text[start:end] + "…" * (end < len(hit.passage.text)),
        )
        out.write("\t".join(_tsv_cell(v) for v in row) + "\n")


def _trec_token(text: str) -> str:
    return "".join("_" if ch.isspace() else ch for ch in inert(text)) or "_"


def write_trec(hits: Iterable[Hit], out: TextIO, qid: str, run: str = "govsearch") -> None:
    """One line per hit: ``qid Q0 doc_id rank score run`` (the searcher gives one passage per
    document: ``Options(distinct="document")``).

    Evaluation tools order a run by score, not by rank, so the scores written never rise with
    the rank: a score not below the previous one (a partial hit after full ones, a tie) is
    written 0.0001 below it.
    """
    previous: int | None = None
    for rank, hit in enumerate(hits, 1):
        doc_id = hit.document.doc_id
        score = round(hit.score * 10000)
        if previous is not None and score >= previous:
            score = previous - 1
        previous = score
        out.write(f"{_trec_token(qid)} Q0 {_trec_token(doc_id)} {rank} {score / 10000:.4f} {run}\n")


Writer = Callable[[str, list[Hit]], None]
BATCH_FORMATS = ("jsonl", "tsv", "trec")


def batch_writer(fmt: str, out: TextIO, run: str = "govsearch") -> Writer:
    """A writer of each query's hits in ``fmt`` (the TSV header is written at once)."""
    if fmt == "tsv":
        out.write("\t".join(TSV_COLUMNS) + "\n")
        return lambda qid, hits: write_tsv(hits, out, qid)
    if fmt == "trec":
        return lambda qid, hits: write_trec(hits, out, qid, run)
    return lambda qid, hits: write_jsonl(hits, out, qid)


def partial_notice(result: Any) -> str:
    """What a person at a terminal is told first when no passage matches the whole query
    (``result``: a search's ``Result`` or ``Stream``)."""
    if not result.total:
        return "no matches"
    if result.strict_total:
        return ""
    if len(result.keywords) == 1:
        return f"no passage contains {result.keywords[0]} — showing passages with some of its words"
    if not result.keywords:
        return "no passage matches the whole query — showing passages that match part of it"
    return (
        f"no passage contains all of: {', '.join(result.keywords)} — "
        "showing passages with some of them"
    )


def write_paths(hits: Iterable[Hit], out: TextIO) -> None:
    """The documents hit, one per line, in rank order (the searcher gives one hit per
    document: ``Options(distinct="document")``): a file's path, or a JSON Lines record's
    ``path:line``."""
    seen: set[str] = set()
    for hit in hits:
        d = hit.document
        name = f"{d.path}:{hit.passage.line}" if d.fmt == "jsonl" else d.path
        if name not in seen:
            seen.add(name)
            out.write(inert(name) + "\n")


class PlainText:
    """What ``terminal`` needs of Rich's ``Text``, for output without styles: the text alone
    (so that a search printing to a pipe or a file does not import Rich)."""

    def __init__(self, text: str = "", style: str = "") -> None:
        self.plain = text

    def append(self, text: str, style: str = "") -> PlainText:
        self.plain += text
        return self

    def stylize(self, style: str, start: int = 0, end: int | None = None) -> None:
        """Styles are not shown."""

    def __len__(self) -> int:
        return len(self.plain)


class PlainConsole:
    """A console that prints ``PlainText`` lines as they are: what Rich prints without colour
    and without wrapping (``soft_wrap``), control characters already made inert."""

    text_cls = PlainText

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def print(self, line: PlainText | None = None) -> None:
        self.out.write((line.plain if line is not None else "") + "\n")


def terminal(hits: Iterable[Hit], console: Any) -> None:
    """Ranked hits for a person: location, title · issuer · date, section, snippet."""
    Text: Any = getattr(console, "text_cls", None)  # Rich's class, or the plain one
    if Text is None:
        from rich.text import Text

    for hit in hits:
        d, p = hit.document, hit.passage
        head = Text()
        head.append(f"{hit.rank:>2}  ", style="dim")
        head.append(inert(hit.location), style="bold magenta")
        if p.ocr:
            head.append("  [ocr]", style="yellow")
        if hit.partial:
            head.append("  [partial: " + ", ".join(hit.matched) + "]", style="yellow")
        console.print(head)
        # a spreadsheet row's first heading is its sheet: a section, not an article
        sections = p.headings if d.fmt in SHEET_FORMATS else p.headings[1:]
        article = p.headings[0] if p.headings and d.fmt not in SHEET_FORMATS else d.title
        if article == p.text:  # the hit is the title itself: do not print it twice
            article = ""
        info = [x for x in (article, d.issuer, d.date) if x]
        if info:
            console.print(Text("    " + inert(" · ".join(info)), style="cyan"))
        if sections:
            console.print(Text("    § " + inert(" › ".join(sections)), style="green"))
        console.print(_snippet(hit, Text))
        if hit.copies:
            n = len(hit.copies)
            console.print(Text(f"    also in {n} other document{'s' * (n > 1)}", style="dim"))
        for line in _explain_tree(hit.explain, Text) if hit.explain else ():
            console.print(line)
        console.print()


def _snippet(hit: Hit, text_cls: Any) -> Any:
    text = hit.passage.text
    start, end = window(text, hit.spans)
    body = text_cls("    ")
    if start > 0:
        body.append("…")
    offset = len(body)
    body.append(inert(text[start:end]))
    for span in clip(hit.spans, start, end):
        body.stylize("bold red", offset + span.start, offset + span.end)
    if end < len(text):
        body.append("…")
    return body


def _explain_tree(explain: Explanation, text_cls: Any) -> list[Any]:
    """A hit's score as a compact tree: what ordered it first, then one branch per part."""
    from rich.cells import cell_len

    order = ["whole query" if explain.whole_query else "partial match"]
    if explain.together is not None:
        order.append("keywords together" if explain.together else "keywords apart")
    head = text_cls("    ")
    head.append(f"score {explain.score:.4f}", style="bold")
    head.append(f" = the parts below; ordered first by {', '.join(order)}", style="dim")
    if not explain.reranked:
        head.append(" (not reranked: each word counted once)", style="dim")
    lines = [head]
    width = max((cell_len(part.term) for part in explain.parts), default=0)
    for i, part in enumerate(explain.parts):
        line = text_cls("    ")
        line.append("└─ " if i == len(explain.parts) - 1 else "├─ ", style="dim")
        line.append(f"{part.value:7.4f}  ")
        line.append(f"{part.kind:<9} ", style="cyan")
        line.append(inert(part.term) + " " * (width - cell_len(part.term) + 1), style="bold")
        if part.kind in ("word", "bigram"):
            line.append(f"{part.field:<9}")
        line.append(_details(part), style="dim")
        lines.append(line)
    return lines


def _details(part: Part) -> str:
    keys = [key for key in _part_keys(part) if key not in ("length", "average_length")]
    out = " · ".join(f"{key} {_number(_detail(part, key))}" for key in keys)
    if "length" in _part_keys(part):
        out += f" · length {int(part.length)}/{part.average:.1f}"
    return out


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:.4g}"
