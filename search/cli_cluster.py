"""Shards on Ray at the command line: where ``--ray`` points (``ray_address``), and
``govsearch cluster up|down|status`` (``search.cluster.service``), which ``cli.py`` registers."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from search.cli_options import IndexOpt, RayOpt
from search.cli_support import check_location, configure, stderr, user_errors
from search.config import index_dir as resolve


def ray_address(option: str | None) -> str | None:
    """``--ray``, else ``$GOVSEARCH_RAY``, else None (no Ray)."""
    import os

    return option or os.environ.get("GOVSEARCH_RAY") or None


class ClusterAction(StrEnum):
    up = "up"
    down = "down"
    status = "status"


def cluster(
    action: Annotated[
        ClusterAction, typer.Argument(help="up (start them), down (end them) or status.")
    ],
    index_dir: IndexOpt = None,
    ray: RayOpt = None,
) -> None:
    """Start, end or list the search actors of an index on Ray: one per shard, kept open
    between commands (up with no --ray starts a Ray head on 127.0.0.1 if none runs)."""
    from search.store.shards import folders

    folder = resolve(index_dir)
    with user_errors():
        check_location(folder)
        configure(folder, None, None)
        shards = folders(folder)
        from search.cluster import service

        address = ray_address(ray)
        if action is ClusterAction.down:
            ended = service.down(address, shards)
            stderr(f"govsearch: ended {ended} search actor{'s' * (ended != 1)}")
            return
        states = (
            service.up(folder, address, shards)
            if action is ClusterAction.up
            else (service.status(address, shards))
        )
    for state in states:
        typer.echo(f"{state.shard}\t{state.state}\t{state.node or '-'}\t{state.generation}")
