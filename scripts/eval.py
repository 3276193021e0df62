"""Ranking quality on eval-stard: MRR@10, nDCG@10 and Recall@100 of a TREC run.

    python scripts/eval.py /work/shared/corpus/eval-stard [--index DIR] [--out bench-out]

Indexes the ``docs-*.jsonl`` of the folder (or reuses the index), runs every question of
``queries.jsonl`` as the query (the question text exactly as written), writes a TREC run
(``govsearch batch --format trec`` when the installed CLI has it, else the library and
``search.render.write_trec``) and scores it against ``qrels.tsv`` (binary relevance).  Writes
``OUT/eval.trec`` and ``OUT/eval.json``.  Reference: character-bigram BM25 gives MRR@10 0.352.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from _common import DEFAULT_OUT, collection_files, ensure_index, write_json

REFERENCE = {"mrr@10": 0.352, "ndcg@10": 0.340, "recall@100": 0.634}


def load_queries(path: Path) -> list[tuple[str, str]]:
    """``(id, text)`` of every query in a ``{"id", "text"}`` JSON Lines file, in file order."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            out.append((str(record["id"]), str(record["text"])))
    return out


def load_qrels(path: Path) -> dict[str, set[str]]:
    """Relevant document ids per query from a ``query-id corpus-id score`` TSV (score > 0)."""
    qrels: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[2].strip().lstrip("-").isdigit():
            continue  # header or malformed
        if int(parts[2]) > 0:
            qrels.setdefault(parts[0], set()).add(parts[1])
    return qrels


def read_trec(lines: Iterable[str]) -> dict[str, list[str]]:
    """Ranked document ids per query from TREC run lines (``qid Q0 doc rank score run``)."""
    ranked: dict[str, list[tuple[int, str]]] = {}
    for line in lines:
        parts = line.split()
        if len(parts) >= 6:
            ranked.setdefault(parts[0], []).append((int(parts[3]), parts[2]))
    return {qid: [doc for _, doc in sorted(rows)] for qid, rows in ranked.items()}


def metrics(run: dict[str, list[str]], qrels: dict[str, set[str]]) -> dict[str, float]:
    """Mean MRR@10, nDCG@10 (binary gains) and Recall@100 over the queries of ``qrels``;
    a query missing from ``run`` scores 0."""
    mrr = ndcg = recall = 0.0
    for qid, relevant in qrels.items():
        ranked = run.get(qid, [])
        for rank, doc in enumerate(ranked[:10], 1):
            if doc in relevant:
                mrr += 1.0 / rank
                break
        dcg = sum(1.0 / math.log2(r + 1) for r, d in enumerate(ranked[:10], 1) if d in relevant)
        ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(len(relevant), 10) + 1))
        ndcg += dcg / ideal
        recall += len(relevant & set(ranked[:100])) / len(relevant)
    n = max(1, len(qrels))
    return {"mrr@10": mrr / n, "ndcg@10": ndcg / n, "recall@100": recall / n}


