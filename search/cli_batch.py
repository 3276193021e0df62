"""``govsearch batch``: many queries over one open index, as JSON Lines, TSV or a TREC run."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from search.cli_cluster import ray_address
from search.cli_options import IndexOpt, PartialOpt, PerDocOpt, RayOpt, StrictOpt
from search.cli_support import missing_shards, open_searcher, progress, ready, stderr, user_errors
from search.config import index_dir as resolve
from search.errors import BadInput


class Format(StrEnum):
    jsonl = "jsonl"
    tsv = "tsv"
    trec = "trec"


class Input(StrEnum):
    auto = "auto"
    text = "text"
    jsonl = "jsonl"
    tsv = "tsv"


def batch(
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="Queries, one per line (text, id<TAB>query or JSON); - or none: stdin.",
        ),
    ] = "-",
    index_dir: IndexOpt = None,
    fmt: Annotated[
        Format, typer.Option("--format", help="jsonl (as search --json, plus qid), tsv, trec.")
    ] = Format.jsonl,
    limit: Annotated[
        int | None,
        typer.Option(
            "-n",
            "--limit",
            min=0,
            metavar="N",
            show_default=False,
            help="Hits per query (0 = all) [default: 10; trec: 100 documents].",
        ),
    ] = None,
    per_doc: PerDocOpt = 3,
    strict: StrictOpt = False,
    form: Annotated[
        Input,
        typer.Option(
            "--input",
            help="Lines: auto ({…} is JSON, id<TAB>query is tsv, else text), text, jsonl, tsv.",
        ),
    ] = Input.auto,
    run_name: Annotated[
        str,
        typer.Option("--run", metavar="NAME", help="Run name in the last column of trec output."),
    ] = "govsearch",
    ray: RayOpt = None,
    allow_partial: PartialOpt = False,
) -> None:
    """Run many queries over one open index; results on stdout, bad lines on stderr.

    Exit status: 0 when some query matched in full, 1 when none did, 2 when a line was bad."""
    from search import batch as batching
    from search import render

    folder = resolve(index_dir)
    trec = fmt is Format.trec
    with user_errors():
        if not run_name or any(ch.isspace() for ch in run_name):
            raise BadInput(f"bad --run name {run_name!r}", "give one word, e.g. --run bm25")
        data = _read_input(source)
        ready(folder)
        from search.searching import Options

        limit = (100 if trec else 10) if limit is None else limit
        defaults = Options(
            limit,
            per_doc=1 if trec else per_doc,
            strict=strict,
            distinct="document" if trec else "",
        )
        items = batching.parse(data, defaults, form.value)
        write = render.batch_writer(fmt.value, sys.stdout, run_name)
        progress_cb, bar = progress("searching")
        with open_searcher(folder, ray_address(ray), allow_partial) as searcher, bar:
            report = batching.run(searcher, items, write, _report_bad, progress_cb)
            missing_shards(searcher)
    if report.bad:
        stderr(f"govsearch: {report.summary()}")
        raise typer.Exit(2)
    if not report.matched:  # as grep with several patterns: nothing matched
        raise typer.Exit(1)


def _read_input(source: str) -> bytes:
    if source == "-":
        if sys.stdin.isatty():
            stderr("govsearch: reading queries from standard input (end with Ctrl-D)")
        return sys.stdin.buffer.read()
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise BadInput(
            f"cannot read {source}: {exc.strerror}", "give a file of queries, or - for stdin"
        ) from exc


def _report_bad(bad: Any) -> None:
    stderr(f"govsearch: line {bad.line}: {bad.message}")
