"""PDF files → blocks: the text layer, one block per paragraph, located by page number.

Uses pypdfium2 (PDFium, the PDF engine of Chromium: fast, decrypts RC4 and AES, and gives the
box and size of every character).  Lines are joined into paragraphs by their geometry: a line
that is indented, follows a short line, a wider gap or a change of font size starts a
paragraph.  Running page numbers are dropped.  Larger type than the body becomes a heading.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from search.documents import meta
from search.documents.blocks import Block
from search.errors import UnreadableDocument

if TYPE_CHECKING:
    from search.documents.ocr import Recognizer

_CLOSING = set("。！？；：…”’」』）)》〉】〕!?;:.")
_LIST_START = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]\D|第[一二三四五六七八九十百\d]+[条章节])"
)
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－_\s]*\d{1,4}[-—–－_\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?"
    r"|\d+\s*/\s*\d+|page\s*\d+(?:\s*of\s*\d+)?)$",
    re.IGNORECASE,
)
_LATIN_WORD = re.compile(r"[A-Za-z0-9][\w'’.,-]*", re.ASCII)
_TITLE_WORDS = re.compile(r"关于|通知|公告|通告|决定|意见|办法|规定|方案|规划|报告|批复|答复|函")
_INFO_DATE = re.compile(r"D:((?:19|20)\d\d)(\d\d)(\d\d)")
_GENERIC_TITLE = re.compile(r"^(?:microsoft word - |untitled|无标题|文档\d*$|document\d*$)", re.I)
_CJK = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]"
_LOCK = threading.Lock()  # PDFium is not thread-safe
_GENERATED_CJK = re.compile(rf"(?<={_CJK})\x00+(?={_CJK})")


@dataclass
class Line:
    """A text line and its geometry (``bottom`` grows up the page, as in PDF)."""

    text: str
    x0: float
    x1: float
    bottom: float
    size: float


@dataclass
class _Para:
    text: str
    page: int
    size: float


def _box(box: tuple[float, float, float, float], rotation: int) -> tuple[float, ...]:
    """A character box (left, bottom, right, top) turned as the page is shown."""
    left, bottom, right, top = box
    if rotation == 90:
        return bottom, -right, top, -left
    if rotation == 180:
        return -right, -top, -left, -bottom
    if rotation == 270:
        return -top, left, -bottom, right
    return left, bottom, right, top


def _page_lines(page: Any, rotation: int) -> list[Line]:
    """The text lines of a page as PDFium breaks them, with their geometry."""
    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count > 0 else ""
        if len(text) != count:  # characters outside the BMP: ask PDFium one by one
            text = "".join(_char(raw.FPDFText_GetUnicode(textpage.raw, i)) for i in range(count))
        lines: list[Line] = []
        current: list[tuple[int, str]] = []
        for index, char in enumerate(text + "\n"):
            if char in "\r\n":
                if current:
                    lines.append(_make_line(textpage, raw, current, rotation))
                current = []
            elif char == " " and raw.FPDFText_IsGenerated(textpage.raw, index) == 1:
                current.append((index, "\x00"))
            elif char >= " " and char not in "\ufffe\ufffd":
                current.append((index, char))
        return [line for line in lines if line.text]
    finally:
        textpage.close()


def _char(code: int) -> str:
    return chr(code) if 0 <= code < 0x110000 and not 0xD800 <= code < 0xE000 else ""


def _make_line(textpage: Any, raw: Any, chars: list[tuple[int, str]], rotation: int) -> Line:
    visible = [i for i, c in chars if not c.isspace() and c != "\x00"] or [chars[0][0]]
    first = _box(textpage.get_charbox(visible[0], loose=True), rotation)
    last = _box(textpage.get_charbox(visible[-1], loose=True), rotation)
    sample = visible if len(visible) <= 5 else visible[:: len(visible) // 5]
    sizes = Counter(round(raw.FPDFText_GetFontSize(textpage.raw, i), 1) for i in sample)
    size = sizes.most_common(1)[0][0] or abs(first[3] - first[1]) or 10.0
    text = _squeeze("".join(c for _, c in chars))
    return Line(text, min(first[0], last[0]), max(first[2], last[2]), min(first[1], last[1]), size)


def _squeeze(text: str) -> str:
    """Collapse spaces; a space PDFium made up between two CJK characters is dropped."""
    text = _GENERATED_CJK.sub("", text)
    return re.sub(r"[\s\x00]+", " ", text).strip()


def _body_layout(pages: list[list[Line]]) -> tuple[float, float]:
    """The body text size (most characters) and the right edge of its full lines."""
    sizes: Counter[float] = Counter()
    for line in (line for lines in pages for line in lines):
        sizes[line.size] += len(line.text)
    body = sizes.most_common(1)[0][0]
    ends = sorted(round(line.x1) for lines in pages for line in lines if _near(line.size, body))
    if not ends:
        return body, 0.0
    mode = Counter(ends).most_common(1)[0][0]
    return body, float(max(mode, ends[int(len(ends) * 0.9) - 1 if len(ends) > 1 else 0]))


def _near(size: float, other: float) -> bool:
    return abs(size - other) <= 0.15 * max(size, other)


def _pitch(lines: list[Line], body: float) -> float:
    """The usual distance between two body lines of a page."""
    drops = sorted(
        a.bottom - b.bottom
        for a, b in itertools.pairwise(lines)
        if _near(a.size, body)
        and _near(b.size, body)
        and 0.8 * body < a.bottom - b.bottom < 3 * body
    )
    return drops[len(drops) // 2] if drops else 1.5 * body


def _starts_paragraph(a: Line, b: Line, page: tuple[float, float, float, float]) -> bool:
    """Whether line ``b`` begins a paragraph after ``a``; ``page``: left, right, pitch, body."""
    left, right, pitch, body = page
    if not _near(a.size, b.size):
        return True
    em = max(min(a.size, b.size), 1.0)
    large = a.size > 1.2 * body
    drop = a.bottom - b.bottom
    if drop < 0.5 * em or drop > 1.45 * max(pitch * (a.size / body if large else 1.0), em):
        return True
    if large:  # a title set in large type over several (centred) lines
        return False
    if _closing_line(b.text) and (a.text[-1] in _CLOSING or meta.is_date_line(b.text)):
        return True  # a signature or a date under the last sentence, wherever it stands
    if b.x0 > left + 0.8 * em and (b.x0 > a.x0 + 0.8 * em or a.text[-1] in _CLOSING):
        return True
    word = _LATIN_WORD.match(b.text)
    room = len(word.group()) * 0.55 * em if word else em
    if right - a.x1 > room + 0.5 * em:
        return True
    return bool(_LIST_START.match(b.text)) and a.text[-1] in _CLOSING


def _closing_line(text: str) -> bool:
    """A line that stands alone at the end of a notice: a signing body or a date."""
    return meta.is_signature(text) or meta.is_date_line(text)


def _glue(left: str, right: str) -> str:
    """Join a line to the next: no space in CJK text (nor inside a number), one between words."""
    end, start = left[-1], right[0]
    if end.isdigit() and start.isdigit():
        return left + right
    if (
        end.isascii()
        and (end.isalnum() or end in ",.;:!?)")
        and start.isascii()
        and (start.isalnum() or start == "(")
    ):
        return left + " " + right
    return left + right


def _page_paragraphs(number: int, lines: list[Line], body: float, right: float) -> list[_Para]:
    if lines and _PAGE_NUMBER.match(lines[-1].text):
        lines = lines[:-1]
    if lines and _PAGE_NUMBER.match(lines[0].text):
        lines = lines[1:]
    if not lines:
        return []
    body_lines = [line for line in lines if _near(line.size, body)] or lines
    layout = (min(line.x0 for line in body_lines), right, _pitch(lines, body), body)
    paragraphs = [_Para(lines[0].text, number, lines[0].size)]
    for a, b in itertools.pairwise(lines):
        if _starts_paragraph(a, b, layout):
            paragraphs.append(_Para(b.text, number, b.size))
        else:
            paragraphs[-1].text = _glue(paragraphs[-1].text, b.text)
    return paragraphs


def _blocks(paragraphs: list[_Para], body: float) -> list[Block]:
    """Paragraphs set larger than the body are headings: the largest type is level 1."""
    heading_sizes = sorted(
        {round(p.size * 2) / 2 for p in paragraphs if p.size > 1.2 * body and len(p.text) <= 80},
        reverse=True,
    )
    blocks = []
    for p in paragraphs:
        size = round(p.size * 2) / 2
        level = heading_sizes.index(size) + 1 if size in heading_sizes and len(p.text) <= 80 else 0
        blocks.append(Block(p.text, p.page, p.page, min(level, 6)))
    return blocks


def metadata(blocks: list[Block], info: dict[str, str]) -> meta.Metadata:
    """Title (large type on the first page, else the Title property), date (the text's, else
    the creation date as ``D:YYYYMMDD``), issuer and document number."""
    found = meta.extract(blocks)
    headings = [b.text for b in blocks if b.heading and b.line == blocks[0].line]
    info_title = (info.get("Title") or "").strip()
    title = next((h for h in headings if _TITLE_WORDS.search(h)), "")
    title = title or next((h for h in headings if not h.endswith("文件")), "")
    if not title and info_title and not _GENERIC_TITLE.match(info_title):
        title = info_title
    date = found.date
    created = _INFO_DATE.match((info.get("CreationDate") or "").strip())
    if not date and created:
        date = meta.parse_date("-".join(created.groups()))
    return meta.Metadata(title or found.title, date, found.issuer, found.doc_number)


def _open_error(name: str, exc: Exception) -> UnreadableDocument:
    reason = str(exc)
    if "password" in reason.lower():
        return UnreadableDocument(
            f"{name}: encrypted PDF (needs a password)",
            "save a copy without the password and index that",
        )
    detail = re.sub(r"^.*\(PDFium: (.*?)\.?\)\.?$", r"\1", reason).strip() or type(exc).__name__
    return UnreadableDocument(
        f"{name}: not a readable PDF ({detail.lower()})",
        "the file may be damaged or truncated; download it again",
    )


def _read_pages(
    data: bytes, name: str, recognizer: Recognizer | None
) -> tuple[list[list[Line]], dict[str, str], set[int]]:
    """The lines of every page, the document's information dictionary, and the pages whose
    lines came from OCR (pages without a text layer, when a recognizer is given)."""
    try:
        import pypdfium2 as pdfium
    except ImportError as exc:
        raise UnreadableDocument(
            f"{name}: reading PDF needs the pypdfium2 package", "pip install pypdfium2"
        ) from exc
    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as exc:  # PdfiumError, and anything else a damaged file may cause
        raise _open_error(name, exc) from exc
    scans = _Scans(recognizer, data)
    try:
        pages = []
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                lines = _page_lines(page, page.get_rotation() % 360)
                pages.append(lines or scans.read(page, index + 1))
            finally:
                page.close()
        info = pdf.get_metadata_dict()
    except Exception as exc:
        raise _open_error(name, exc) from exc
    finally:
        pdf.close()
    scans.save()
    return pages, info, scans.pages


class _Scans:
    """OCR of the pages without a text layer, through the recognizer's cache.  Nothing is
    imported or read until a page needs it: a PDF with a text layer costs nothing here."""

    def __init__(self, recognizer: Recognizer | None, data: bytes) -> None:
        self.recognizer = recognizer
        self.data = data
        self.cache: dict[str, list[list[Any]]] | None = None
        self.changed = False
        self.pages: set[int] = set()

    def read(self, page: Any, number: int) -> list[Line]:
        from search.documents import ocr

        if self.recognizer is None or not ocr.available():
            return []
        if self.cache is None:
            self.cache = self.recognizer.cached(self.data)
        key = str(number)
        if key not in self.cache:
            self.cache[key] = ocr.recognise_page(self.recognizer, page)
            self.changed = True
        lines = ocr.lines_of(self.cache[key])
        if lines:
            self.pages.add(number)
        return lines

    def save(self) -> None:
        if self.recognizer is not None and self.cache is not None and self.changed:
            self.recognizer.store(self.data, self.cache)


def page_blocks(pages: list[list[Line]]) -> list[Block]:
    """The lines of each page joined into paragraphs by their geometry (``line`` is the page
    number); larger type than the body becomes a heading.  Shared with the OFD reader."""
    body, right = _body_layout(pages) if any(pages) else (0.0, 0.0)
    paragraphs = [
        p for n, lines in enumerate(pages, 1) for p in _page_paragraphs(n, lines, body, right)
    ]
    return _blocks(paragraphs, body)


def read_pdf(
    data: bytes, name: str, recognizer: Recognizer | None = None
) -> tuple[list[Block], meta.Metadata]:
    """The text layer of a PDF as paragraphs (``line`` is the page number), and metadata.
    With a recognizer (and the OCR extra installed), pages without a text layer are read by
    OCR and their blocks are marked ``ocr``."""
    with _LOCK:
        pages, info, scanned = _read_pages(data, name, recognizer)
    blocks = [replace(b, ocr=True) if b.line in scanned else b for b in page_blocks(pages)]
    if not blocks:
        from search.documents.ocr import INSTALL_HINT, available

        hint = "run OCR on it first" + ("" if available() else f", or {INSTALL_HINT}")
        raise UnreadableDocument(f"{name}: no text layer (scanned PDF?)", hint)
    return blocks, metadata(blocks, info)
