"""Each command imports only what it needs (cold start): no numpy for --help or --version, no
Rich unless printing for a person, Whoosh's readers (never its writer) only to rank by the
jieba statistics, no pydantic, jieba only to relax a query whose full matches do not fill the
page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every test starts Python processes

HEAVY = ("numpy", "rich", "whoosh", "whoosh.writing", "pydantic", "rjieba", "jieba", "ray")
PROBE = (
    "import atexit, sys\n"
    "heavy = {heavy!r}\n"
    "atexit.register(lambda: print('loaded:', *[m for m in heavy if m in sys.modules]))\n"
    "from search.cli import main\n"
    "sys.argv = ['govsearch', *{args!r}]\n"
    "main()\n"
)


def _loaded(*args: str) -> str:
    code = PROBE.format(heavy=HEAVY, args=list(args))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return done.stdout.splitlines()[-1]


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("search", "--help")])
def test_help_and_version_load_nothing_heavy(args: tuple[str, ...]) -> None:
    assert _loaded(*args) == "loaded:"


def test_keyword_search_loads_numpy_and_rich_for_styled_output_only(built: Path) -> None:
    index = ["--index", str(built), "-n", "5"]  # 8 passages hold 消费: nothing to relax
    assert _loaded("search", "消费", "--json", *index) == "loaded: numpy whoosh"
    assert _loaded("search", "消费", "-c", *index) == "loaded: numpy"  # counting ranks nothing
    assert _loaded("search", "消费", "-l", *index) == "loaded: numpy whoosh"
    assert (
        _loaded("search", "消费", "--explain", "--color", "never", *index)
        == "loaded: numpy rich whoosh"
    )
    # plain text to a pipe or with --color never: Rich only for styles
    assert _loaded("search", "消费", "--color", "never", *index) == "loaded: numpy whoosh"
    assert _loaded("search", "消费", "--color", "always", *index) == "loaded: numpy rich whoosh"


def test_a_question_loads_the_segmenter(built: Path) -> None:
    index = ["--index", str(built)]
    assert _loaded("search", "怎么促进夜间消费", "--json", *index) == "loaded: numpy whoosh rjieba"


def test_plain_output_is_what_rich_prints_without_colour(built: Path) -> None:
    """The plain console (no Rich import) prints exactly what Rich's uncoloured, unwrapped
    console prints, for every hit of a few queries (partial hits and sections included)."""
    import io

    from rich.console import Console

    from search import render
    from search.searching import Options, Searcher

    with Searcher(built) as searcher:
        for query in ("消费", "以旧换新 外贸", "夜间消费节 锂电池"):
            hits = searcher.search(query, Options(limit=0)).hits
            plain, rich_out = io.StringIO(), io.StringIO()
            render.terminal(hits, render.PlainConsole(plain))
            console = Console(
                file=rich_out, color_system=None, highlight=False, soft_wrap=True, width=40
            )
            render.terminal(hits, console)
            assert plain.getvalue() == rich_out.getvalue() != ""


def test_the_version_is_printed_before_the_interface_is_imported() -> None:
    code = (
        "import sys\n"
        "from search.entry import main\n"
        "sys.argv = ['govsearch', '--version']\n"
        "main()\n"
        "print(sorted(m for m in ('typer', 'search.cli', 'numpy') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.splitlines() == ["govsearch 0.1.0", "[]"]
    # the installed command and ``python -m search`` go through the same entry point
    module = subprocess.run(
        [sys.executable, "-m", "search", "--version"], capture_output=True, text=True
    )
    assert module.stdout == "govsearch 0.1.0\n" and module.returncode == 0
