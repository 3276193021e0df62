"""How the command line is read and how its help looks (the Typer classes of ``cli.py``).

- Query words may begin with ``-`` (``-消费`` excludes 消费): only ``-x…`` with an ASCII letter
  and ``--…`` are options, as in ripgrep every other argument is text; after ``--`` and after
  ``-e``/``--query`` anything is text.  The words keep their order.
- Help: ``-h`` or ``--help``, as wide as the terminal, options shown with their metavar (never
  a type name), descriptions never cut off, and a command's epilog kept as written.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

TEXT = "\0"  # marks an argument as query text (no argument can hold a NUL byte)
QUERY_OPTIONS = ("-e", "--query")
SYNTAX = """\
Query syntax:
  夜经济 消费   passages holding both keywords, each as written, also inside longer words
  "以旧换新 补贴"   an exact phrase (also “…” and 「…」 at word boundaries)
  夜经济 OR 首店   either of them (also |)
  消费 NOT 汽车   the first without the second; also 消费 -汽车 (NOT alone is an error)
  (家电 OR 汽车) 以旧换新   grouping
  title:通知   in the title; issuer:商务部 in the issuer
  date:2023   a year; date:2023-06 a month; date:2023-06-04 a day
  date:2023-01..2023-06   a range (either end may be left open: date:2023-03..)
  date:>=2023-03   also >, <= and <
  消费*   a trailing * is allowed (every keyword already matches longer words)

Partial matches:
When fewer passages than asked hold the whole query, passages holding some of its keywords
follow, marked partial. A single typed question without spaces is split into its words for
this; a query of several keywords never is. --strict turns it off. The exit status is 0 only
when some passage matches the whole query.

Text starting with -:
  -消费   is query text (NOT 消费); only -x with an ASCII letter is an option
  -- -消费 夜经济   everything after -- is query text
  -e -消费   -e TEXT adds query text, whatever it starts with

Examples:
  govsearch search 以旧换新 家电 -n 5
  govsearch search '"夜间经济" date:2023' --json
  govsearch search 夜经济 -l | xargs wc -l"""

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 120}


def _is_option(arg: str) -> bool:
    return arg.startswith("--") or (arg[:1] == "-" and arg[1:2].isascii() and arg[1:2].isalpha())


def query_args(args: list[str], valued: frozenset[str] = frozenset()) -> list[str]:
    """``args`` with every piece of query text marked ``TEXT`` so that no parser reads it as an
    option: words starting with ``-`` that are no option, everything after ``--``, and the
    value of ``-e``/``--query`` (then given as a positional word, in its place).  The value of
    an option in ``valued`` (``-n -1``) is left to that option."""
    out: list[str] = []
    rest = iter(args)
    for arg in rest:
        if arg in valued:
            out.append(arg)
            out.extend(x for x in [next(rest, None)] if x is not None)
        elif arg == "--":
            out.extend(TEXT + a for a in rest)
        elif arg in QUERY_OPTIONS:
            value = next(rest, None)
            out.append(arg if value is None else TEXT + value)
        elif arg.startswith("--query="):
            out.append(TEXT + arg.partition("=")[2])
        elif arg.startswith("-e") and len(arg) > 2:
            out.append(TEXT + arg[2:])
        elif arg.startswith("-") and len(arg) > 1 and not _is_option(arg):
            out.append(TEXT + arg)
        else:
            out.append(arg)
    return out


def query_text(words: list[str] | None) -> str:
    """The query: the words as given, separated by spaces."""
    return " ".join(w.removeprefix(TEXT) for w in words or ())


def _metavar(param: Any) -> str:
    if param.metavar:
        return str(param.metavar)
    # typer ≥ 0.29 describes the type in ``type_descriptor``; click (typer < 0.29) in ``type``
    kind = getattr(param, "type_descriptor", None) or getattr(param, "type", None)
    choices = getattr(kind, "choices", None)
    if choices:
        return "|".join(getattr(c, "value", str(c)) for c in choices)
    return "VALUE"


def _record(param: Any) -> tuple[str, str] | None:
    if getattr(param, "hidden", False):
        return None
    if param.param_type_name == "argument":
        name = _metavar(param) + ("..." if param.nargs != 1 else "")
        return name, param.help or ""
    name = ", ".join(sorted(param.opts, key=lambda o: o.startswith("--")))
    if not param.is_flag:
        name += f" {_metavar(param)}"
    help_text = param.help or ""
    default = param.default
    if param.show_default and default not in (None, "", False) and not param.is_flag:
        help_text += f" [default: {getattr(default, 'value', default)}]"
    return name, help_text


class Command(TyperCommand):
    """A command whose help shows metavars (never type names) and keeps its epilog's lines."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = ["[OPTIONS]"]
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _metavar(param) + ("..." if param.nargs != 1 else "")
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        params = self.get_params(ctx)
        for title, kind in (("Arguments", "argument"), ("Options", "option")):
            rows = [r for p in params if p.param_type_name == kind and (r := _record(p))]
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        """Blocks separated by blank lines: a heading line, then rows ``  example   meaning``
        (three spaces or more between them) or prose; all wrapped to the terminal's width,
        counting a Chinese character as two columns."""
        for block in self.epilog.split("\n\n") if self.epilog else ():
            heading, *lines = block.splitlines()
            formatter.write_paragraph()
            formatter.write_text(heading)
            rows = [_row(line) for line in lines if line.startswith("  ")]
            prose = " ".join(line for line in lines if not line.startswith("  "))
            with formatter.indentation():
                indent = " " * formatter.current_indent
                for line in wrap(prose, formatter.width - formatter.current_indent):
                    formatter.write(f"{indent}{line}\n")
                _write_rows(formatter, [r for r in rows if r])


