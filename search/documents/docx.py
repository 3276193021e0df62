"""Word (.docx) files → blocks: the body's paragraphs in order, tables' cells included.

Read with ``zipfile`` and ``xml.etree`` through defusedxml (a DTD anywhere is refused: no
entity expansion, no external entities), and the sizes of the parts are checked before
anything is unpacked (zip bombs).  ``line`` is the
ordinal of the paragraph in the body (1-based, empty paragraphs and table cells counted).
Headings come from the paragraph styles (``Heading 1``/``标题 1``…, ``Title``) or their outline
level.  Text boxes, headers, footers, footnotes and comments are not read.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from xml.etree import ElementTree as ET

from search.documents import meta
from search.documents.blocks import Block
from search.errors import UnreadableDocument

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_DCTERMS = "{http://purl.org/dc/terms/}"
_MAX_PART = 32 * 1024 * 1024  # unpacked bytes of one XML part (about 5,000 pages of text)
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_TITLE_STYLE = re.compile(r"^(?:title|标题)$", re.IGNORECASE)
_GENERIC_TITLE = re.compile(r"^(?:microsoft word|文档|新建|无标题|untitled|document|doc\d*$)", re.I)
_TITLE_WORDS = re.compile(r"关于|通知|公告|通告|决定|意见|办法|规定|方案|规划|报告|批复|答复|函")
_SKIP = frozenset({f"{_W}del", f"{_W}txbxContent", f"{_W}instrText", f"{_W}delText"})


class _Bad(Exception):
    """The package is not a usable .docx (the message says why)."""


def _part(archive: zipfile.ZipFile, name: str) -> ET.Element | None:
    """A part of the package parsed, ``None`` if there is no such part."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_PART:
        raise _Bad(f"{name} unpacks to {info.file_size // 1_000_000} MB (zip bomb?)")
    with archive.open(info) as stream:
        data = stream.read(_MAX_PART + 1)
    if len(data) > _MAX_PART:
        raise _Bad(f"{name} is too large")
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        root: ET.Element = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:  # a DTD anywhere: entity bombs, external entities
        raise _Bad(f"{name} declares a DTD (not allowed in Office documents)") from exc
    return root


def _optional(archive: zipfile.ZipFile, name: str) -> ET.Element | None:
    """A part the text does not need: a damaged one is left out."""
    try:
        return _part(archive, name)
    except ET.ParseError:
        return None


def _style_levels(styles: ET.Element | None) -> dict[str, int]:
    """Paragraph style id → heading level (0 for body text), following ``basedOn``."""
    if styles is None:
        return {}
    own: dict[str, int] = {}
    parent: dict[str, str] = {}
    for style in styles.iter(f"{_W}style"):
        if style.get(f"{_W}type") not in (None, "paragraph"):
            continue
        style_id = style.get(f"{_W}styleId") or ""
        name_element = style.find(f"{_W}name")
        name = (name_element.get(f"{_W}val") or "") if name_element is not None else ""
        level = _name_level(name.strip()) or _name_level(style_id)
        outline = style.find(f"{_W}pPr/{_W}outlineLvl")
        if not level and outline is not None:
            level = _outline_level(outline)
        own[style_id] = level
        based = style.find(f"{_W}basedOn")
        if based is not None:
            parent[style_id] = based.get(f"{_W}val") or ""
    levels: dict[str, int] = {}
    for style_id in own:
        current, seen = style_id, 0
        while not own.get(current) and current in parent and seen < 10:
            current, seen = parent[current], seen + 1
        levels[style_id] = own.get(current, 0)
    return levels


def _name_level(name: str) -> int:
    match = _HEADING_STYLE.match(name)
    if match:
        return min(int(match.group(1)), 6)
    return 1 if _TITLE_STYLE.match(name) else 0


def _outline_level(element: ET.Element) -> int:
    value = element.get(f"{_W}val") or ""
    return int(value) + 1 if value.isdigit() and int(value) < 6 else 0