def cli_has_trec_batch() -> bool:
    """Whether the installed ``govsearch`` has ``batch --format trec``."""
    exe = shutil.which("govsearch")
    if exe is None:
        return False
    try:
        done = subprocess.run(
            [exe, "batch", "--help"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and "trec" in done.stdout


def run_cli(
    index: Path, queries: Sequence[tuple[str, str]], limit: int, out: TextIO
) -> dict[str, str]:
    """The run through ``govsearch batch --format trec`` (JSON Lines ``{"id","query"}`` in,
    ``limit`` documents per query).  Returns the lines it reported on stderr."""
    payload = "".join(
        json.dumps({"id": qid, "query": text}, ensure_ascii=False) + "\n" for qid, text in queries
    )
    done = subprocess.run(
        ["govsearch", "batch", "-", "--format", "trec", "--index", str(index), "-n", str(limit)],
        input=payload,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1, 2) or (done.returncode == 2 and not done.stdout):
        raise SystemExit(f"govsearch batch failed ({done.returncode}): {done.stderr.strip()}")
    out.write(done.stdout)
    errors: dict[str, str] = {}
    for line in done.stderr.splitlines():
        found = re.match(r"govsearch: line (\d+): (.*)", line)
        if found and 0 < int(found.group(1)) <= len(queries):
            errors[queries[int(found.group(1)) - 1][0]] = found.group(2)
    return errors


def run_library(
    index: Path, queries: Sequence[tuple[str, str]], limit: int, out: TextIO
) -> dict[str, str]:
    """The run through the library, one Searcher for all queries, as ``govsearch batch
    --format trec`` does it (``per_doc=1``: the first ``limit`` hits are distinct documents).
    Returns the queries that raised an error (e.g. an unbalanced quote), with the message."""
    from search import render
    from search.errors import SearchError
    from search.searching import Options, Searcher

    errors: dict[str, str] = {}
    options = Options(limit=limit, per_doc=1, distinct="document")
    with Searcher(index) as searcher:
        for qid, text in queries:
            try:
                hits = searcher.search(text, options).hits
            except SearchError as exc:
                errors[qid] = exc.message
                continue
            render.write_trec(hits, out, qid)
    return errors


def evaluate(
    corpus: Path, index: Path, out_dir: Path, limit: int = 100, engine: str = "auto"
) -> dict[str, Any]:
    """Index, run and score; writes ``out_dir/eval.trec`` and ``out_dir/eval.json``."""
    files = collection_files([corpus], "docs-*.jsonl")
    started = time.perf_counter()
    report = ensure_index(index, files)
    index_seconds = time.perf_counter() - started
    queries = load_queries(corpus / "queries.jsonl")
    qrels = load_qrels(corpus / "qrels.tsv")
    use_cli = engine == "cli" or (engine == "auto" and cli_has_trec_batch())
    out_dir.mkdir(parents=True, exist_ok=True)
    trec = out_dir / "eval.trec"
    errors: dict[str, str] = {}
    started = time.perf_counter()
    with open(trec, "w", encoding="utf-8") as fh:
        if use_cli:
            errors = run_cli(index, queries, limit, fh)
        else:
            errors = run_library(index, queries, limit, fh)
    search_seconds = time.perf_counter() - started
    run = read_trec(trec.read_text(encoding="utf-8").splitlines())
    scores = metrics(run, qrels)
    result = {
        "corpus": str(corpus),
        "index": str(index),
        "engine": "govsearch batch --format trec" if use_cli else "library (Searcher.search)",
        "limit": limit,
        "queries": len(queries),
        "judged_queries": len(qrels),
        "empty_queries": sum(1 for qid, _ in queries if not run.get(qid)),
        "error_queries": len(errors),
        "errors": dict(list(errors.items())[:20]),
        "metrics": scores,
        "reference_char_bigram_bm25": REFERENCE,
        "index_seconds": round(index_seconds, 2),
        "index_report": {"added": report.added, "unchanged": report.unchanged},
        "search_seconds": round(search_seconds, 2),
        "queries_per_second": round(len(queries) / max(search_seconds, 1e-9), 1),
        "run_file": str(trec),
    }
    write_json(out_dir / "eval.json", result)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="MRR@10 / nDCG@10 / Recall@100 of govsearch on eval-stard (STARD questions)."
    )
    parser.add_argument("corpus", type=Path, help="the eval-stard folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--index", type=Path, help="index folder (built or reused) [default: OUT/eval-index]"
    )
    parser.add_argument("--limit", type=int, default=100, help="documents per query (default 100)")
    parser.add_argument(
        "--engine",
        choices=("auto", "library", "cli"),
        default="auto",
        help="auto: `govsearch batch --format trec` when available, else the library",
    )
    args = parser.parse_args(argv)
    index = args.index or args.out / "eval-index"
    result = evaluate(args.corpus, index, args.out, args.limit, args.engine)
    m = result["metrics"]
    print(f"engine: {result['engine']}; {result['queries']} queries, limit {result['limit']}")
    print(f"{'metric':<12}{'govsearch':>10}{'reference':>11}")
    for key, value in m.items():
        print(f"{key:<12}{value:>10.4f}{REFERENCE[key]:>11.3f}")
    print(
        f"queries with no result: {result['empty_queries']} "
        f"(of which errors: {result['error_queries']}); "
        f"{result['queries_per_second']} queries/s"
    )
    print(f"wrote {args.out / 'eval.json'} and {result['run_file']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
