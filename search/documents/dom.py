"""The tree the HTML reader builds: elements with their source line, and text."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Node:
    """An element: lower-case tag, attributes, the line it starts on, its children."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Node | Text] = field(default_factory=list)


@dataclass(frozen=True)
class Text:
    """A run of text and the line it starts on."""

    text: str
    line: int
