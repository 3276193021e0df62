"""How the index grows: the same collection repeated 1×, 3× and 10× (distinct document ids).

    python scripts/bench_growth.py CORPUS... [--out bench-out/growth] [--sizes 1,3,10]
                                   [--queries 200] [--pattern '*.jsonl']

For each size it writes the repeated collection under OUT/data-K/ (JSON Lines, every record's
id suffixed with its copy number; never committed), then measures in that run:
- the full build: wall time, characters per second, peak RSS of the process tree;
- the index size on disk against the UTF-8 size of the text;
- adding one announcement (a title and five paragraphs) with ``govsearch index``, start-up
  included;
- warm in-process query latency (top 10, p50 and p95) of the same keyword and two-keyword
  queries at every size.
Build time should grow linearly with the size, peak memory and the time to add one file should
stay flat.  Writes OUT/growth.json, OUT/growth.md and OUT/growth.svg (a plot of the table).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _common import collection_files, median, percentile, read_passages, write_json
from bench import _checked, disk_size, govsearch_cmd, measure, one_announcement, queries_from


def repeated(files: Sequence[Path], copies: int, folder: Path) -> list[Path]:
    """The collection ``copies`` times over, each copy's ids made distinct."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    out = []
    for copy in range(copies):
        for path in files:
            target = folder / f"{path.parent.name}-{path.stem}-c{copy}.jsonl"
            with open(path, encoding="utf-8") as src, open(target, "w", encoding="utf-8") as dst:
                for line in src:
                    if line.strip():
                        record = json.loads(line)
                        record["id"] = f"{record.get('id')}~c{copy}"
                        dst.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.append(target)
    return out


