"""govsearch: full-text search over Chinese government announcements."""

__version__ = "0.1.0"
