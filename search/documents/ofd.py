"""OFD files (GB/T 33190, China's fixed-layout e-document format) → blocks, page by page.

An OFD file is a zip of XML parts: ``OFD.xml`` names the document (``DocRoot``), whose
``Document.xml`` lists the pages in order, and each page's ``Content.xml`` places text
objects (``TextObject`` > ``TextCode`` with X/Y in millimetres, ``DeltaX`` glyph advances).
The text codes are put into lines by their baseline and the lines into reading order (top to
bottom, left to right), then joined into paragraphs by the same geometry as PDF text
(``search.documents.pdf.page_blocks``).  ``line`` is the page number: ``file.ofd:pN``.

Read with ``zipfile`` and defusedxml (no DTD, so no entity expansion and no external
entities); part sizes are checked before anything is unpacked (zip bombs).  Templates
(headers, footers, stamps laid over every page), annotations and signatures are not read.
"""

from __future__ import annotations

import itertools
import posixpath
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from search.documents import meta
from search.documents.blocks import Block
from search.documents.pdf import Line, metadata, page_blocks
from search.errors import UnreadableDocument

_MAX_PART = 32 * 1024 * 1024  # unpacked bytes of one XML part
_MAX_TOTAL = 256 * 1024 * 1024  # unpacked bytes of all the parts read
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_RESAVE = "open it in an OFD reader and save or print it as PDF"


class _Bad(Exception):
    """The package is not a usable OFD file (the message says why)."""


@dataclass(frozen=True)
class Fragment:
    """A run of text on a page: its left edge, baseline (down the page), text, size, width
    (one unit throughout: OFD's millimetres, or OCR's pixels)."""

    x: float
    y: float
    text: str
    size: float
    width: float


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element.iter() if _local(child.tag) == name]


class _Package:
    """The zip archive, read part by part with the size limits."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = {name.lstrip("/"): name for name in archive.namelist()}
        self.total = 0

    def part(self, name: str) -> Element:
        import defusedxml.ElementTree as SafeET

        stored = self.names.get(posixpath.normpath(name.lstrip("/")))
        if stored is None:
            raise _Bad(f"{name} is missing")
        info = self.archive.getinfo(stored)
        self.total += info.file_size
        if info.file_size > _MAX_PART or self.total > _MAX_TOTAL:
            raise _Bad(f"{stored} unpacks to {info.file_size // 1_000_000} MB (zip bomb?)")
        with self.archive.open(info) as stream:
            data = stream.read(_MAX_PART + 1)
        if len(data) > _MAX_PART:
            raise _Bad(f"{stored} is too large")
        root: Element = SafeET.fromstring(data, forbid_dtd=True)
        return root


def _numbers(text: str | None) -> list[float]:
    try:
        return [float(v) for v in (text or "").split()]
    except ValueError:
        return []


def _advances(text: str | None) -> list[float]:
    """``DeltaX`` with its ``g N v`` runs (N times the advance v) expanded."""
    tokens, out, i = (text or "").split(), [], 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            out.extend([float(tokens[i + 2])] * min(int(float(tokens[i + 1])), 100_000))
            i += 3
        else:
            out.append(float(tokens[i]))
            i += 1
    return out


def _codes(text_object: Element) -> list[Fragment]:
    box = [*_numbers(text_object.get("Boundary")), 0.0, 0.0]
    size = (_numbers(text_object.get("Size")) or [3.5])[0] or 3.5
    ctm = _numbers(text_object.get("CTM"))
    scale = ctm[0] if len(ctm) == 6 and ctm[0] > 0 else 1.0
    codes = []
    for code in _children(text_object, "TextCode"):
        text = code.text or ""
        if not text.strip():
            continue
        x = (_numbers(code.get("X")) or [0.0])[0] * scale + box[0]
        y = (_numbers(code.get("Y")) or [0.0])[0] * scale + box[1]
        advances = _advances(code.get("DeltaX"))[: len(text) - 1]
        last = size if _CJK.match(text[-1]) else size / 2
        guess = sum(size if _CJK.match(ch) else size / 2 for ch in text[len(advances) :])
        width = (sum(advances) * scale + last) if advances else guess
        codes.append(Fragment(x, y, text, size * scale, width))
    return codes


def fragment_lines(codes: list[Fragment]) -> list[Line]:
    """Fragments on one baseline (within half a character) make a line, left to right; the
    lines come top to bottom (``bottom`` grows up the page, as in PDF).  Shared with OCR."""
    rows: list[list[Fragment]] = []
    for code in sorted(codes, key=lambda c: (c.y, c.x)):
        if rows and abs(code.y - rows[-1][0].y) <= 0.5 * min(code.size, rows[-1][0].size):
            rows[-1].append(code)
        else:
            rows.append([code])
    lines = []
    for row in rows:
        row.sort(key=lambda c: c.x)
        text = row[0].text
        for before, code in itertools.pairwise(row):
            gap = code.x - (before.x + before.width)
            latin = before.text[-1].isascii() and code.text[0].isascii()
            text += (" " if latin or gap > 2 * code.size else "") + code.text
        size = Counter(round(c.size, 1) for c in row).most_common(1)[0][0]
        text = re.sub(r"\s+", " ", text).strip()
        x1 = max(c.x + c.width for c in row)
        lines.append(Line(text, row[0].x, x1, -row[0].y, size))
    return [line for line in lines if line.text]


def _document(package: _Package) -> tuple[str, Element, dict[str, str]]:
    """The path of the first document's Document.xml, the part, and its DocInfo."""
    root = package.part("OFD.xml")
    bodies = _children(root, "DocBody")
    if not bodies:
        raise _Bad("no DocBody in OFD.xml")
    doc_root = next((e.text for e in _children(bodies[0], "DocRoot") if e.text), "")
    if not doc_root:
        raise _Bad("no DocRoot in OFD.xml")
    info: dict[str, str] = {}
    for name in ("Title", "CreationDate"):
        found = _children(bodies[0], name)
        info[name] = (found[0].text or "").strip() if found else ""
    path = posixpath.normpath(doc_root.strip().lstrip("/"))
    return path, package.part(path), info


