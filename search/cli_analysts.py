"""The analysts' commands: ``govsearch trend`` (``search.trend``) and ``govsearch watch``:
saved searches (``search.watch``) — add, list, rm, and run (also ``govsearch watch`` alone),
which shows what is new since a watch last ran.  ``cli.py`` registers them.

Exit status of a trend or a watch run: 0 when something matched (a watch: has new hits), 1
when nothing did, 2 on an error.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from search.cli_help import CONTEXT, Command, Group, query_text
from search.cli_options import ColorOpt, IndexOpt
from search.cli_support import Color, console, fail, ready, stderr, user_errors, write_trend
from search.config import index_dir as resolve
from search.errors import BadInput

watch_app = typer.Typer(
    cls=Group,
    context_settings=CONTEXT,
    help="Saved searches: what is new since each last ran. Alone, as watch run: run them all.",
    invoke_without_command=True,
    rich_markup_mode=None,
)

NONE_YET = "govsearch: no saved searches — add one: govsearch watch add NAME QUERY"
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON Lines, for scripts and cron.")]


class Period(StrEnum):
    year = "year"
    quarter = "quarter"
    month = "month"


def trend(
    queries: Annotated[
        list[str], typer.Argument(metavar="QUERY", help="One or more queries, side by side.")
    ],
    index_dir: IndexOpt = None,
    by: Annotated[
        Period, typer.Option("--by", help="One bar per year, quarter or month.")
    ] = Period.year,
    since: Annotated[
        str, typer.Option("--since", metavar="DATE", help="From this date (2023, 2023-06).")
    ] = "",
    until: Annotated[str, typer.Option("--until", metavar="DATE", help="To this date.")] = "",
    issuer: Annotated[
        str,
        typer.Option("--issuer", metavar="TEXT", help="Only documents whose issuer contains this."),
    ] = "",
    passages: Annotated[
        bool, typer.Option("--passages", help="Count matching passages, not documents.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="period,query… rows.")] = False,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", metavar="FILE", help="Also draw a .png or .svg chart (plot extra)."),
    ] = None,
    color: ColorOpt = Color.auto,
) -> None:
    """Matching documents per period for each QUERY, side by side; undated ones apart.

    Exit status: 0 when some query matched, 1 when none did, 2 on an error."""
    from search import trend as trends
    from search import trend_render

    if as_json and as_csv:
        raise fail(BadInput("--json and --csv exclude each other", "pick one"))
    folder = resolve(index_dir)
    with user_errors():
        if plot is not None:
            trend_render.check_plot(plot)
        ready(folder)
        from search.searching import Options, Searcher

        options = Options(issuer=issuer, since=since, until=until)
        unit = "passages" if passages else "documents"
        with Searcher(folder) as searcher:
            found = trends.trend(searcher, [query_text([q]) for q in queries], options, by, unit)
        if plot is not None:
            trend_render.write_plot(found, plot)
    write_trend(found, as_json, as_csv, color)
    raise typer.Exit(0 if any(s.total for s in found.series) else 1)


@watch_app.callback()
def watch(
    ctx: typer.Context,
    index_dir: IndexOpt = None,
    as_json: JsonOpt = False,
    color: ColorOpt = Color.auto,
) -> None:
    """Saved searches. Alone: run them all (as watch run)."""
    if ctx.invoked_subcommand is None:
        _run(resolve(index_dir), [], as_json, color)
    ctx.obj = _Given(index_dir, as_json, color)  # for the sub-command: watch --index X list


@dataclass(frozen=True)
class _Given:
    """Options given before the sub-command (``govsearch watch --json run``)."""

    index_dir: Path | None
    as_json: bool
    color: Color


def _given(ctx: typer.Context, index_dir: Path | None) -> Path:
    """The index folder: the sub-command's ``--index``, else the one given before it."""
    before = ctx.obj if isinstance(ctx.obj, _Given) else None
    return resolve(index_dir if index_dir is not None or before is None else before.index_dir)


