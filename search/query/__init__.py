"""The query path, one stage per module, each handing the next a frozen value:

1. ``parse``: the user's text → a query tree (``Term``, ``And``, ``Or``, ``Not``, ``DateRange``);
2. ``plan``: the tree and the options → a ``Plan`` (what every full match needs, the keywords
   that rank, whether partial matches may fill the page) and, when they do, its ``Relaxed``
   form (the words a partial match needs one of, the ranking words, question or not);
3. ``match``: the plan over the index's n-gram postings → ``Matched`` passage numbers, full
   matches first;
4. ``score``: BM25 (``bm25``) over text, title, headings and, for a question, the document,
   feedback (``feedback``) and lead bonus → ``Scored``: passages best first, with their scores
   (and, for ``--explain``, the parts of each, ``explain``);
5. ``collect``: the per-document cap, the date sort, one passage per document or file, top-k →
   ``Collected``, the same for every output mode;
6. ``hits``: the collected passages → ``search.models.Hit`` values for the renderers.

``search.searching.Searcher`` runs them over one open index.  Names: a *passage number* is a
passage's row in the index, a *document number* its document's; ``doc_id`` is the document's
id as written in results; the *source file* is its ``path``.

Importing this package loads only the parser (no numpy).
"""

from search.query.parse import (
    FIELDS,
    And,
    DateRange,
    Node,
    Not,
    Or,
    Term,
    parse,
    parse_dates,
    positive_terms,
)

__all__ = [
    "FIELDS",
    "And",
    "DateRange",
    "Node",
    "Not",
    "Or",
    "Term",
    "parse",
    "parse_dates",
    "positive_terms",
]
