"""The ``govsearch`` command: options → one library call → a renderer → an exit code.

This is the one place where a ``SearchError`` becomes a line on stderr and exit status 2.
Heavy modules (Whoosh, jieba, numpy) are imported inside the commands, so ``--help`` is instant.
"""

from __future__ import annotations

import os
import signal
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from search import __version__
from search.cli_analysts import trend, watch_app
from search.cli_batch import batch
from search.cli_cluster import cluster, ray_address
from search.cli_help import (
    CONTEXT,
    SYNTAX,
    Command,
    Group,
    QueryCommand,
    interrupted,
    query_text,
)
from search.cli_inspect import show, stats
from search.cli_options import ColorOpt, IndexOpt, PartialOpt, PerDocOpt, RayOpt, StrictOpt
from search.cli_support import (
    Color,
    check_location,
    configure,
    fail,
    from_here,
    kept,
    missing_shards,
    new_index,
    open_searcher,
    ready,
    report_failures,
    run_index,
    stderr,
    summary_line,
    user_errors,
    write_facets,
    write_stream,
)
from search.config import index_dir as resolve
from search.errors import BadInput
from search.inert import inert

app = typer.Typer(
    cls=Group,
    context_settings=CONTEXT,
    help="Full-text search over Chinese government announcements.",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

app.add_typer(watch_app, name="watch", short_help="Saved searches: what is new since last run.")


class Sort(StrEnum):
    relevance = "relevance"
    date = "date"


class Engine(StrEnum):
    rjieba = "rjieba"
    jieba = "jieba"


UserdictOpt = Annotated[
    Path | None,
    typer.Option(
        "--userdict",
        metavar="FILE",
        help="Extra jieba dictionary (word [freq] [tag] per line); remembered by the index.",
    ),
]


@app.command(cls=Command, short_help="Index files and folders, or refresh the index.")
def index(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="PATH", help="Files or folders to add or refresh."),
    ] = None,
    index_dir: IndexOpt = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Start over from an empty index.")
    ] = False,
    segmenter: Annotated[
        Engine | None,
        typer.Option("--segmenter", help="rjieba (fast, default) or jieba (reference)."),
    ] = None,
    userdict: UserdictOpt = None,
    list_failed: Annotated[
        bool,
        typer.Option("--list-failed", help="List the files that failed, and why; index nothing."),
    ] = False,
    shards: Annotated[
        int | None,
        typer.Option(
            "--shards",
            metavar="N",
            help="Split the index into N shards by document (recorded; changing it rebuilds).",
            show_default=False,
        ),
    ] = None,
    ray: RayOpt = None,
) -> None:
    """Add, update and remove what changed; with no PATH, refresh the indexed collection."""
    folder = resolve(index_dir)
    if list_failed:
        with user_errors():
            _list_failed(folder)
        return
    with user_errors(), new_index(folder), kept(folder):
        check_location(folder)
        configure(folder, segmenter.value if segmenter else None, userdict)
        report = run_index(folder, paths or None, rebuild, shards, ray_address(ray))
        report_failures(folder, report)
        stderr(summary_line(report))
        if report.indexed_nothing:
            raise typer.Exit(2)


def _list_failed(folder: Path) -> None:
    """The files that failed at the last update, one ``path: problem`` line each."""
    from search.config import collection_base
    from search.store.manifest import load_manifest

    check_location(folder)
    base = collection_base(folder)
    for entry in load_manifest(folder).failed.values():
        typer.echo(inert(from_here(entry["problem"], base)))


