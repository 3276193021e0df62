"""JSON Lines of hits, fast: ``json_line(hit_object(hit, qid))`` (``search.render``), the same
bytes, written without building the object (#11: ``-n 0 --json`` writes every hit)."""

from __future__ import annotations

import io
import json
import math
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Sequence
from typing import Any, TextIO

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


SPLIT_FROM = 20_000  # hits: a longer list is written by two processes (``write_stream``)
_CHUNK = 1 << 20


def write_stream(stream: Any, out: TextIO, missing: Sequence[str] = ()) -> None:
    """A search's hits as JSON Lines (``search.render.write_jsonl``).  A long list (``-n 0``)
    is written by two processes where the system can fork and has two cores: a forked child
    writes the second half of the hits into an unlinked temporary file while this process
    writes the first half to ``out``, which then gets the child's lines after its own; the
    same bytes in the same order, memory flat (the child's half waits on disk).  Should the
    child fail, this process writes the second half itself."""
    from search.render import write_jsonl

    if missing or stream.part is None or stream.count < SPLIT_FROM or not _two_cores():
        write_jsonl(stream.hits, out, missing=missing)
        return
    half = stream.count // 2
    try:
        spill = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the with below
    except OSError:  # no room for it: one process
        write_jsonl(stream.hits, out)
        return
    with spill:
        out.flush()
        try:
            child = os.fork()
        except OSError:  # no process to spare: one process
            write_jsonl(stream.hits, out)
            return
        if child == 0:  # pragma: no cover - the child's own coverage is not collected
            code = 1
            try:
                with open(spill.fileno(), "w", encoding="utf-8", closefd=False) as sink:
                    write_jsonl(stream.part(half, stream.count), sink)
                code = 0
            finally:
                os._exit(code)
        try:
            write_jsonl(stream.part(0, half), out)
            _, status = os.waitpid(child, 0)
        except BaseException:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            raise
        if os.waitstatus_to_exitcode(status) != 0:
            write_jsonl(stream.part(half, stream.count), out)
            return
        spill.seek(0)
        _copy(spill, out)


def _two_cores() -> bool:
    return hasattr(os, "fork") and sys.platform == "linux" and (os.cpu_count() or 1) > 1


def _copy(spill: Any, out: TextIO) -> None:
    """The spilled lines after what ``out`` holds: as bytes when it has a buffer (stdout)."""
    out.flush()
    target = getattr(out, "buffer", None)
    if (
        target is not None
        and (getattr(out, "encoding", "") or "").lower().replace("-", "") == "utf8"
    ):
        while chunk := spill.read(_CHUNK):
            target.write(chunk)
        target.flush()
        return
    text = io.TextIOWrapper(spill, encoding="utf-8")
    while chunk := text.read(_CHUNK):
        out.write(chunk)
    text.detach()
