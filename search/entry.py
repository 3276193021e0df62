"""The ``govsearch`` command's entry point: ``govsearch --version`` is answered before the
command line interface is imported (Typer and the commands' modules: most of its 0.1 s); any
other arguments go to the Typer app (``search.cli.main``)."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from search import __version__

        print(f"govsearch {__version__}")
        return
    from search.cli import main as run

    run()
