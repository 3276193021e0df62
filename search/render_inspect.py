"""The terminal forms of ``govsearch show`` (a passage in its document) and ``govsearch
stats``.  Document text is data: styled by offsets, control characters made inert."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TextIO

from search.inert import inert
from search.models import Passage

if TYPE_CHECKING:
    from search.show import Excerpt
    from search.stats import Stats


def excerpt(shown: Excerpt, console: Any) -> None:
    """A passage in its document: a header, then ``mark line  text`` per passage, the
    passages the location points at marked ``>``, the query's matches highlighted."""
    from rich.text import Text

    d = shown.document
    head = Text(inert(d.path), style="bold magenta")
    if d.doc_id != d.path:
        head.append(f" ({inert(d.doc_id)})")
    console.print(head)
    info = [x for x in (d.title, d.issuer, d.date) if x]
    if info:
        console.print(Text(inert(" · ".join(info)), style="cyan"))
    console.print()
    labels = [_label(d.fmt, p) for p in shown.passages]
    width = max((len(label) for label in labels), default=0)
    for passage, label, spans in zip(shown.passages, labels, shown.spans, strict=True):
        marked = passage.paragraph in shown.marked
        row = Text(">" if marked else " ", style="bold")
        row.append(f" {label:>{width}}  ", style="bold magenta" if marked else "dim")
        offset = len(row)
        row.append(inert(passage.text))
        for span in spans:
            row.stylize("bold red", offset + span.start, offset + span.end)
        console.print(row)


def _label(fmt: str, passage: Passage) -> str:
    """A passage's place in ``show``: its line (``pN``: a PDF or OFD page; ``Sheet:row``: a
    spreadsheet row; ``line#pN``: paragraph N of a JSON Lines record)."""
    if fmt == "jsonl":
        return f"{passage.line}#p{passage.paragraph}"
    return passage.place(fmt)


def write_stats(stats: Stats, out: TextIO) -> None:
    """``govsearch stats`` for a person: one ``name  value`` line each, then the counts."""
    from search.config import display_path

    stale = stats.out_of_date_files
    fresh = (
        f"no: {stale} file{'s' * (stale != 1)} changed since the last update" if stale else "yes"
    )
    rows = [
        ("index", stats.index),
        ("documents", str(stats.documents)),
        ("passages", str(stats.passages)),
        ("size", f"{_human_size(stats.size_bytes)} ({stats.size_bytes} bytes)"),
        ("updated", stats.updated or "never"),
        *(("collection", display_path(root)) for root in stats.roots),
        ("segmenter", stats.segmenter),
        ("dictionary", stats.dictionary + (f" + {stats.userdict}" if stats.userdict else "")),
        ("up to date", fresh),
    ]
    for name, value in rows:
        out.write(f"{name:<12}{inert(value)}\n")
    out.write("\ndocuments by issuer\n")
    for issuer, n in stats.by_issuer:
        out.write(f"{n:>8}  {inert(issuer) or '(no issuer)'}\n")
    out.write("\ndocuments by year\n")
    for year, n in stats.by_year:
        out.write(f"{n:>8}  {year or '(undated)'}\n")
    if stats.shards:
        out.write(f"\n{'shard':<10}{'documents':>10}{'passages':>10}{'size':>10}  node\n")
        for s in stats.shards:
            size = _human_size(s.size_bytes)
            out.write(f"{s.name:<10}{s.documents:>10}{s.passages:>10}{size:>10}  {inert(s.node)}\n")


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"
