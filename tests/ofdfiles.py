"""A writer of small OFD files for the tests: an A4 page laid out like an official document
(title centred in large type, body paragraphs wrapped with a two-character indent, signature
and date set right), text objects written in reverse order so that reading order must be
rebuilt from their positions."""

from __future__ import annotations

import io
import zipfile

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'
LEFT, RIGHT, BODY, TITLE = 28.0, 182.0, 5.6, 7.7
Code = tuple[float, float, float, str]  # x, baseline y, size (mm), text


def layout(paragraphs: list[tuple[str, str]], top: float = 40.0) -> list[Code]:
    """``(kind, text)`` with kind ``title``, ``body`` or ``right`` → placed text codes."""
    codes: list[Code] = []
    y = top
    per_line = int((RIGHT - LEFT) / BODY)
    for kind, text in paragraphs:
        if kind == "title":
            codes.append(((LEFT + RIGHT - len(text) * TITLE) / 2, y, TITLE, text))
            y += TITLE * 2
            continue
        if kind == "right":
            codes.append((RIGHT - len(text) * BODY - 4 * BODY, y, BODY, text))
            y += BODY * 1.8
            continue
        first, rest = text[: per_line - 2], text[per_line - 2 :]
        codes.append((LEFT + 2 * BODY, y, BODY, first))
        y += BODY * 1.8
        while rest:
            codes.append((LEFT, y, BODY, rest[:per_line]))
            rest = rest[per_line:]
            y += BODY * 1.8
    return codes


def _content(codes: list[Code]) -> str:
    objects = []
    for n, (x, y, size, text) in enumerate(reversed(codes), 1):
        width = len(text) * size
        objects.append(
            f'<ofd:TextObject ID="{n}" Boundary="{x} {y - size} {width} {size * 1.2}" '
            f'Font="1" Size="{size}"><ofd:TextCode X="0" Y="{size}" '
            f'DeltaX="g {len(text) - 1} {size}">{text}</ofd:TextCode></ofd:TextObject>'
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {NS}><ofd:Content>'
        f'<ofd:Layer ID="0">{"".join(objects)}</ofd:Layer></ofd:Content></ofd:Page>'
    )


def ofd(
    pages: list[list[Code]],
    title: str = "",
    created: str = "",
    prolog: str = "",
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """An OFD package with one document of ``pages``; ``prolog`` goes before each page's root."""
    page_list = "".join(
        f'<ofd:Page ID="{i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages))
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "OFD.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {NS} Version="1.0" DocType="OFD">'
            f"<ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID><ofd:Title>{title}</ofd:Title>"
            f"<ofd:CreationDate>{created}</ofd:CreationDate></ofd:DocInfo>"
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        archive.writestr(
            "Doc_0/Document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {NS}><ofd:CommonData>'
            "<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:CommonData>"
            f"<ofd:Pages>{page_list}</ofd:Pages></ofd:Document>",
        )
        for i, codes in enumerate(pages):
            xml = _content(codes)
            if prolog:
                head, _, body = xml.partition("?>")
                xml = head + "?>" + prolog + body
            archive.writestr(f"Doc_0/Pages/Page_{i}/Content.xml", xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()