@app.command(
    cls=QueryCommand,
    short_help="Ranked passages for a query.",
    epilog=SYNTAX,
)
def search(
    words: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="QUERY",
            show_default=False,
            help="Query words (see the syntax below); several words are ANDed.",
        ),
    ] = None,
    more: Annotated[
        list[str] | None,
        typer.Option(
            "-e",
            "--query",
            metavar="TEXT",
            show_default=False,
            help="Query text, even if it begins with - (repeatable).",
        ),
    ] = None,
    index_dir: IndexOpt = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "-n",
            "--limit",
            min=0,
            metavar="N",
            show_default=False,
            help="Hits to show (0 = all) [default: 10; with -l: all documents].",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one hit per line.")] = False,
    files: Annotated[
        bool,
        typer.Option("-l", "--files", help="Only the paths of the matching documents, best first."),
    ] = False,
    count: Annotated[
        bool, typer.Option("-c", "--count", help="Only the number of matching passages.")
    ] = False,
    issuer: Annotated[
        str,
        typer.Option("--issuer", metavar="TEXT", help="Only documents whose issuer contains this."),
    ] = "",
    since: Annotated[
        str,
        typer.Option(
            "--since",
            metavar="DATE",
            help="Only documents dated on or after (2023, 2023-06, 2023-06-04).",
        ),
    ] = "",
    until: Annotated[
        str, typer.Option("--until", metavar="DATE", help="Only documents dated on or before.")
    ] = "",
    sort: Annotated[
        Sort, typer.Option("--sort", help="relevance or date (newest first).")
    ] = Sort.relevance,
    per_doc: PerDocOpt = 3,
    strict: StrictOpt = False,
    refresh: Annotated[
        bool,
        typer.Option("--refresh", help="Update the index from its collection before searching."),
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show the parts of each hit's score.")
    ] = False,
    facets: Annotated[
        str | None,
        typer.Option(
            "--facets",
            metavar="NAMES",
            show_default=False,
            help="After the hits, matching documents per issuer,year,month,format,folder.",
        ),
    ] = None,
    all_copies: Annotated[
        bool,
        typer.Option("--all-copies", help="Show every repost (near duplicate) on the page."),
    ] = False,
    color: ColorOpt = Color.auto,
    ray: RayOpt = None,
    allow_partial: PartialOpt = False,
) -> None:
    """Ranked passages for QUERY: location, title · issuer · date, highlighted snippet."""
    text = query_text([*(words or ()), *(more or ())])
    if as_json + files + count > 1:
        raise fail(BadInput("--json, -l/--files and -c/--count exclude each other", "pick one"))
    if explain and (files or count):
        raise fail(BadInput("--explain shows the parts of each hit's score", "drop -l/-c"))
    names = _facet_names(facets, files or count)
    folder = resolve(index_dir)
    with user_errors():
        ready(folder, refresh, warn=", or search with --refresh")
        from search.searching import Options

        if files:  # the best passage of each document matching the whole query; no relaxing
            options = Options(
                limit or 0, issuer, since, until, sort.value, 0, True, False, "document"
            )
        else:
            n = 10 if limit is None else limit
            options = Options(
                n, issuer, since, until, sort.value, per_doc, strict, explain, "", not all_copies
            )
        with open_searcher(folder, ray_address(ray), allow_partial) as searcher:
            if count:
                total = searcher.count(text, options)
                missing_shards(searcher)
                typer.echo(total)
                raise typer.Exit(0 if total else 1)
            stream = searcher.stream(text, options)
            missing = missing_shards(searcher)
            from search.store.manifest import damaged

            with damaged(folder):
                status = write_stream(stream, as_json, files, color, missing)
            if names:
                write_facets(searcher, text, options, names, as_json, color)
    raise typer.Exit(status)


def _facet_names(text: str | None, files_or_count: bool) -> tuple[str, ...]:
    """The facets asked for (none without --facets); -l and -c print nothing but their paths
    or number, so they take no facets."""
    if text is None:
        return ()
    if files_or_count:
        raise fail(BadInput("--facets prints after the hits", "drop -l/-c, or use --json"))
    from search.facets import parse_names

    with user_errors():
        return parse_names(text)


app.command(cls=Command, short_help="Run many queries: one per line of a file or stdin.")(batch)
app.command(cls=Command, short_help="What the index holds.")(stats)
app.command(cls=Command, short_help="A passage in its document, or a whole document.")(show)
app.command(cls=Command, short_help="Matching documents per year, quarter or month, as bars.")(
    trend
)
app.command(cls=Command, short_help="Long-lived Ray actors that keep the shards open.")(cluster)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"govsearch {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """govsearch: search Chinese government announcements from the terminal."""


def main() -> None:
    """Entry point: the Typer app.  A closed pipe (``govsearch search … | head -1``) ends it
    quietly, as it ends cat or grep: by SIGPIPE, no traceback."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        _narrowed(sys.argv[1:])()
    except KeyboardInterrupt as exc:  # outside a command (arguments, imports)
        raise SystemExit(interrupted(exc).exit_code) from None
    except BrokenPipeError:  # no SIGPIPE on this platform
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)


def _narrowed(args: list[str]) -> typer.Typer:
    """The app with only the command the arguments name, when they name one: Typer turns
    every registered command's signature into Click parameters at every start (15–30 ms for
    all of them), and one command's are enough to run it.  Without a command name (``--help``,
    ``--version``, a typo), the whole app."""
    if not args or args[0].startswith("-"):
        return app
    from copy import copy

    from typer.main import get_command_name

    commands = [
        c
        for c in app.registered_commands
        if (c.name or get_command_name(getattr(c.callback, "__name__", ""))) == args[0]
    ]
    groups = [g for g in app.registered_groups if g.name == args[0]]
    if not commands and not groups:
        return app
    narrowed = copy(app)
    narrowed.registered_commands, narrowed.registered_groups = commands, groups
    return narrowed
