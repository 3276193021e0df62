"""What the commands of ``cli.py`` share: consoles, stderr messages, progress bars, turning a
``SearchError`` into exit status 2, and getting the index ready (configure, build the seed
index, refresh it or warn that it is out of date).

Like ``cli.py`` it knows Typer but neither Whoosh nor jieba; heavy modules load lazily.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from search.config import absolute, collection_base, display_path
from search.errors import BadInput, IndexNotFound, SearchError
from search.inert import inert

if TYPE_CHECKING:
    from search.models import Step
    from search.store.manifest import Manifest
    from search.store.writer import IndexReport

Progress = Callable[[int, int, str], None]


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


def stderr(message: str) -> None:
    """One diagnostic line on stderr (results go to stdout); file names and document text in
    it are made inert (a newline in a file name does not break the line)."""
    sys.stderr.write(inert(message.rstrip("\n")) + "\n")
    sys.stderr.flush()


def fail(exc: SearchError) -> typer.Exit:
    hint = f" — {exc.hint}" if exc.hint else ""
    stderr(f"govsearch: error: {exc.message}{hint}")
    return typer.Exit(2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a SearchError into one line on stderr and exit status 2."""
    try:
        yield
    except SearchError as exc:
        raise fail(exc) from None


def console(color: Color, stderr: bool = False) -> Any:
    """A Rich console: colour on a terminal (``auto``) unless ``NO_COLOR`` is set; ``always``
    and ``never`` win over both."""
    from rich.console import Console

    if color is Color.always:
        return Console(
            force_terminal=True, no_color=False, highlight=False, stderr=stderr, soft_wrap=True
        )
    if color is Color.never or os.environ.get("NO_COLOR"):
        return Console(color_system=None, highlight=False, stderr=stderr, soft_wrap=True)
    return Console(highlight=False, stderr=stderr, soft_wrap=True)


def styled(color: Color) -> bool:
    """Whether ``console(color)`` would print styles on stdout (else plain text does)."""
    if color is Color.always:
        return True
    if color is Color.never or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def progress(label: str) -> tuple[Progress | None, AbstractContextManager[Any]]:
    """A progress callback and the bar to run it in — on a terminal only (stderr)."""
    if not sys.stderr.isatty():
        return None, nullcontext()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn(label),
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


def configure(folder: Path, engine: str | None, userdict: Path | None) -> Manifest | None:
    """Analyse with what the index was built with, unless told otherwise; the manifest."""
    from search import analysis
    from search.store.manifest import Manifest

    manifest = Manifest.load(folder) if folder.exists() else None
    remembered = manifest.fingerprint if manifest else {}
    name = engine or remembered.get("engine", "rjieba")
    if userdict is None and remembered.get("userdict"):
        userdict = Path(remembered["userdict"])
    if userdict is not None and not userdict.is_file():
        raise SearchError(f"user dictionary not found: {userdict}", "check the --userdict path")
    analysis.configure(name, userdict)
    return manifest


STAGES = {
    "reading": ("indexing", ""),
    "committing": ("committing", "merging segments, writing the manifest and Whoosh's TOC"),
}


def index_progress() -> tuple[Callable[[Step], None] | None, AbstractContextManager[Any]]:
    """The progress of an update on a terminal (stderr): bytes read, documents and passages
    so far, time elapsed and left, the file being read; then the stage while Whoosh commits."""
    if not sys.stderr.isatty():
        return None, nullcontext()
    from rich import progress as rp

    bar = rp.Progress(  # stage, bar, %, bytes, counts, elapsed, left, file or what is done
        rp.TextColumn("{task.fields[stage]}"),
        rp.BarColumn(bar_width=20),
        rp.TaskProgressColumn(),
        rp.DownloadColumn(binary_units=True),
        rp.TextColumn("{task.fields[counts]}"),
        "elapsed",
        rp.TimeElapsedColumn(),
        rp.TextColumn("{task.fields[left]}"),
        rp.TextColumn("{task.description}"),
        console=console(Color.auto, stderr=True),
        transient=True,
    )
    task = bar.add_task("", total=None, stage="indexing", counts="", left="")

    def report(step: Step) -> None:
        stage, doing = STAGES.get(step.stage, (step.stage, ""))
        counts = f"{step.documents:,} documents, {step.passages:,} passages"
        busy = step.stage != "reading"
        seconds = bar.tasks[0].time_remaining
        left = "" if busy or seconds is None else f"left {_clock(seconds)}"
        name = inert(doing or step.name[-40:])
        bar.update(task, completed=step.done, total=step.total, description=name, stage=stage)
        bar.update(task, counts=counts, left=left)
        if busy:
            bar.refresh()

    return report, bar


