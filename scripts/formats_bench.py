"""Measure the attachment readers (#13) on real Chinese text: speed, size and correctness.

Takes the first ``--docs`` records of a JSON Lines corpus (e.g.
../shared/corpus/laws-lawrefbook/docs-01.jsonl) and writes each record, in memory, as the
files a government site publishes, with the tests' writers (tests/ole.py, sheetfiles.py,
ofdfiles.py).  Each reader is timed against a baseline measured in the same run:

- ``.doc``: ours (olefile + piece table) against our ``.docx`` reader on the same text;
- ``.xlsx``: python-calamine against openpyxl (read-only mode), if it is installed;
- ``.ofd``: ours (zipfile + defusedxml) against easyofd, if it is installed.

Correctness is the share of documents whose paragraphs (rows, for spreadsheets) come back
exactly, in order.  Usage: python scripts/formats_bench.py CORPUS.jsonl [--docs 100]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from ofdfiles import layout, ofd
from ole import word_document
from sheetfiles import xlsx

from search.documents.formats import READERS

Record = dict[str, Any]


def records(path: Path, count: int) -> list[Record]:
    found = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            paragraphs = [p.strip() for p in record["text"].split("\n") if p.strip()]
            if paragraphs:
                record["paragraphs"] = [p.replace("\x07", "") for p in paragraphs]
                found.append(record)
            if len(found) == count:
                break
    return found


def _docx(paragraphs: list[str]) -> bytes:
    from xml.sax.saxutils import escape

    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>",
        )
    return buffer.getvalue()


def _timed(read: Callable[[bytes], list[str]], files: list[bytes]) -> tuple[float, list[list[str]]]:
    started = time.perf_counter()
    texts = [read(data) for data in files]
    return (time.perf_counter() - started) * 1000 / max(len(files), 1), texts


def _ours(fmt: str) -> Callable[[bytes], list[str]]:
    return lambda data: [b.text for b in READERS[fmt](data, f"x.{fmt}")[0]]


def _report(name: str, ms: float, texts: list[list[str]], expected: list[list[str]]) -> None:
    exact = sum(t == e for t, e in zip(texts, expected, strict=True))
    print(f"  {name:<34} {ms:8.2f} ms/file   exact {exact}/{len(expected)}")


def bench_doc(docs: list[Record]) -> None:
    expected = [[" ".join(p.split()) for p in d["paragraphs"]] for d in docs]
    doc_files = [word_document([("\r".join(d["paragraphs"]) + "\r", False)]) for d in docs]
    docx_files = [_docx(d["paragraphs"]) for d in docs]
    print(f".doc ({len(docs)} files, {sum(map(len, doc_files)) / len(docs) / 1024:.0f} KB each)")
    base_ms, base = _timed(_ours("docx"), docx_files)
    ms, texts = _timed(_ours("doc"), doc_files)
    _report("baseline: our .docx reader", base_ms, base, expected)
    _report("ours: olefile + piece table", ms, texts, expected)
    print(f"  ratio .doc/.docx: {ms / base_ms:.2f}")


def _sheet_rows(docs: list[Record]) -> list[list[str | float | None]]:
    rows: list[list[str | float | None]] = [["标题", "日期", "发布机关", "首段"]]
    for d in docs:
        first = d["paragraphs"][0][:200].replace("&", "＆").replace("<", "＜")
        rows.append([d["title"], d.get("date") or "", d.get("issuer") or "", first])
    return rows


def bench_xlsx(docs: list[Record], copies: int = 20, repeat: int = 1) -> None:
    rows = _sheet_rows(docs)
    rows = rows[:1] + rows[1:] * repeat
    data = xlsx([("Sheet1", rows)])
    files = [data] * copies
    expected_rows = [
        " ".join(f"{h}:{' '.join(str(v).split())}" for h, v in zip(rows[0], row, strict=True) if v)
        for row in rows[1:]
    ]
    print(f".xlsx ({copies} files of {len(rows)} rows, {len(data) / 1024:.0f} KB each)")
    ms, texts = _timed(_ours("xlsx"), files)
    try:
        import openpyxl
    except ImportError:
        print("  baseline: openpyxl not installed")
        base_ms = 0.0
    else:

        def read(data: bytes) -> list[str]:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
            out = [
                " ".join(str(v) for v in row if v)
                for row in book.active.iter_rows(values_only=True)
            ]
            book.close()
            return out

        base_ms, _ = _timed(read, files)
        print(f"  {'baseline: openpyxl (read-only)':<34} {base_ms:8.2f} ms/file")
    _report("ours: python-calamine", ms, texts, [expected_rows] * copies)
    if base_ms:
        print(f"  ratio calamine/openpyxl: {ms / base_ms:.2f}")


def _pages(paragraphs: list[str]) -> list[list[tuple[float, float, float, str]]]:
    pages, chunk = [], []
    for paragraph in paragraphs:
        chunk.append(("body", paragraph))
        if sum(len(text) for _, text in chunk) > 600:
            pages.append(layout(chunk))
            chunk = []
    if chunk:
        pages.append(layout(chunk))
    return pages


def bench_ofd(docs: list[Record]) -> None:
    files = [ofd(_pages(d["paragraphs"])) for d in docs]
    expected = [[" ".join(p.split()) for p in d["paragraphs"]] for d in docs]
    print(f".ofd ({len(docs)} files, {sum(map(len, files)) / len(docs) / 1024:.0f} KB each)")
    ms, texts = _timed(_ours("ofd"), files)
    try:
        from easyofd import OFD
    except ImportError:
        print("  baseline: easyofd not installed")
        _report("ours: zipfile + defusedxml", ms, texts, expected)
        return

    def read(data: bytes) -> list[str]:
        reader = OFD()
        reader.read(data, fmt="binary")
        pages = reader.data[0]["page_info"]
        return ["".join(t["text"] for t in pages[n]["text_list"]) for n in sorted(pages)]

    base_ms, base = _timed(read, files)
    joined = [["".join("".join(p.split()) for p in e)] for e in expected]
    in_order = sum("".join(b) == j[0] for b, j in zip(base, joined, strict=True))
    print(
        f"  {'baseline: easyofd':<34} {base_ms:8.2f} ms/file   text objects in reading order "
        f"{in_order}/{len(docs)} (no paragraphs, no lines)"
    )
    _report("ours: zipfile + defusedxml", ms, texts, expected)
    print(f"  ratio ours/easyofd: {ms / base_ms:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path, help="a JSON Lines file of records with text")
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--big-rows", type=int, default=20_000, help="rows of one large sheet")
    args = parser.parse_args()
    docs = records(args.corpus, args.docs)
    bench_doc(docs)
    bench_xlsx(docs)
    bench_xlsx(docs, copies=1, repeat=max(1, args.big_rows // len(docs)))
    bench_ofd(docs)


if __name__ == "__main__":
    main()
