"""Shards on Ray (issue #14), each figure beside the unsharded baseline of the same run.

    python scripts/bench_shards.py CORPUS... [--out bench-shards] [--every 4] [--queries 200]

On a local Ray cluster of a head and two worker nodes (``ray.cluster_utils.Cluster``, one CPU
each, on 127.0.0.1; this machine has two cores):

(a) build throughput (characters a second) of the same collection: unsharded in this process
    (two worker processes), and 1, 2 and 4 shards built as Ray tasks;
(b) warm query latency p50/p95 of keyword queries drawn from the corpus (fixed seed): the
    unsharded index, 2 and 4 shards fanned out in this process, and 4 shards on Ray actors;
(c) batch throughput (queries a second) of the same queries;
(d) a paper estimate for 10^7 documents on K = 4, 16, 64 machines, from the measured rates and
    the assumptions it prints.

``--every N`` takes every N-th record of each file (written under OUT) so a run takes minutes.
Writes OUT/bench-shards.json and OUT/bench-shards.md.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # 127.0.0.1 only
os.environ.setdefault("RAY_AUTH_MODE", "token")

from _common import collection_files, main_words, median, percentile, read_passages, write_json
from bench import sample_files

DOCS = 10_000_000


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def _queries(texts: Sequence[str], count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    words: list[str] = []
    for text in rng.sample(list(texts), min(len(texts), count * 3)):
        found = main_words(text)
        if found:
            words.append(rng.choice(found))
        if len(words) == count:
            break
    return words


def _latency(searcher: Any, queries: Sequence[str]) -> dict[str, float]:
    from search.query.plan import Options

    for q in queries[:10]:
        searcher.search(q, Options())  # warm
    times = []
    for q in queries:
        start = time.perf_counter()
        searcher.search(q, Options())
        times.append((time.perf_counter() - start) * 1000)
    total = sum(times) / 1000
    return {
        "p50_ms": median(times),
        "p95_ms": percentile(times, 95),
        "batch_qps": len(queries) / total,
    }


def _build(folder: Path, files: list[Path], shards: int, address: str | None) -> float:
    from search.cluster import build_on_ray
    from search.store import shards as layout
    from search.store import writer

    shutil.rmtree(folder, ignore_errors=True)
    if address is None:
        seconds, _ = _timed(lambda: writer.update(folder, files))
        return seconds
    layout.record(folder, shards)
    seconds, _ = _timed(lambda: build_on_ray(address, folder, files, shards, None))
    return seconds


def run(corpus: Sequence[Path], out: Path, every: int, count: int) -> dict[str, Any]:
    import ray
    from ray.cluster_utils import Cluster

    from search import analysis
    from search.cluster import ClusterSearcher
    from search.query.fanout import FanOut, InProcess
    from search.searching import Searcher
    from search.store import shards as layout

    analysis.configure("rjieba")
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    files = collection_files(corpus)
    if every > 1:
        files = sample_files(files, out, every)
    one = out / "one"
    texts = [p.text for p in read_passages(files, one)]
    chars = sum(len(t) for t in texts)
    documents = len({p.doc_id for p in read_passages(files, one)})
    queries = _queries(texts, count)
    start, cluster = _timed(lambda: Cluster(initialize_head=True, head_node_args={"num_cpus": 0}))
    for _ in range(2):
        cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False)
    result: dict[str, Any] = {
        "files": [str(f) for f in files],
        "characters": chars,
        "documents": documents,
        "passages": len(texts),
        "queries": len(queries),
        "cluster_start_s": start,
        "build": {},
        "search": {},
    }
    try:
        base = _build(one, files, 1, None)
        result["build"]["unsharded"] = {"seconds": base, "chars_per_s": chars / base}
        for n in (1, 2, 4):
            seconds = _build(out / f"shards-{n}", files, n, cluster.address)
            result["build"][f"{n} on Ray"] = {
                "seconds": seconds,
                "chars_per_s": chars / seconds,
                "vs_unsharded": base / seconds,
            }
        with Searcher(one) as single:
            result["search"]["unsharded"] = _latency(single, queries)
        for n in (2, 4):
            folder = out / f"shards-{n}"
            with FanOut(InProcess(layout.folders(folder)), folder) as fan:
                result["search"][f"{n} in process"] = _latency(fan, queries)
        with ClusterSearcher(out / "shards-4", cluster.address) as actors:
            result["search"]["4 on Ray actors"] = _latency(actors, queries)
    finally:
        ray.shutdown()
        cluster.shutdown()
    result["estimate"] = estimate(result)
    write_json(out / "bench-shards.json", result)
    (out / "bench-shards.md").write_text(report(result), encoding="utf-8")
    return result


def estimate(r: dict[str, Any]) -> list[dict[str, Any]]:
    """10^7 documents on K machines of 16 cores each, from this run's figures.

    Assumptions: documents as long as this corpus's on average (and, beside it, 3,000
    characters, about 90 GB of UTF-8 for 10^7 documents); one shard per core, each
    building at the rate one Ray task measured here (1 shard on Ray: one core); a query's
    time on a shard grows with the shard's passages as measured between this corpus and its
    4-shard split; the fan-out adds what 4 Ray actors added here over 4 in-process shards."""
    per_doc = r["characters"] / r["documents"]
    rate = r["build"]["1 on Ray"]["chars_per_s"]
    total_chars = DOCS * per_doc
    s = r["search"]
    one_p50 = s["unsharded"]["p50_ms"]
    overhead = max(0.0, s["4 on Ray actors"]["p50_ms"] - s["4 in process"]["p50_ms"])
    passages = r["passages"]
    out = []
    for k in (4, 16, 64):
        cores = 16 * k
        shard_passages = passages * DOCS / r["documents"] / cores
        scale = shard_passages / passages
        out.append(
            {
                "machines": k,
                "shards": cores,
                "build_hours": total_chars / (rate * cores) / 3600,
                "build_hours_3000": DOCS * 3000 / (rate * cores) / 3600,
                "passages_per_shard": shard_passages,
                "query_p50_ms": one_p50 * max(1.0, scale) + overhead,
            }
        )
    return out


def report(r: dict[str, Any]) -> str:
    lines = [
        "# Shards on Ray (scripts/bench_shards.py)",
        "",
        f"{r['documents']:,} documents, {r['passages']:,} passages, {r['characters']:,} "
        f"characters; local Ray cluster (head + 2 worker nodes, 1 CPU each) started in "
        f"{r['cluster_start_s']:.1f} s.",
        "",
        "| build | seconds | characters/s | ÷ unsharded time |",
        "|---|---:|---:|---:|",
    ]
    for name, b in r["build"].items():
        ratio = f"{b['vs_unsharded']:.2f}" if "vs_unsharded" in b else "1"
        lines.append(f"| {name} | {b['seconds']:.1f} | {b['chars_per_s']:,.0f} | {ratio} |")
    lines += ["", "| search | p50 ms | p95 ms | batch q/s |", "|---|---:|---:|---:|"]
    for name, s in r["search"].items():
        lines.append(f"| {name} | {s['p50_ms']:.1f} | {s['p95_ms']:.1f} | {s['batch_qps']:.0f} |")
    lines += [
        "",
        "Paper estimate, 10^7 documents (16 cores a machine, one shard a core):",
        "",
        "| machines | shards | build hours | (3,000-character documents) | passages a shard "
        "| query p50 ms |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for e in r["estimate"]:
        lines.append(
            f"| {e['machines']} | {e['shards']} | {e['build_hours']:.2f} | "
            f"{e['build_hours_3000']:.2f} | "
            f"{e['passages_per_shard']:,.0f} | {e['query_p50_ms']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("bench-shards"))
    parser.add_argument("--every", type=int, default=4, help="every N-th record (default 4)")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    result = run(args.corpus, args.out, args.every, args.queries)
    sys.stdout.write(report(result))


if __name__ == "__main__":
    main()