def interrupted(exc: KeyboardInterrupt) -> typer.Exit:
    """End the worker processes still running, say what was kept, exit status 130."""
    import multiprocessing

    from search.cli_support import stderr

    for child in multiprocessing.active_children():
        child.terminate()
    said = exc.args[0] if isinstance(exc, Interrupted) and exc.args else "interrupted"
    stderr(f"govsearch: {said}")
    return typer.Exit(130)


def width(text: str) -> int:
    """Columns taken on a terminal (a wide character takes two)."""
    from unicodedata import east_asian_width

    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` terminal columns, broken at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and width(lines[-1]) + 1 + width(word) <= columns:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _row(line: str) -> tuple[str, str] | None:
    example, gap, meaning = line.strip().partition("   ")
    return (example, meaning.strip()) if gap else (example, "")


def _write_rows(formatter: Any, rows: list[tuple[str, str]]) -> None:
    indent = formatter.current_indent
    column = max((width(e) for e, _ in rows), default=0) + 2
    room = formatter.width - indent - column
    for example, meaning in rows:
        if not meaning:
            formatter.write(f"{'':>{indent}}{example}\n")
            continue
        lines = wrap(meaning, room)
        if room < 20:  # too narrow: the meaning below the example
            formatter.write(f"{'':>{indent}}{example}\n")
            lines = wrap(meaning, formatter.width - indent - 4)
            formatter.write("".join(f"{'':>{indent + 4}}{x}\n" for x in lines))
            continue
        pad = " " * (column - width(example))
        formatter.write(f"{'':>{indent}}{example}{pad}{lines[0]}\n")
        formatter.write("".join(f"{'':>{indent + column}}{x}\n" for x in lines[1:]))


class QueryCommand(Command):
    """``search``: query words may start with ``-``; ``--`` and ``-e TEXT`` as in ripgrep."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        valued = frozenset(
            opt
            for param in self.params
            if param.param_type_name == "option" and not getattr(param, "is_flag", False)
            for opt in param.opts
            if opt not in QUERY_OPTIONS
        )
        return super().parse_args(ctx, query_args(args, valued))


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, with the one line that says what was kept."""


class Group(TyperGroup):
    """The top level: command descriptions in full (wrapped, never cut off with "…"); Ctrl-C
    in any command is one line on stderr and exit status 130."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            raise interrupted(exc) from None

    def format_options(self, ctx: Any, formatter: Any) -> None:
        Command.format_options(self, ctx, formatter)  # type: ignore[arg-type]
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.short_help or (command.help or "").split("\n")[0]))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