def warm(index: Path, queries: Sequence[str], passes: int = 3) -> dict[str, float]:
    from search.searching import Options, Searcher

    per_query: list[list[float]] = [[] for _ in queries]
    with Searcher(index) as searcher:
        for q in queries:
            searcher.search(q, Options(limit=10))
        for _ in range(passes):
            for i, q in enumerate(queries):
                started = time.perf_counter()
                searcher.search(q, Options(limit=10))
                per_query[i].append(time.perf_counter() - started)
    latencies = [median(times) * 1000 for times in per_query]
    return {"p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95)}


def run(
    corpus: Sequence[Path], out: Path, sizes: Sequence[int], count: int, pattern: str
) -> dict[str, Any]:
    from search import analysis

    analysis.configure("rjieba")
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    files = collection_files(corpus, pattern)
    texts = [p.text for p in read_passages(files, out / "index-1")]
    chars = sum(len(t) for t in texts)
    utf8 = sum(len(t.encode("utf-8")) for t in texts)
    queries = queries_from(texts, 1, count * 4 // 5, count // 5)
    rows = []
    for k in sizes:
        data = repeated(files, k, out / f"data-{k}")
        index = out / f"index-{k}"
        shutil.rmtree(index, ignore_errors=True)
        build = _checked(
            measure(
                [*govsearch_cmd(), "index", str(out / f"data-{k}"), "--index", str(index)],
                sample_tree=True,
            ),
            f"build {k}x",
        )
        base = [*govsearch_cmd(), "index", str(out / f"data-{k}"), "--index", str(index)]
        one = one_announcement(base, texts, out / f"announcement-{k}")
        size = disk_size(index)
        rows.append(
            {
                "copies": k,
                "chars": chars * k,
                "build_s": build.seconds,
                "chars_per_s": chars * k / build.seconds,
                "peak_rss_mb": build.tree_peak_mb,
                "index_mb": size / (1 << 20),
                "index_ratio": size / (utf8 * k),
                "add_one_file_s": one["add"],
                "change_one_file_s": one["change"],
                "delete_one_file_s": one["delete"],
                **warm(index, queries),
            }
        )
        write_json(out / "growth.json", {"rows": rows, "queries": len(queries)})
        shutil.rmtree(data[0].parent, ignore_errors=True)
    result = {"corpus": [str(c) for c in corpus], "queries": len(queries), "rows": rows}
    write_json(out / "growth.json", result)
    (out / "growth.md").write_text(table(rows), encoding="utf-8")
    (out / "growth.svg").write_text(plot(rows), encoding="utf-8")
    return result


COLUMNS = [
    ("copies", "size", "{}×"),
    ("chars", "characters", "{:,}"),
    ("build_s", "build (s)", "{:.0f}"),
    ("chars_per_s", "chars/s", "{:,.0f}"),
    ("peak_rss_mb", "peak RSS (MB)", "{:.0f}"),
    ("index_ratio", "index ÷ text", "{:.2f}"),
    ("add_one_file_s", "add one file (s)", "{:.2f}"),
    ("p50_ms", "warm p50 (ms)", "{:.1f}"),
    ("p95_ms", "warm p95 (ms)", "{:.1f}"),
]


def table(rows: Sequence[dict[str, Any]]) -> str:
    head = "| " + " | ".join(title for _, title, _ in COLUMNS) + " |\n"
    head += "|" + "---:|" * len(COLUMNS) + "\n"
    body = "".join(
        "| " + " | ".join(fmt.format(row[key]) for key, _, fmt in COLUMNS) + " |\n" for row in rows
    )
    return head + body


PANELS = [
    ("build_s", "full build (s)"),
    ("peak_rss_mb", "peak RSS (MB)"),
    ("add_one_file_s", "add one file (s)"),
    ("p95_ms", "warm query p50 / p95 (ms)"),
]


def plot(rows: Sequence[dict[str, Any]]) -> str:
    """Four small line charts against the collection size, as an SVG image."""
    width, height, pad = 260, 180, 36
    xs = [row["copies"] for row in rows]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * 4}" height="{height + 30}" '
        'font-family="sans-serif" font-size="11">',
        f'<rect width="{width * 4}" height="{height + 30}" fill="white"/>',
    ]
    for n, (key, title) in enumerate(PANELS):
        series = [[row[key] for row in rows]]
        if key == "p95_ms":
            series.insert(0, [row["p50_ms"] for row in rows])
        top = max(max(s) for s in series) * 1.15 or 1.0
        left = n * width + pad

        def xy(x: float, y: float, left: int = left, top: float = top) -> tuple[float, float]:
            px = left + (x - xs[0]) / max(1, xs[-1] - xs[0]) * (width - pad - 60)
            return px, height - (y / top) * (height - 40)

        parts.append(f'<text x="{left}" y="16" font-weight="bold">{title}</text>')
        if len(series) > 1:
            parts.append(f'<text x="{left}" y="30" fill="#d62728">p50</text>')
            parts.append(f'<text x="{left + 30}" y="30" fill="#1f77b4">p95</text>')
        parts.append(
            f'<line x1="{left}" y1="{height}" x2="{left + width - pad - 12}" y2="{height}" '
            'stroke="#888"/>'
        )
        for x in xs:
            px, _ = xy(x, 0)
            parts.append(f'<text x="{px - 6}" y="{height + 16}">{x}×</text>')
        for colour, values in zip(("#1f77b4", "#d62728"), reversed(series), strict=False):
            points = " ".join(
                f"{px:.1f},{py:.1f}"
                for px, py in (xy(x, y) for x, y in zip(xs, values, strict=True))
            )
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
            for x, y in zip(xs, values, strict=True):
                px, py = xy(x, y)
                parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>')
                label = f"{y:,.2f}" if y < 10 else f"{y:,.0f}"
                parts.append(f'<text x="{px + 4:.1f}" y="{py - 5:.1f}">{label}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("bench-out/growth"))
    parser.add_argument("--sizes", default="1,3,10")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--pattern", default="*.jsonl")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    result = run(args.corpus, args.out, sizes, args.queries, args.pattern)
    sys.stdout.write(table(result["rows"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
