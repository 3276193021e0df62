"""Word 97–2003 (.doc) and WPS (.wps) files → blocks: the main text from the piece table.

The file is an OLE compound file (read with ``olefile``).  Its ``WordDocument`` stream starts
with the FIB, which says where the piece table (the CLX, in the ``0Table`` or ``1Table``
stream) stands and how many characters the main text has.  Each piece is a run of the text
stored either as 8-bit (cp1252) or UTF-16 characters.  Paragraphs end at ``\\r``, table cells at
``\\x07``; ``line`` is the ordinal of the paragraph (empty paragraphs and cells counted), as
for .docx.  Field codes (``HYPERLINK "…"``) are dropped and their results kept.  The
SummaryInformation property set gives the title and creation date when the text has none.  Kingsoft
WPS writes its .wps files in the same format.  Headings (paragraph styles), headers, footers,
footnotes and text boxes are not read.
"""

from __future__ import annotations

import codecs
import datetime
import re
import struct
from collections.abc import Iterator
from typing import Any

from search.documents import meta
from search.documents.blocks import Block
from search.errors import UnreadableDocument

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD97 = 0xA5EC
_WORD6 = 0xA5DC
_MAX_STREAM = 64 * 1024 * 1024  # bytes of one stream read (about 30 million characters)
_ENCRYPTED = 0x0100
_OBFUSCATED = 0x8000
_TABLE_1 = 0x0200
_PARAGRAPH_END = re.compile(r"[\r\x07\x0c]")
_FIELD_MARK = re.compile(r"([\x13\x14\x15])")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff]")
_SPACE = re.compile(r"[\s\u00a0\u3000]+")
_TITLE_WORDS = re.compile(r"关于|通知|公告|通告|决定|意见|办法|规定|方案|规划|报告|批复|答复|函")
_GENERIC_TITLE = re.compile(r"^(?:microsoft word|文档|新建|无标题|untitled|document|doc\d*$)", re.I)


class _Bad(Exception):
    """The file is not a usable Word 97–2003 document (the message says why)."""


def _stream(ole: Any, name: str) -> bytes:
    size = ole.get_size(name)
    if size > _MAX_STREAM:
        raise _Bad(f"its {name} stream is {size // 1_000_000} MB (too large)")
    data: bytes = ole.openstream(name).read()
    return data


def _u16(data: bytes, offset: int) -> int:
    return int(struct.unpack_from("<H", data, offset)[0])


def _u32(data: bytes, offset: int) -> int:
    return int(struct.unpack_from("<I", data, offset)[0])


def _piece_table(clx: bytes) -> bytes:
    """The PlcPcd of a CLX: the property runs (Prc) before it are skipped."""
    position = 0
    while position < len(clx):
        kind = clx[position]
        if kind == 1:
            position += 3 + _u16(clx, position + 1)
        elif kind == 2:
            size = _u32(clx, position + 1)
            table = clx[position + 5 : position + 5 + size]
            if len(table) != size or size < 16 or (size - 4) % 12:
                break
            return table
        else:
            break
    raise _Bad("its piece table is damaged")


def _pieces(word: bytes, plc: bytes, characters: int) -> Iterator[str]:
    """The text of the pieces in order, up to ``characters`` code units of main text."""
    count = (len(plc) - 4) // 12
    cps = struct.unpack_from(f"<{count + 1}i", plc)
    for index in range(count):
        start, end = cps[index], min(cps[index + 1], characters)
        if start >= characters:
            break
        if end <= start:
            continue
        fc = _u32(plc, 4 * (count + 1) + 8 * index + 2)
        if fc & 0x40000000:  # 8-bit characters at half the offset
            offset = (fc & 0x3FFFFFFF) // 2
            raw, text = word[offset : offset + end - start], ""
            if len(raw) == end - start:
                text = raw.decode("cp1252", errors="replace")
        else:
            raw, text = word[fc : fc + 2 * (end - start)], ""
            if len(raw) == 2 * (end - start):
                text = raw.decode("utf-16-le", errors="replace")
        if not text:
            raise _Bad("a piece of its text lies outside the file (truncated?)")
        yield text


def _without_fields(text: str) -> str:
    """Field codes dropped, field results kept (fields nest)."""
    if "\x13" not in text:
        return text
    kept: list[str] = []
    stack: list[bool] = []  # per open field: still in its code part
    for part in _FIELD_MARK.split(text):
        if part == "\x13":
            stack.append(True)
        elif part == "\x14":
            if stack:
                stack[-1] = False
        elif part == "\x15":
            if stack:
                stack.pop()
        elif not any(stack):
            kept.append(part)
    return "".join(kept)


