"""JSON Lines of hits, fast: ``json_line(hit_object(hit, qid))`` (``search.render``), the same
bytes, written without building the object (#11: ``-n 0 --json`` writes every hit)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

from search.models import Document, Hit, location
from search.render import (
    _ENCODER,
    _JSON_UNSAFE,
    JSON_SCHEMA_VERSION,
    _escape,
    hit_object,
    json_line,
)

_quote: Callable[[str], str] = json.encoder.encode_basestring


class HitLines:
    """``json_line(hit_object(hit, qid))``, the same bytes, written without building the object:
    the document's part of a line is encoded once per document (for a few thousand of the
    latest documents, so memory stays flat however many hits are written)."""

    _KEPT = 1 << 10

    def __init__(self) -> None:
        self._documents: dict[int, tuple[Document, str, str]] = {}

    def _document(self, d: Document) -> tuple[str, str]:
        found = self._documents.get(id(d))
        if found is None or found[0] is not d:
            if len(self._documents) >= self._KEPT:
                self._documents.clear()
            head = f'"doc_id": {_string(d.doc_id)}, "path": {_string(d.path)}'
            fields = (
                f'"title": {_string(d.title)}, "date": {_string(d.date or None)}, '
                f'"issuer": {_string(d.issuer or None)}, '
                f'"doc_number": {_string(d.doc_number or None)}, "url": {_string(d.url or None)}'
            )
            found = self._documents[id(d)] = (d, head, fields)
        return found[1], found[2]

    def __call__(self, hit: Hit, qid: str | None = None) -> str:
        if hit.explain is not None or hit.copies:
            return json_line(hit_object(hit, qid))
        p = hit.passage
        head, fields = self._document(hit.document)
        match_line = hit.match_line
        where = _string(location(hit.document, p, match_line))
        spans = ", ".join([f"[{s.start:d}, {s.end:d}]" for s in hit.spans])
        # whole numbers as Python writes them (the store and the stages give ints, never bools)
        line = (
            f'"schema_version": {JSON_SCHEMA_VERSION}, "rank": {hit.rank:d}, '
            f'"score": {_float(round(hit.score, 4))}, {head}, "line": {p.line:d}, '
            f'"end_line": {p.end_line:d}, "match_line": {match_line:d}, '
            f'"paragraph": {p.paragraph:d}, "location": {where}, {fields}, '
            f'"headings": {_strings(p.headings)}, "text": {_string(p.text)}, "spans": [{spans}], '
            f'"partial": {_bool(hit.partial)}, "matched": {_strings(hit.matched)}, '
            f'"ocr": {_bool(p.ocr)}}}'
        )
        first = "{" if qid is None else '{"qid": ' + _string(qid) + ", "
        return _JSON_UNSAFE.sub(_escape, first + line)


def _string(value: object) -> str:
    if type(value) is str:
        return _quote(value)
    return "null" if value is None else _ENCODER.encode(value)


def _strings(values: tuple[str, ...]) -> str:
    return "[" + ", ".join([_string(v) for v in values]) + "]" if values else "[]"


def _float(value: object) -> str:
    if type(value) is float and math.isfinite(value):
        return float.__repr__(value)
    return _ENCODER.encode(value)


def _bool(value: object) -> str:
    return "true" if value is True else "false" if value is False else _ENCODER.encode(value)
