"""``govsearch stats`` (what the index holds) and ``govsearch show`` (a passage in its
document)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from search.cli_cluster import ray_address
from search.cli_options import ColorOpt, IndexOpt, RayOpt
from search.cli_support import Color, check_location, configure, console, ready, user_errors
from search.config import index_dir as resolve


def stats(
    index_dir: IndexOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    ray: RayOpt = None,
) -> None:
    """Documents, passages, size, last update, collection, analysis; documents by issuer
    and by year; a sharded index's shards (with --ray: the Ray node that searches each)."""
    from dataclasses import replace

    from search import render, render_inspect
    from search.stats import collect, shard_stats, stats_object

    folder = resolve(index_dir)
    with user_errors():
        check_location(folder)
        configure(folder, None, None)
        from search.searching import Searcher
        from search.store.manifest import damaged

        with Searcher(folder) as searcher, damaged(folder):
            found = collect(searcher)
        found = replace(found, shards=shard_stats(folder, ray_address(ray)))
    if as_json:
        sys.stdout.write(render.json_line(stats_object(found)) + "\n")
    else:
        render_inspect.write_stats(found, sys.stdout)


def show(
    location: Annotated[
        str,
        typer.Argument(
            metavar="LOCATION", help="A doc_id, or path:line (path:pN) as printed by search."
        ),
    ],
    query_text: Annotated[
        str, typer.Argument(metavar="QUERY", help="Highlight the matches of this query.")
    ] = "",
    index_dir: IndexOpt = None,
    context: Annotated[
        int, typer.Option("-C", "--context", min=0, metavar="N", help="Passages before and after.")
    ] = 2,
    color: ColorOpt = Color.auto,
) -> None:
    """A passage in its document, with passages around it (a doc_id: the whole document)."""
    from search import render_inspect
    from search.show import excerpt

    folder = resolve(index_dir)
    with user_errors():
        ready(folder)
        from search.searching import Searcher
        from search.store.manifest import damaged

        with Searcher(folder) as searcher, damaged(folder):
            shown = excerpt(searcher, location, context, query_text)
    render_inspect.excerpt(shown, console(color))
