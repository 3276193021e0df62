"""A trend for a person: bars in the terminal (Rich), or an image (``--plot``, the ``plot``
extra: matplotlib's Agg backend, no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from search.errors import BadInput
from search.trend import Trend

_EIGHTHS = " ▏▎▍▌▋▊▉"
_STYLES = ("cyan", "magenta", "green", "yellow", "blue", "red")
PLOT_SUFFIXES = (".png", ".svg")
PLOT_HINT = "install the plot extra: pip install 'govsearch[plot]'"


def bar(value: int, top: int, width: int) -> str:
    """``value`` of ``top`` as a bar of ``width`` cells in eighths of a cell (at least one
    eighth for a non-zero value)."""
    if value <= 0 or top <= 0:
        return ""
    eighths = max(1, round(value * width * 8 / top))
    return "█" * (eighths // 8) + _EIGHTHS[eighths % 8].strip()


def write_chart(found: Trend, console: Any) -> None:
    """One row per period: the period, then for each query side by side its bar and count
    (one scale for every query); the undated counts in a row of their own, without bars."""
    from rich.text import Text

    from search.render import inert

    count_width = max([len(str(n)) for s in found.series for n in (*s.counts, s.undated)] + [1])
    period_width = max([len(p) for p in found.periods] + [len("undated")])
    columns = len(found.series)
    room = (console.width - period_width - 2) // max(columns, 1) - count_width - 3
    width = max(8, min(40, room))
    top = max([n for s in found.series for n in s.counts] + [0])
    head = Text(" " * (period_width + 2))
    for i, s in enumerate(found.series):
        name = Text(inert(s.query), style=f"bold {_STYLES[i % len(_STYLES)]}")
        name.truncate(width + count_width + 1, pad=True)
        head.append_text(name)
        head.append("  ")
    _print(console, head)
    for row, period in enumerate(found.periods):
        line = Text(f"{period:<{period_width}}  ")
        for i, s in enumerate(found.series):
            line.append(f"{bar(s.counts[row], top, width):<{width}}", _STYLES[i % len(_STYLES)])
            line.append(f" {s.counts[row]:>{count_width}}  ")
        _print(console, line)
    line = Text(f"{'undated':<{period_width}}  ", style="dim")
    for s in found.series:
        line.append(f"{'':<{width}} {s.undated:>{count_width}}  ")
    _print(console, line)
    console.print(Text(_caption(found), style="dim"))


def _print(console: Any, line: Any) -> None:
    line.rstrip()  # in place
    console.print(line)


def _caption(found: Trend) -> str:
    total = ", ".join(f"{s.total}" for s in found.series)
    return (
        f"matching {found.unit} per {found.by} (total {total}); "
        f"undated {found.unit} are counted apart, not in the bars"
    )


def check_plot(path: Path) -> None:
    """Refuse a ``--plot`` file the plot cannot write, before searching."""
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise BadInput(f"cannot write a chart to {path}", "name a .png or .svg file")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise BadInput("--plot needs matplotlib", PLOT_HINT) from None


def write_plot(found: Trend, path: Path) -> None:
    """The trend as grouped bars (one colour per query) in a PNG or SVG file."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    font = _cjk_font()
    wide = 0.3 * len(found.periods) * max(len(found.series), 1) + 2
    figure = Figure(figsize=(min(max(6.0, wide), 16.0), 3.6))
    axes = figure.add_subplot()
    step = 0.8 / max(len(found.series), 1)
    for i, s in enumerate(found.series):
        at = [x - 0.4 + step * (i + 0.5) for x in range(len(found.periods))]
        axes.bar(at, s.counts, width=step, label=f"{s.query} ({s.undated} undated)")
    turn = 90 if len(found.periods) > 12 else 0
    axes.set_xticks(range(len(found.periods)), found.periods, rotation=turn)
    axes.set_ylabel(f"matching {found.unit}")
    axes.set_xlabel(found.by)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(prop=font, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    try:
        with matplotlib.rc_context({"svg.hashsalt": "govsearch"}):  # stable ids in an SVG
            figure.savefig(path, metadata=_metadata(path), bbox_inches="tight")
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror}", "give a writable path") from exc


def _metadata(path: Path) -> dict[str, Any]:
    """No creation date or tool version in the file: the same trend writes the same bytes."""
    if path.suffix.lower() == ".svg":
        return {"Date": None, "Creator": None}
    return {"Software": None}


def _cjk_font() -> Any:
    """A font that draws Chinese: the extra's Noto Sans CJK (the Simplified Chinese face)."""
    from matplotlib.font_manager import FontProperties

    try:
        import noto_cjk_sans_otc
    except ImportError:
        raise BadInput("--plot needs the CJK font of the plot extra", PLOT_HINT) from None
    return FontProperties(fname=str(noto_cjk_sans_otc.FONT_PATH))
