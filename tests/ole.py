"""Tiny writers of OLE compound files and Word 97 documents, for the tests.

The compound file is version 3 (512-byte sectors) with one FAT sector, one directory sector
and up to three streams; every stream is padded to 4096 bytes so that none goes to the mini
stream.  The Word document has a FIB with only the fields the reader uses and a piece table
whose pieces are 8-bit (compressed) or UTF-16.
"""

from __future__ import annotations

import datetime
import struct
import uuid

SECTOR = 512
FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _entry(name: str, kind: int, start: int, size: int, child: int, right: int) -> bytes:
    encoded = name.encode("utf-16-le") + b"\x00\x00" if name else b""
    head = encoded.ljust(64, b"\x00") + struct.pack("<HBB", len(encoded), kind, 1)
    links = struct.pack("<III", NO_STREAM, right, child)
    tail = bytes(16 + 4 + 16) + struct.pack("<IQ", start, size)
    return head + links + tail


def compound_file(streams: dict[str, bytes]) -> bytes:
    """An OLE compound file holding ``streams`` (at most three)."""
    assert len(streams) <= 3
    fat = [FAT_SECTOR, END]
    entries = [b""]
    data = b""
    names = list(streams)
    for index, name in enumerate(names):
        body = streams[name].ljust(4096, b"\x00")
        body += bytes(-len(body) % SECTOR)
        first = len(fat)
        count = len(body) // SECTOR
        fat.extend(range(first + 1, first + count))
        fat.append(END)
        right = index + 2 if index + 1 < len(names) else NO_STREAM
        entries.append(_entry(name, 2, first, len(body), NO_STREAM, right))
        data += body
    assert len(fat) <= SECTOR // 4
    entries[0] = _entry("Root Entry", 5, END, 0, 1 if names else NO_STREAM, NO_STREAM)
    while len(entries) < 4:
        entries.append(_entry("", 0, 0, 0, NO_STREAM, NO_STREAM))
    fat_sector = struct.pack(f"<{SECTOR // 4}I", *(fat + [FREE] * (SECTOR // 4 - len(fat))))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
        + struct.pack("<109I", 0, *([FREE] * 108))
    )
    assert len(header) == SECTOR
    return header + fat_sector + b"".join(entries) + data


def word_document(
    pieces: list[tuple[str, bool]],
    *,
    encrypted: bool = False,
    ident: int = 0xA5EC,
    characters: int | None = None,
    property_run: bool = True,
    shift: int = 0,
    summary: bytes = b"",
) -> bytes:
    """A Word 97 .doc whose main text is ``pieces`` (text, stored as 8-bit)."""
    text_start = 0x800
    word = bytearray(text_start)
    cps, fcs = [0], []
    for text, compressed in pieces:
        if compressed:
            fcs.append(0x40000000 | ((len(word) + shift) * 2))
            word += text.encode("cp1252")
        else:
            fcs.append(len(word) + shift)
            word += text.encode("utf-16-le")
        cps.append(cps[-1] + len(text))
    plc = struct.pack(f"<{len(cps)}i", *cps) + b"".join(struct.pack("<HIH", 0, fc, 0) for fc in fcs)
    clx = b"\x01" + struct.pack("<H", 3) + b"\x00\x00\x00" if property_run else b""
    clx += b"\x02" + struct.pack("<I", len(plc)) + plc
    flags = 0x0200 | (0x0100 if encrypted else 0)
    struct.pack_into("<HH", word, 0, ident, 0xC1)
    struct.pack_into("<H", word, 0x0A, flags)
    struct.pack_into("<i", word, 0x4C, cps[-1] if characters is None else characters)
    struct.pack_into("<II", word, 0x1A2, 16, len(clx))
    table = bytes(16) + clx
    streams = {"WordDocument": bytes(word), "1Table": table}
    if summary:
        streams["\x05SummaryInformation"] = summary
    return compound_file(streams)


def summary_information(title: str, created: datetime.datetime, codepage: int = 936) -> bytes:
    """A ``\\x05SummaryInformation`` property set: code page (1), title (2), created (12)."""
    encoded = title.encode(f"cp{codepage}") + b"\x00"
    encoded += bytes(-len(encoded) % 4)
    ticks = int((created - datetime.datetime(1601, 1, 1)).total_seconds() * 10_000_000)
    values = [
        (1, struct.pack("<IhH", 0x0002, codepage - 65536 if codepage > 32767 else codepage, 0)),
        (2, struct.pack("<II", 0x001E, len(title.encode(f"cp{codepage}")) + 1) + encoded),
        (12, struct.pack("<IQ", 0x0040, ticks)),
    ]
    offset = 8 + 8 * len(values)
    table, body = b"", b""
    for pid, value in values:
        table += struct.pack("<II", pid, offset + len(body))
        body += value
    section = struct.pack("<II", 8 + len(table) + len(body), len(values)) + table + body
    fmtid = uuid.UUID("F29F85E0-4FF9-1068-AB91-08002B27B3D9").bytes_le
    header = struct.pack("<HHI", 0xFFFE, 0, 0x00020006) + bytes(16) + struct.pack("<I", 1)
    return header + fmtid + struct.pack("<I", 48) + section
