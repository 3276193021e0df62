"""One error hierarchy: every user-facing failure is a SearchError with a hint."""

from __future__ import annotations


class SearchError(Exception):
    """A failure the user can act on: ``message`` says what happened, ``hint`` what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class IndexNotFound(SearchError):
    """There is no index at the given location."""


class IndexOutdated(SearchError):
    """The index was built with another schema, analyser or dictionary."""


class IndexCorrupt(SearchError):
    """The index files cannot be read."""


class IndexLocked(SearchError):
    """Another process is updating the index."""


class BadQuery(SearchError):
    """The query text cannot be parsed."""


class UnreadableDocument(SearchError):
    """A file cannot be read or decoded."""


class BadInput(SearchError):
    """A path, option or batch line given by the user is wrong."""
