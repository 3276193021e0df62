"""Interchangeable readers of the same hits: terminal (Rich), JSON Lines, TSV, TREC.

Document text is data: the terminal renderer styles ``rich.text.Text`` by offsets (never
markup built from document text) and shows control, escape and bidi characters as inert
symbols; JSON escapes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from search.models import Hit
from search.snippets import clip, window

JSON_SCHEMA_VERSION = 1
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _inert_table() -> dict[int, int]:
    table = {cp: 0x2400 + cp for cp in range(0x20) if cp not in (0x09, 0x0A)}
    table[0x09] = 0x20
    table[0x0A] = 0x20
    table[0x7F] = 0x2421
    for cp in range(0x80, 0xA0):
        table[cp] = 0xFFFD
    for ch in _BIDI:
        table[ord(ch)] = 0xFFFD
    return table


_INERT = _inert_table()
_JSON_ESCAPE = {cp: f"\\u{cp:04x}" for cp in [*range(0x7F, 0xA0), *map(ord, _BIDI), 0x2028, 0x2029]}


def inert(text: str) -> str:
    """One visible character for every control, escape or bidi character (offsets unchanged)."""
    return text.translate(_INERT)


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
            "score": hit.score,
            "doc_id": d.doc_id,
            "path": d.path,
            "line": p.line,
            "end_line": p.end_line,
            "match_line": p.line_at(hit.spans[0].start) if hit.spans else p.line,
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
        }
    )
    return obj


def json_line(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False).translate(_JSON_ESCAPE)


def write_jsonl(hits: Iterable[Hit], out: TextIO, qid: str | None = None) -> None:
    for hit in hits:
        out.write(json_line(hit_object(hit, qid)) + "\n")


TSV_COLUMNS = (
    "qid",
    "rank",
    "score",
    "doc_id",
    "path",
    "line",
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
            hit.score,
            hit.document.doc_id,
            hit.document.path,
            hit.passage.line,
            hit.passage.paragraph,
            str(hit.partial).lower(),
            hit.document.title,
            hit.passage.text[start:end],
        )
        out.write("\t".join(_tsv_cell(v) for v in row) + "\n")


def write_trec(hits: Iterable[Hit], out: TextIO, qid: str, run: str = "govsearch") -> None:
    """One line per document (its best passage): ``qid Q0 doc_id rank score run``."""
    seen: set[str] = set()
    rank = 0
    for hit in hits:
        doc_id = hit.document.doc_id
        if doc_id in seen:
            continue
        seen.add(doc_id)
        rank += 1
        safe = "".join(ch if not ch.isspace() else "_" for ch in inert(doc_id))
        out.write(f"{qid} Q0 {safe} {rank} {hit.score:.4f} {run}\n")


def terminal(hits: list[Hit], console: Any) -> None:
    """Ranked hits for a person: location, title · issuer · date, section, snippet."""
    from rich.text import Text

    for hit in hits:
        d, p = hit.document, hit.passage
        line = p.line_at(hit.spans[0].start) if hit.spans else p.line
        loc = f"{d.path}:p{line}" if d.fmt == "pdf" else f"{d.path}:{line}"
        head = Text()
        head.append(f"{hit.rank:>2}  ", style="dim")
        head.append(inert(loc), style="bold magenta")
        if hit.partial:
            head.append("  [partial: " + ", ".join(hit.matched) + "]", style="yellow")
        console.print(head)
        article = p.headings[0] if p.headings else d.title
        info = [x for x in (article, d.issuer, d.date) if x]
        if info:
            console.print(Text("    " + inert(" · ".join(info)), style="cyan"))
        if len(p.headings) > 1:
            console.print(Text("    § " + inert(" › ".join(p.headings[1:])), style="green"))
        console.print(_snippet(hit, Text))
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