def text_blocks(text: str) -> list[Block]:
    """Numbered paragraphs; a manual line break (``\\x0b``) splits a paragraph into blocks."""
    blocks: list[Block] = []
    for number, paragraph in enumerate(_PARAGRAPH_END.split(_without_fields(text)), 1):
        for line in paragraph.split("\x0b"):
            line = _CONTROLS.sub("", line.replace("\x1e", "-").replace("\t", " "))
            line = _SPACE.sub(" ", line).strip()
            if line:
                blocks.append(Block(line, number, number))
    return blocks


def _main_text(ole: Any) -> str:
    if ole.exists("EncryptedPackage"):
        raise _Encrypted
    if not ole.exists("WordDocument"):
        raise _Bad("no WordDocument stream inside (not a Word or WPS document?)")
    word = _stream(ole, "WordDocument")
    if len(word) < 0x1AA:
        raise _Bad("its WordDocument stream is truncated")
    ident, flags = _u16(word, 0), _u16(word, 0x0A)
    if ident == _WORD6:
        raise _Bad("Word 6/95 format, not supported")
    if ident != _WORD97:
        raise _Bad("its WordDocument stream does not start as Word's does")
    if flags & (_ENCRYPTED | _OBFUSCATED):
        raise _Encrypted
    table_name = "1Table" if flags & _TABLE_1 else "0Table"
    if not ole.exists(table_name):
        raise _Bad(f"no {table_name} stream inside")
    table = _stream(ole, table_name)
    characters = struct.unpack_from("<i", word, 0x4C)[0]
    fc_clx, lcb_clx = _u32(word, 0x1A2), _u32(word, 0x1A6)
    plc = _piece_table(table[fc_clx : fc_clx + lcb_clx])
    return "".join(_pieces(word, plc, max(characters, 0)))


class _Encrypted(Exception):
    """The document is protected by a password."""


def read_doc(data: bytes, name: str) -> tuple[list[Block], meta.Metadata]:
    """The paragraphs of a Word 97–2003 or WPS document as blocks, and its metadata."""
    if data.startswith(b"PK\x03\x04"):  # a .docx under an old name
        from search.documents.docx import read_docx

        return read_docx(data, name)
    if not data.startswith(_OLE):
        raise UnreadableDocument(
            f"{name}: not a Word 97–2003 or WPS file (no OLE container)",
            "check the file; if it opens in Word or WPS, save it as .docx",
        )
    try:
        import olefile
    except ImportError as exc:
        raise UnreadableDocument(
            f"{name}: reading .doc needs the olefile package", "pip install olefile"
        ) from exc
    resave = "open it in Word or WPS and save it as .docx"
    try:
        with olefile.OleFileIO(data) as ole:
            text = _main_text(ole)
            summary = _summary(ole)
    except _Encrypted as exc:
        raise UnreadableDocument(
            f"{name}: encrypted Word file (needs a password)",
            "save a copy without the password and index that",
        ) from exc
    except _Bad as exc:
        raise UnreadableDocument(f"{name}: {exc}", resave) from exc
    except Exception as exc:  # olefile's errors on damaged containers, struct errors…
        raise UnreadableDocument(
            f"{name}: damaged Word file ({type(exc).__name__})", resave
        ) from exc
    blocks = text_blocks(text)
    found = meta.extract(blocks)
    title = found.title if _TITLE_WORDS.search(found.title) or not summary[0] else summary[0]
    return blocks, meta.Metadata(title, found.date or summary[1], found.issuer, found.doc_number)


def _summary(ole: Any) -> tuple[str, str]:
    """Title (unless a generic one) and creation date of the SummaryInformation property
    set, for a document whose text has none; a damaged set is ignored."""
    if not ole.exists("\x05SummaryInformation"):
        return "", ""
    try:
        props = ole.getproperties("\x05SummaryInformation", convert_time=True)
    except Exception:
        return "", ""
    title, created = props.get(2), props.get(12)
    if isinstance(title, bytes):
        title = title.decode(_codec(props.get(1)), errors="replace")
    title = _SPACE.sub(" ", title).strip() if isinstance(title, str) else ""
    if _GENERIC_TITLE.match(title):
        title = ""
    date = created.date().isoformat() if isinstance(created, datetime.datetime) else ""
    return title, meta.parse_date(date)


def _codec(codepage: object) -> str:
    """The Python codec of a property set's code page (GB18030 for Chinese ones and unknown)."""
    if isinstance(codepage, int):
        name = {65001: "utf-8", 1200: "utf-16-le", 936: "gb18030"}.get(codepage & 0xFFFF)
        name = name or f"cp{codepage & 0xFFFF}"
        try:
            codecs.lookup(name)
        except LookupError:
            return "gb18030"
        return name
    return "gb18030"