def _lines_of(paragraph: ET.Element) -> list[str]:
    """The text of a paragraph, split at its manual line breaks."""
    lines = [""]

    def visit(element: ET.Element) -> None:
        for child in element:
            tag = child.tag
            if tag in _SKIP:
                continue
            if tag == f"{_W}t":
                lines[-1] += child.text or ""
            elif tag in (f"{_W}tab", f"{_W}ptab"):
                lines[-1] += " "
            elif tag in (f"{_W}br", f"{_W}cr"):
                lines.append("")
            elif tag == f"{_W}noBreakHyphen":
                lines[-1] += "-"
            else:
                visit(child)

    visit(paragraph)
    cleaned = (re.sub(r"[\s\u00a0]+", " ", line).strip() for line in lines)
    return [line for line in cleaned if line]


def _paragraphs(body: ET.Element) -> list[ET.Element]:
    """Every paragraph of the body in reading order: in tables (nested too) and content
    controls as well; not those inside text boxes."""
    found: list[ET.Element] = []

    def visit(element: ET.Element) -> None:
        for child in element:
            if child.tag == f"{_W}p":
                found.append(child)
            elif child.tag not in _SKIP and child.tag != f"{_W}sectPr":
                visit(child)

    visit(body)
    return found


def _level(paragraph: ET.Element, styles: dict[str, int]) -> int:
    properties = paragraph.find(f"{_W}pPr")
    if properties is None:
        return 0
    outline = properties.find(f"{_W}outlineLvl")
    if outline is not None:
        return _outline_level(outline)
    style = properties.find(f"{_W}pStyle")
    return styles.get(style.get(f"{_W}val") or "", 0) if style is not None else 0


def _blocks(document: ET.Element, styles: dict[str, int]) -> list[Block]:
    body = document.find(f"{_W}body")
    if body is None:
        raise _Bad("no document body")
    blocks: list[Block] = []
    for number, paragraph in enumerate(_paragraphs(body), 1):
        lines = _lines_of(paragraph)
        level = min(_level(paragraph, styles), 6) if lines else 0
        if level:
            blocks.append(Block(" ".join(lines), number, number, level))
        else:
            blocks.extend(Block(line, number, number) for line in lines)
    return blocks


def _core(core: ET.Element | None) -> tuple[str, str]:
    """Title and creation date from the document's core properties."""
    if core is None:
        return "", ""
    title_element = core.find(f"{_DC}title")
    created_element = core.find(f"{_DCTERMS}created")
    title = (title_element.text or "") if title_element is not None else ""
    title = re.sub(r"\s+", " ", title).strip()
    created = (created_element.text or "") if created_element is not None else ""
    if _GENERIC_TITLE.match(title):
        title = ""
    return title, meta.parse_date(created.strip()[:10])


def read_docx(data: bytes, name: str) -> tuple[list[Block], meta.Metadata]:
    """The paragraphs of a Word document as blocks, and its metadata."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            document = _part(archive, "word/document.xml")
            if document is None:
                raise _Bad("no word/document.xml inside (not a Word document?)")
            styles = _style_levels(_optional(archive, "word/styles.xml"))
            core = _optional(archive, "docProps/core.xml")
            blocks = _blocks(document, styles)
    except _Bad as exc:
        raise UnreadableDocument(f"{name}: {exc}", "open and re-save it in Word") from exc
    except zipfile.BadZipFile as exc:
        if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: an old .doc, or an encrypted .docx
            from search.documents.doc import read_doc

            return read_doc(data, name)
        raise _not_docx(name) from exc
    except Exception as exc:  # damaged XML, truncated members, odd zip features…
        raise UnreadableDocument(
            f"{name}: damaged Word file ({type(exc).__name__})",
            "open and re-save it in Word",
        ) from exc
    core_title, created = _core(core)
    found = meta.extract(blocks)
    title = next((b.text for b in blocks if b.heading), "")
    if not title and not _TITLE_WORDS.search(found.title):
        title = core_title
    return blocks, meta.Metadata(
        title or found.title, found.date or created, found.issuer, found.doc_number
    )


def _not_docx(name: str) -> UnreadableDocument:
    return UnreadableDocument(
        f"{name}: not a Word file (not a zip archive)", "check the file"
    )
