"""The ``govsearch`` command: options → one library call → a renderer → an exit code.

This is the one place where a ``SearchError`` becomes a line on stderr and exit status 2.
Heavy modules (Whoosh, jieba, numpy) are imported inside the commands, so ``--help`` is instant.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from search import __version__
from search.errors import SearchError

app = typer.Typer(
    help="Full-text search over Chinese government announcements.",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
T = TypeVar("T")


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class Sort(StrEnum):
    relevance = "relevance"
    date = "date"


class Engine(StrEnum):
    rjieba = "rjieba"
    jieba = "jieba"


IndexOpt = Annotated[
    Path | None,
    typer.Option("--index", help="Index folder [default: $GOVSEARCH_INDEX or ./index]."),
]
ColorOpt = Annotated[
    Color, typer.Option("--color", help="Colour: auto (on a terminal), always, never.")
]
EngineOpt = Annotated[
    Engine, typer.Option("--segmenter", help="jieba engine: rjieba (fast) or jieba (reference).")
]
UserdictOpt = Annotated[
    Path | None,
    typer.Option(
        "--userdict",
        help="Extra jieba dictionary (word [freq] [tag] per line); remembered by the index.",
    ),
]


def _stderr(message: str) -> None:
    sys.stderr.write(message.rstrip("\n") + "\n")
    sys.stderr.flush()


def fail(exc: SearchError) -> typer.Exit:
    hint = f" — {exc.hint}" if exc.hint else ""
    _stderr(f"govsearch: error: {exc.message}{hint}")
    return typer.Exit(2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a SearchError into one line on stderr and exit status 2."""
    try:
        yield
    except SearchError as exc:
        raise fail(exc) from None


def console(color: Color, stderr: bool = False) -> Any:
    from rich.console import Console

    if color is Color.always:
        return Console(force_terminal=True, highlight=False, stderr=stderr, soft_wrap=True)
    if color is Color.never or os.environ.get("NO_COLOR"):
        return Console(color_system=None, highlight=False, stderr=stderr, soft_wrap=True)
    return Console(highlight=False, stderr=stderr, soft_wrap=True)


def _configure(folder: Path, engine: Engine | None, userdict: Path | None) -> None:
    """Analyse with what the index was built with, unless told otherwise."""
    from search import analysis
    from search.indexing import Manifest

    manifest = Manifest.load(folder) if folder.exists() else None
    remembered = manifest.fingerprint if manifest else {}
    name = engine.value if engine else remembered.get("engine", "rjieba")
    if userdict is None and remembered.get("userdict"):
        userdict = Path(remembered["userdict"])
    if userdict is not None and not userdict.is_file():
        raise SearchError(f"user dictionary not found: {userdict}", "check the --userdict path")
    analysis.configure(name, userdict)


def _progress_callback(enabled: bool) -> tuple[Callable[[int, int, str], None] | None, Any]:
    if not enabled:
        return None, None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn("indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=console(Color.auto, stderr=True),
        transient=True,
    )
    task = bar.add_task("", total=None)

    def report(done: int, total: int, name: str) -> None:
        bar.update(task, completed=done, total=total, description=name[-40:])

    return report, bar


def run_index(folder: Path, paths: list[Path] | None, rebuild: bool) -> Any:
    from search.indexing import update

    report_cb, bar = _progress_callback(sys.stderr.isatty())
    if bar is not None:
        with bar:
            return update(folder, paths, rebuild, report_cb)
    return update(folder, paths, rebuild, None)


def summary_line(report: Any) -> str:
    return (
        f"indexed: {report.added} added, {report.changed} changed, {report.removed} removed, "
        f"{report.unchanged} unchanged, {len(report.failed)} failed — "
        f"{report.documents} documents, {report.passages} passages in {report.seconds:.1f}s"
    )


@app.command()
def index(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders to add or refresh.")
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
) -> None:
    """Add, update and remove what changed; with no PATH, refresh the indexed collection."""
    from search.config import index_dir as resolve

    folder = resolve(index_dir)
    with user_errors():
        _configure(folder, segmenter, userdict)
        report = run_index(folder, paths or None, rebuild)
    for problem in report.failed:
        _stderr(f"govsearch: skipped {problem}")
    _stderr(summary_line(report))
    if report.indexed_nothing:
        raise typer.Exit(2)


def _ensure_index(folder: Path) -> None:
    """With no index yet and ./seeds present, build it first (saying so on stderr)."""
    from search.config import default_collection
    from search.indexing import MANIFEST

    if (folder / MANIFEST).exists() or not default_collection().is_dir():
        return
    _stderr(f"govsearch: no index at {folder} yet: indexing {default_collection()}/ first")
    report = run_index(folder, [default_collection()], False)
    _stderr(summary_line(report))


@app.command()
def search(
    query_text: Annotated[
        str,
        typer.Argument(
            metavar="QUERY",
            help='Keywords (ANDed), "phrases", OR, NOT/-word, (), title:, issuer:, date:.',
        ),
    ],
    index_dir: IndexOpt = None,
    limit: Annotated[
        int, typer.Option("-n", "--limit", min=0, help="Hits to show (0 = all).")
    ] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one hit per line.")] = False,
    issuer: Annotated[
        str, typer.Option("--issuer", help="Only documents whose issuer contains this.")
    ] = "",
    since: Annotated[
        str,
        typer.Option(
            "--since", help="Only documents dated on or after (2023, 2023-06, 2023-06-04)."
        ),
    ] = "",
    until: Annotated[str, typer.Option("--until", help="Only documents dated on or before.")] = "",
    sort: Annotated[
        Sort, typer.Option("--sort", help="relevance or date (newest first).")
    ] = Sort.relevance,
    per_doc: Annotated[
        int,
        typer.Option(
            "--per-doc", min=0, help="Passages of one document on the first page (0 = no limit)."
        ),
    ] = 3,
    strict: Annotated[
        bool, typer.Option("--strict", help="Only passages matching every keyword; never relax.")
    ] = False,
    color: ColorOpt = Color.auto,
) -> None:
    """Ranked passages for QUERY: location, title · issuer · date, highlighted snippet."""
    from search.config import index_dir as resolve

    folder = resolve(index_dir)
    with user_errors():
        _configure(folder, None, None)
        _ensure_index(folder)
        from search.searching import Options, Searcher

        options = Options(limit, issuer, since, until, sort.value, per_doc, strict)
        with Searcher(folder) as searcher:
            result = searcher.search(query_text, options)
    from search import render

    if as_json:
        render.write_jsonl(result.hits, sys.stdout)
    else:
        render.terminal(result.hits, console(color))
    raise typer.Exit(0 if result.hits else 1)


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
    """Entry point: the Typer app, quiet on a closed pipe."""
    try:
        app()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
