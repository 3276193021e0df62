"""Where an index's bytes go: the side files' arrays by name and Whoosh's segment files by kind.

    python scripts/index_sizes.py INDEX [--text-bytes N] [--json OUT.json]

Sums, over every segment of the newest commit, the bytes of each named array of the side files
(``<segment>.lit``: text, n-gram keys and postings, per-passage columns, document metadata) and
of each file inside Whoosh's compound segment files (``.trm`` term index, ``.pst`` postings,
``.fln``/``.dci``/``.dcz`` per-document lengths and columns).  With ``--text-bytes`` (the UTF-8
size of the text the index holds) each figure is also given as a multiple of it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

GROUPS = (  # array name prefix or name → group shown
    ("text.blob", "text: stored text"),
    ("text.keys", "text: n-gram keys"),
    ("text.second", "text: n-gram keys"),
    ("text.dir", "text: n-gram keys"),
    ("text.chars", "text: n-gram keys"),
    ("text.data", "text: n-gram postings"),
    ("text.table", "text: character code"),
    ("text.order", "text: character code"),
    ("text.ranks", "text: character code"),
    ("text.", "text: posting starts (+ widths), offsets"),
    ("x.", "exceptions (original code points)"),
    ("p.", "per passage: columns"),
    ("s.", "per passage: locations (JSON)"),
    ("d.", "per document: metadata, date, range"),
    ("title.", "titles + postings"),
    ("issuer.", "issuers + postings"),
    ("head.", "headings + postings"),
)


def side_breakdown(files: list[Path]) -> dict[str, int]:
    """Bytes per array name, summed over the side files (header included as ``header``)."""
    from search.store import arrays

    out: dict[str, int] = {}
    for path in files:
        found = arrays.ArrayFile(path)
        named = sum(a.nbytes for a in found.arrays.values())
        for name, array in found.arrays.items():
            out[name] = out.get(name, 0) + int(array.nbytes)
        out["header + padding"] = out.get("header + padding", 0) + path.stat().st_size - named
    return out


def whoosh_breakdown(files: list[Path]) -> dict[str, int]:
    """Bytes per sub-file kind (extension) inside Whoosh's compound segment files."""
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.structfile import StructFile

    out: dict[str, int] = {}
    for path in files:
        with open(path, "rb") as fh:
            storage = CompoundStorage(StructFile(fh), use_mmap=False)
            inner = 0
            for name in storage.list():
                size = storage.file_length(name)
                kind = name.rsplit(".", 1)[-1]
                out[kind] = out.get(kind, 0) + size
                inner += size
            storage.close()
        out["compound directory"] = out.get("compound directory", 0) + path.stat().st_size - inner
    return out


def grouped(arrays_bytes: dict[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for name, size in arrays_bytes.items():
        group = next((g for prefix, g in GROUPS if name.startswith(prefix)), name)
        out[group] = out.get(group, 0) + size
    return out


def breakdown(index: Path) -> dict[str, Any]:
    from search.store.manifest import load_manifest
    from search.store.segment import side_path

    manifest = load_manifest(index)
    ids = [segment_id for segment_id, _passages, _deleted in manifest.segments]
    sides = [side_path(index, s) for s in ids]
    seg_files = [index / f"{s}.seg" for s in ids]
    side = side_breakdown(sides)
    whoosh = whoosh_breakdown([p for p in seg_files if p.exists()])
    total = sum(p.stat().st_size for p in index.iterdir() if p.is_file())
    return {
        "index_bytes": total,
        "side_bytes": sum(p.stat().st_size for p in sides),
        "whoosh_bytes": sum(p.stat().st_size for p in seg_files if p.exists()),
        "side_groups": dict(sorted(grouped(side).items(), key=lambda kv: -kv[1])),
        "side_arrays": dict(sorted(side.items(), key=lambda kv: -kv[1])),
        "whoosh_files": dict(sorted(whoosh.items(), key=lambda kv: -kv[1])),
    }


def report(found: dict[str, Any], text_bytes: int | None) -> str:
    def row(name: str, size: int) -> str:
        ratio = f"{size / text_bytes:6.3f}×" if text_bytes else ""
        return f"  {name:<42}{size / (1 << 20):9.2f} MiB {ratio}"

    lines = [row("index", found["index_bytes"]), "side files:"]
    lines.append(row("(all)", found["side_bytes"]))
    lines += [row(k, v) for k, v in found["side_groups"].items()]
    lines.append("Whoosh segments:")
    lines.append(row("(all)", found["whoosh_bytes"]))
    lines += [row(k, v) for k, v in found["whoosh_files"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--text-bytes", type=int, default=None, help="UTF-8 bytes of the text")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here too")
    args = parser.parse_args(argv)
    found = breakdown(args.index)
    print(report(found, args.text_bytes))
    if args.json:
        args.json.write_text(json.dumps(found, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