def _clock(seconds: float) -> str:
    minutes, second = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{second:02d}"


def run_index(
    folder: Path,
    paths: list[Path] | None,
    rebuild: bool,
    shards: int | None = None,
    ray: str | None = None,
) -> IndexReport:
    from search.store.sharded import update

    report, bar = index_progress()
    with bar:
        return update(
            folder,
            paths,
            rebuild,
            report,
            notice=lambda text: stderr(f"govsearch: {text}"),
            count=shards,
            ray=ray,
        )


def report_failures(folder: Path, report: IndexReport, still: bool = True) -> None:
    """One line per new failure; with ``still``, how many files failed before and are
    unchanged (they are not read again)."""
    base = collection_base(folder)
    for problem in report.failed:
        stderr(f"govsearch: failed: {from_here(problem, base)}")
    if still and report.still_failed:
        files = "1 file" if report.still_failed == 1 else f"{report.still_failed} files"
        verb = "is" if report.still_failed == 1 else "are"
        stderr(
            f"govsearch: {files} that failed before {verb} unchanged: not read again "
            f"(list: {index_command(folder)} --list-failed)"
        )


def from_here(problem: str, base: str) -> str:
    """A problem ``path: what`` (or ``path:line: what``) whose path is stored relative to
    ``base``, with the path as the user names it from here."""
    at = problem.find(": ")
    while at > 0:
        name, colon, line = problem[:at].rpartition(":")
        path = name if colon and line.isdigit() else problem[:at]
        whole = absolute(path, base)
        if os.path.lexists(whole):
            return display_path(whole) + problem[len(path) :]
        at = problem.find(": ", at + 1)
    return problem


def summary_line(report: IndexReport) -> str:
    return (
        f"indexed: {report.added} added, {report.changed} changed, {report.removed} removed, "
        f"{report.unchanged} unchanged, {len(report.failed)} failed, "
        f"{len(report.skipped)} skipped — "
        f"{report.documents} documents, {report.passages} passages in {report.seconds:.1f}s"
    )


def index_command(folder: Path) -> str:
    """``govsearch index``, with ``--index`` when the folder is not the default one."""
    from search.config import index_dir

    return "govsearch index" if folder == index_dir(None) else f"govsearch index --index {folder}"


def check_location(folder: Path) -> None:
    """``BadInput`` when ``folder`` cannot be an index folder: it, or a folder above it, is a
    file."""
    for place in (folder, *folder.parents):
        if place.exists():
            if not place.is_dir():
                what = "is a file" if place == folder else f"is inside {place}, a file"
                raise BadInput(f"the index location {folder} {what}", "give a folder with --index")
            return