@watch_app.command(cls=Command, short_help="Save a search (what matches now counts as seen).")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="A name for the search.")],
    words: Annotated[list[str], typer.Argument(metavar="QUERY", help="The query.")],
    index_dir: IndexOpt = None,
    issuer: Annotated[
        str, typer.Option("--issuer", metavar="TEXT", help="Only documents whose issuer has this.")
    ] = "",
    since: Annotated[str, typer.Option("--since", metavar="DATE", help="Dated on or after.")] = "",
    until: Annotated[str, typer.Option("--until", metavar="DATE", help="Dated on or before.")] = "",
) -> None:
    """Save QUERY as NAME; the documents it matches now count as seen."""
    from search import watch as watching

    folder = _given(ctx, index_dir)
    with user_errors():
        watching.check_name(name)
        ready(folder)
        from search.searching import Searcher

        with watching.locked(folder):
            watches = watching.load(folder)
            if name in watches:
                raise BadInput(
                    f"a saved search named {name!r} exists",
                    f"remove it first: govsearch watch rm {name}",
                )
            new = watching.Watch(name, query_text(words), issuer, since, until, watching.now())
            with Searcher(folder) as searcher:
                new = watching.baseline(searcher, new)
            watches[name] = new
            watching.save(folder, watches)
    stderr(
        f"govsearch: saved {name}: {len(new.seen)} matching documents seen; "
        "govsearch watch shows what is new"
    )


@watch_app.command("list", cls=Command, short_help="The saved searches.")
def list_(ctx: typer.Context, index_dir: IndexOpt = None, as_json: JsonOpt = False) -> None:
    """One line per saved search: name, query and filters, last run, documents seen."""
    from search import render
    from search import watch as watching
    from search.render import inert

    with user_errors():
        watches = watching.load(_given(ctx, index_dir))
    as_json = as_json or (isinstance(ctx.obj, _Given) and ctx.obj.as_json)
    if not watches:
        stderr(NONE_YET)
    for w in sorted(watches.values(), key=lambda w: w.name):
        if as_json:
            sys.stdout.write(render.json_line(watching.watch_object(w)) + "\n")
        else:
            fields = (w.name, watching.describe(w), f"last run {w.last_run or 'never'}")
            typer.echo("\t".join(inert(f) for f in (*fields, f"{len(w.seen)} seen")))


@watch_app.command(cls=Command, short_help="Remove a saved search.")
def rm(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The saved search to remove.")],
    index_dir: IndexOpt = None,
) -> None:
    """Remove the saved search NAME and what it has seen."""
    from search import watch as watching

    folder = _given(ctx, index_dir)
    with user_errors(), watching.locked(folder):
        watches = watching.load(folder)
        if watches.pop(name, None) is None:
            raise watching.unknown(name)
        watching.save(folder, watches)
    stderr(f"govsearch: removed {name}")


@watch_app.command("run", cls=Command, short_help="Show what is new for each saved search.")
def run_(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="NAME", help="These saved searches (default: all)."),
    ] = None,
    index_dir: IndexOpt = None,
    as_json: JsonOpt = False,
    color: ColorOpt = Color.auto,
) -> None:
    """The hits new since each saved search last ran (documents added or changed since)."""
    before = ctx.obj if isinstance(ctx.obj, _Given) else _Given(None, False, Color.auto)
    color = color if color is not Color.auto else before.color
    _run(_given(ctx, index_dir), names or [], as_json or before.as_json, color)


def _run(folder: Path, names: list[str], as_json: bool, color: Color) -> None:
    from search import watch as watching

    with user_errors():
        if not folder.is_dir() or not watching.path(folder).exists():
            stderr(NONE_YET)
            raise typer.Exit(1)
        ready(folder)
        from search.searching import Searcher

        with watching.locked(folder):
            watches = watching.load(folder)
            for name in names:
                if name not in watches:
                    raise watching.unknown(name)
            with Searcher(folder) as searcher:
                outcomes = [watching.run(searcher, watches[n]) for n in names or sorted(watches)]
            _write(outcomes, as_json, color)  # shown before saved: a failed run shows them again
            watches.update((o.watch.name, o.watch) for o in outcomes)
            watching.save(folder, watches)
    raise typer.Exit(0 if any(o.hits for o in outcomes) else 1)


def _write(outcomes: list[Any], as_json: bool, color: Color) -> None:
    from rich.text import Text

    from search import render
    from search import watch as watching

    out = console(color)
    for o in outcomes:
        if as_json:
            for hit in o.hits:
                sys.stdout.write(
                    render.json_line({"watch": o.watch.name, **render.hit_object(hit)}) + "\n"
                )
            sys.stdout.write(render.json_line(watching.outcome_object(o)) + "\n")
            continue
        head = Text(f"{o.watch.name}", style="bold")
        head.append(render.inert(f" ({watching.describe(o.watch)}): "))
        head.append(f"{len(o.hits)} new of {o.documents} matching documents")
        out.print(head)
        out.print()
        render.terminal(o.hits, out)