def _pages(package: _Package) -> tuple[list[list[Line]], dict[str, str]]:
    path, document, info = _document(package)
    if _children(document, "Encryptions") or "Encryptions.xml" in package.names:
        raise _Encrypted
    folder = posixpath.dirname(path)
    pages = []
    for page in _children(document, "Page"):
        location = (page.get("BaseLoc") or "").strip()
        if not location:
            continue
        if not location.startswith("/"):
            location = posixpath.join(folder, location)
        content = package.part(location)
        codes = [c for t in _children(content, "TextObject") for c in _codes(t)]
        pages.append(fragment_lines(codes))
    return pages, info


class _Encrypted(Exception):
    """The document's parts are encrypted."""


def _info_for_pdf(info: dict[str, str]) -> dict[str, str]:
    """DocInfo in the form ``pdf.metadata`` reads (``D:YYYYMMDD`` creation dates)."""
    date = meta.parse_date(info.get("CreationDate", ""))
    return {"Title": info.get("Title", ""), "CreationDate": "D:" + date.replace("-", "")}


def read_ofd(data: bytes, name: str) -> tuple[list[Block], meta.Metadata]:
    """The text of an OFD file as paragraphs (``line`` is the page number), and metadata."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            pages, info = _pages(_Package(archive))
    except _Encrypted as exc:
        raise UnreadableDocument(
            f"{name}: encrypted OFD file", "save a copy without encryption"
        ) from exc
    except _Bad as exc:
        raise UnreadableDocument(f"{name}: {exc}", _RESAVE) from exc
    except zipfile.BadZipFile as exc:
        raise UnreadableDocument(
            f"{name}: not an OFD file (not a zip archive)", "check the file"
        ) from exc
    except Exception as exc:  # damaged XML, DTDs (defusedxml), truncated members…
        raise UnreadableDocument(f"{name}: {_reason(exc)}", _RESAVE) from exc
    blocks = page_blocks(pages)
    if not blocks:
        raise UnreadableDocument(
            f"{name}: no text in this OFD file (scanned pages?)", "run OCR on it first"
        )
    return blocks, metadata(blocks, _info_for_pdf(info))


def _reason(exc: Any) -> str:
    kind = type(exc).__name__
    if kind in ("DTDForbidden", "EntitiesForbidden", "ExternalReferenceForbidden"):
        return "an XML part declares a DTD (not allowed in OFD)"
    if isinstance(exc, ParseError):
        return "damaged OFD file (ParseError)"
    return f"damaged OFD file ({kind})"