def being_built(folder: Path) -> bool:
    """Whether a first ``govsearch index`` is writing the index at ``folder`` (or the one
    beside it that ``--rebuild`` swaps in): it holds the write lock."""
    import fcntl

    from search.store.manifest import INDEX_NAME

    for place in (folder, folder.with_name(folder.name + ".rebuild")):
        try:
            fd = os.open(place / f"{INDEX_NAME}_WRITELOCK", os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        finally:
            os.close(fd)
    return False


@contextmanager
def new_index(folder: Path) -> Iterator[None]:
    """Remove the index folder again when the command that created it fails (an error,
    Ctrl-C, or nothing indexed: exit status 2), so that no empty folder is left behind."""
    import shutil

    created = not folder.exists()
    try:
        yield
    except BaseException:
        if created and not being_built(folder):
            shutil.rmtree(folder, ignore_errors=True)
        raise


@contextmanager
def kept(folder: Path) -> Iterator[None]:
    """Ctrl-C during an update: say what the index holds now (the commit is Whoosh's TOC,
    written last: either the update committed, or the index is as it was)."""
    from search.cli_help import Interrupted
    from search.store.manifest import latest_generation
    from search.store.shards import folders

    def generations() -> list[int]:
        return [latest_generation(f) for f in folders(folder)] if folder.is_dir() else [-1]

    before = generations()
    try:
        yield
    except KeyboardInterrupt:
        committed = generations() != before
        raise Interrupted(
            "interrupted after the update was saved; the index holds the changes"
            if committed
            else "interrupted; the index is unchanged"
        ) from None


def ready(folder: Path, refresh: bool = False, warn: str = "") -> None:
    """Get the index at ``folder`` ready for reading.

    With no index yet and ./seeds present, build it first (saying so on stderr).  With
    ``refresh``, update it from its collection; otherwise say on stderr when files changed since
    the last update (``warn`` ends that line).
    """
    from search.config import default_collection

    check_location(folder)
    manifest = configure(folder, None, None)
    if manifest is None and being_built(folder):
        raise IndexNotFound(
            f"the index at {folder} is being built",
            "search again when the running govsearch index has finished",
        )
    if manifest is None and default_collection().is_dir():
        stderr(f"govsearch: no index at {folder} yet: indexing {default_collection()}/ first")
        stderr(summary_line(run_index(folder, [default_collection()], False)))
    elif manifest is not None and refresh:
        report = run_index(folder, None, False)
        report_failures(folder, report, still=False)
        if report.added or report.changed or report.removed or report.failed:
            stderr(summary_line(report))
    elif manifest is not None:
        from search import freshness

        stale = freshness.check(folder, manifest)
        if stale.files:
            stderr(f"govsearch: {stale.describe()} — update it: {index_command(folder)}{warn}")


def write_stream(
    stream: Any, as_json: bool, files: bool, color: Color, missing: list[str] | None = None
) -> int:
    """Print a search's hits as asked, as they are read; its exit status (0 when a passage
    matches the whole query, as grep)."""
    from search import render

    if sys.stdout.isatty() and (notice := render.partial_notice(stream)):
        stderr(f"govsearch: {notice}")
    if files:
        render.write_paths(stream.hits, sys.stdout)
    elif as_json:
        from search.jsonlines import write_stream as write_lines

        write_lines(stream, sys.stdout, missing or ())
    else:
        render.terminal(
            stream.hits, console(color) if styled(color) else render.PlainConsole(sys.stdout)
        )
    return 0 if stream.strict_total else 1


def open_searcher(folder: Path, ray: str | None, allow_partial: bool = False) -> Any:
    """The index at ``folder`` open for searching: in this process, or (``ray``: an address)
    by one Ray actor per shard."""
    if ray:
        from search.cluster import ClusterSearcher

        return ClusterSearcher(folder, ray, allow_partial)
    from search.searching import Searcher

    return Searcher(folder)


def missing_shards(searcher: Any) -> list[str]:
    """The shards a search answered without (``--allow-partial``), said on stderr."""
    missing: list[str] = list(getattr(searcher, "missing", []))
    if missing:
        stderr(
            f"govsearch: shard {', '.join(missing)} did not answer: "
            "these results are from the other shards only"
        )
    return missing


def write_facets(
    searcher: Any, text: str, options: Any, names: tuple[str, ...], as_json: bool, color: Color
) -> None:
    """The facets of a search after its hits: a JSON line, or a block for a person."""
    from search import facets, render

    found = facets.search_facets(searcher, text, options, names)
    if as_json:
        sys.stdout.write(render.json_line(facets.facets_object(found)) + "\n")
    else:
        facets.write_facets(found, console(color))


def write_trend(found: Any, as_json: bool, as_csv: bool, color: Color) -> None:
    """A trend as one JSON object, CSV rows, or bars for a person."""
    from search import render, trend, trend_render

    if as_json:
        sys.stdout.write(render.json_line(trend.trend_object(found)) + "\n")
    elif as_csv:
        trend.write_csv(found, sys.stdout)
    else:
        trend_render.write_chart(found, console(color))
