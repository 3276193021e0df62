"""Options that several commands share, defined once (``cli.py``, ``cli_analysts.py``,
``cli_cluster.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from search.cli_support import Color

IndexOpt = Annotated[
    Path | None,
    typer.Option(
        "--index", metavar="DIR", help="Index folder [default: $GOVSEARCH_INDEX or ./index]."
    ),
]
ColorOpt = Annotated[
    Color, typer.Option("--color", help="Colour: auto (on a terminal), always, never.")
]
RayOpt = Annotated[
    str | None,
    typer.Option(
        "--ray",
        metavar="ADDRESS",
        help="Run on Ray: local (a cluster on this machine), auto (a running one) or host:port "
        "[default: $GOVSEARCH_RAY, else no Ray].",
        show_default=False,
    ),
]

PartialOpt = Annotated[
    bool,
    typer.Option(
        "--allow-partial",
        help="With --ray: answer from the other shards when one cannot (said on stderr).",
    ),
]
PerDocOpt = Annotated[
    int,
    typer.Option(
        "--per-doc",
        min=0,
        metavar="N",
        help="Passages of one document on the first page (0 = no limit).",
    ),
]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Only passages matching every keyword; never relax.")
]
