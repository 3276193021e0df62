"""Highlight spans and snippet windows, as half-open code-point offsets.  Data, not markup."""

from __future__ import annotations

from search.models import Span

SNIPPET_WIDTH = 160


def match_spans(norm_text: str, terms: list[str]) -> tuple[Span, ...]:
    """Every literal occurrence of every term in the (normalised) text, merged where they
    overlap or touch.  Offsets hold for the original text: normalisation is one-to-one."""
    if len(terms) == 1:
        return _one_term(norm_text, terms[0])
    marks: list[tuple[int, int]] = []
    for term in terms:
        if not term:
            continue
        start = norm_text.find(term)
        while start >= 0:
            marks.append((start, start + len(term)))
            start = norm_text.find(term, start + 1)
    marks.sort()
    merged: list[list[int]] = []
    for start, end in marks:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple(Span(s, e) for s, e in merged)


def _one_term(norm_text: str, term: str) -> tuple[Span, ...]:
    """``match_spans`` of one term: its occurrences come in order, so merging needs no sort."""
    if not term:
        return ()
    merged: list[list[int]] = []
    size = len(term)
    find = norm_text.find
    start = find(term)
    while start >= 0:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = start + size
        else:
            merged.append([start, start + size])
        start = find(term, start + 1)
    return tuple(Span(s, e) for s, e in merged)


def window(text: str, spans: tuple[Span, ...], width: int = SNIPPET_WIDTH) -> tuple[int, int]:
    """The ``[start, end)`` stretch of ``text`` to show: the ``width`` characters holding the
    most highlighted characters, starting a little before the first of them."""
    if len(text) <= width:
        return 0, len(text)
    if not spans:
        return 0, width
    best_start, best_cover = 0, -1
    for span in spans:
        start = max(0, min(span.start - width // 8, len(text) - width))
        cover = sum(max(0, min(s.end, start + width) - max(s.start, start)) for s in spans)
        if cover > best_cover:
            best_start, best_cover = start, cover
    return best_start, best_start + width


def clip(spans: tuple[Span, ...], start: int, end: int) -> tuple[Span, ...]:
    """Spans inside ``[start, end)``, shifted to be relative to ``start``."""
    return tuple(
        Span(max(s.start, start) - start, min(s.end, end) - start)
        for s in spans
        if s.end > start and s.start < end
    )
