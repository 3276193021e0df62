"""Large sheets stream (#13): peak memory while indexing a generated sheet of many rows.

    python scripts/bench_sheets.py [--rows 1000000] [--base 100000] [--formats csv,xlsx]

For each format, a sheet of ``--base`` rows (the baseline) and one of ``--rows`` rows are
generated (three columns: number, company name, amount; the .xlsx written row by row with
inline strings), then each is indexed by ``search.store.writer.update`` in a fresh process,
which reports its peak resident memory (``ru_maxrss`` of itself and its workers).  For
comparison, the large sheet is indexed again with segments that never close
(``GOVSEARCH_FLUSH_CHARS`` of 10^12): the whole sheet in one segment, as before a document
could span segments.  Reports the large sheet's peak against the baseline's.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

INDEX = """
import resource, sys
from pathlib import Path
from search.store.writer import update
update(Path(sys.argv[1]), [Path(sys.argv[2])])
who = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
print(max(resource.getrusage(r).ru_maxrss for r in who))
"""


def row(i: int) -> tuple[str, str, int]:
    return str(i), f"企业{i:07d}号", i * 3


def write_csv(path: Path, rows: int) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write("序号,企业名称,金额\n")
        for i in range(1, rows + 1):
            out.write(",".join(map(str, row(i))) + "\n")


def write_xlsx(path: Path, rows: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument"'
            ' Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/worksheet"'
            ' Target="worksheets/sheet1.xml"/></Relationships>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<?xml version="1.0"?><worksheet xmlns="{_MAIN}"><sheetData>'.encode())
            sheet.write(_xlsx_row(1, ("序号", "企业名称", "金额")))
            for i in range(1, rows + 1):
                sheet.write(_xlsx_row(i + 1, row(i)))
            sheet.write(b"</sheetData></worksheet>")


def _xlsx_row(number: int, cells: tuple[str | int, ...]) -> bytes:
    xml = []
    for column, value in zip("ABC", cells, strict=True):
        ref = f"{column}{number}"
        if isinstance(value, int):
            xml.append(f'<c r="{ref}"><v>{value}</v></c>')
        else:
            xml.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
    return f'<row r="{number}">{"".join(xml)}</row>'.encode()


def _run(index: Path, folder: Path, flush: int | None = None) -> tuple[float, float]:
    """Peak memory (MB) and seconds of indexing ``folder`` in a fresh process."""
    env = dict(os.environ)
    if flush is not None:
        env["GOVSEARCH_FLUSH_CHARS"] = str(flush)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", INDEX, str(index), str(folder)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return int(done.stdout.split()[-1]) / 1024, time.perf_counter() - start


def measure(fmt: str, rows: int, base: int, tmp: Path) -> None:
    peaks = {}
    for count in (base, rows):
        folder = tmp / f"{fmt}-{count}"
        folder.mkdir()
        sheet = folder / f"sheet.{fmt}"
        (write_csv if fmt == "csv" else write_xlsx)(sheet, count)
        peaks[count], seconds = _run(tmp / f"index-{fmt}-{count}", folder)
        size = sheet.stat().st_size / 1e6
        print(
            f"{fmt} {count:>9,} rows ({size:.0f} MB): indexed in {seconds:.0f} s, "
            f"peak {peaks[count]:.0f} MB"
        )
    whole, seconds = _run(tmp / f"index-{fmt}-whole", tmp / f"{fmt}-{rows}", 10**12)
    print(
        f"{fmt} {rows:,} rows: peak {peaks[rows] / peaks[base]:.2f}x the {base:,}-row sheet's; "
        f"in one segment (as before): peak {whole:.0f} MB ({whole / peaks[rows]:.1f}x), "
        f"{seconds:.0f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--base", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats.split(","):
            measure(fmt, args.rows, args.base, Path(tmp))


if __name__ == "__main__":
    main()
