"""Stage 2: the query tree and the options → what matching and ranking need.

A ``Plan`` says what every full match satisfies (the tree and the option filters), which
keywords rank, and whether partial matches may fill a short page.  When they do, ``relax``
gives the partial form: the jieba words a partial match needs one of (stop words, single
characters and bare numbers dropped), the ranking words, and whether the query is a typed
question (a keyword that jieba splits into several words), which ranks by its character bigrams
too.  ``ranking`` turns either into the words and bigrams that score.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from search.analyzer import Analyzer, normalize
from search.errors import BadInput
from search.query.parse import And, DateRange, Node, Term, parse_dates, positive_terms

PAGE = 10
STOP = frozenset(
    """的 了 是 在 和 与 及 或 吗 呢 吧 啊 么 什么 怎么 怎样 如何 为什么 哪些 哪个 谁 可以 能 能否
    是否 有 没有 要 会 应该 需要 一个 这个 那个 这 那 我 你 他 她 我们 他们 被 把 对 就 都 也
    还 又 将 并 等 个 之 其 所 以 而 但 如果 因为 所以 怎么办""".split()
)


@dataclass(frozen=True)
class Options:
    """How to search: the page, the filters, the order, the caps, and what to add."""

    limit: int = PAGE  # 0 = all
    issuer: str = ""
    since: str = ""
    until: str = ""
    sort: str = "relevance"
    per_doc: int = 3  # 0 = no limit
    strict: bool = False
    explain: bool = False
    distinct: str = ""  # "document" or "file": one passage (the best) of each
    collapse: bool = False  # near-duplicate documents shown once on the page (query.reposts)


@dataclass(frozen=True)
class Plan:
    """What a query asks for."""

    node: Node  # as parsed
    filters: tuple[Node, ...]  # from the options: issuer, dates
    required: Node  # what every full match satisfies: the tree and the filters
    terms: tuple[str, ...]  # the text keywords as written (not under NOT), in order
    want: int  # the page to fill
    relaxable: bool  # partial matches may fill the page (no OR or NOT, not --strict)
    kept: tuple[Node, ...]  # what a partial match still satisfies: filters, phrases, fields
    keywords: tuple[str, ...]  # the plain keywords a partial match needs a word of


@dataclass(frozen=True)
class Relaxed:
    """The partial form of a plan."""

    units: tuple[str, ...]  # a partial match holds one of these words
    words: tuple[str, ...]  # the ranking words: the keywords' jieba words and the keywords
    question: bool  # a typed question: ranked by its bigrams, context, feedback and lead


@dataclass(frozen=True)
class Ranking:
    """What scores: the keywords as written, their words, the question's bigrams."""

    terms: tuple[str, ...]
    words: tuple[str, ...]
    bigrams: tuple[str, ...]


def plan(node: Node, options: Options) -> Plan:
    filters = _filters(options)
    parts = node.children if isinstance(node, And) else (node,)
    kept: list[Node] = list(filters)
    keywords: list[str] = []
    relaxable = not options.strict
    for part in parts:
        if isinstance(part, Term) and part.field == "text" and not part.phrase:
            keywords.append(part.text)
        elif isinstance(part, Term | DateRange):
            kept.append(part)  # a quoted phrase, a field or a date stays required
        else:
            relaxable = False  # OR, NOT: no partial matches
    return Plan(
        node=node,
        filters=filters,
        required=And((node, *filters)) if filters else node,
        terms=tuple(t.text for t in positive_terms(node) if t.field == "text"),
        want=options.limit or PAGE,
        relaxable=relaxable,
        kept=tuple(kept),
        keywords=tuple(keywords),
    )


def relax(plan: Plan, analyzer: Analyzer) -> Relaxed:
    """The partial form of ``plan`` (segments the keywords: loads the analyzer)."""
    units: dict[str, None] = {}
    if len(plan.keywords) > 1:  # several keywords: a partial match holds whole keywords
        units = dict.fromkeys(plan.keywords)
    for keyword in plan.keywords if len(plan.keywords) == 1 else ():  # a typed question
        for word in analyzer.query_words(keyword):
            if len(word) > 1 and not word.isdigit() and word not in STOP:
                units.setdefault(word, None)
    words: dict[str, None] = {}
    for term in plan.terms:
        words.update(dict.fromkeys(analyzer.query_words(term)))
        words.setdefault(term, None)
    words.update(units)
    question = bool(units) and set(units) != set(plan.terms)
    return Relaxed(tuple(units), tuple(words), question)


def ranking(plan: Plan, relaxed: Relaxed | None) -> Ranking:
    """The words that score: the keywords themselves (every full match holds them all, so
    there is nothing to segment), or the relaxed words; a question's bigrams too."""
    if relaxed is None:
        return Ranking(plan.terms, plan.terms, ())
    bigrams = question_bigrams(plan.terms) if relaxed.question else ()
    return Ranking(plan.terms, relaxed.words, bigrams)


def question_bigrams(terms: tuple[str, ...]) -> tuple[str, ...]:
    """Distinct character bigrams of the keywords, Chinese characters only."""
    out: dict[str, None] = {}
    for term in terms:
        for a, b in itertools.pairwise(term):
            if "\u4e00" <= a <= "\u9fff" and "\u4e00" <= b <= "\u9fff":
                out.setdefault(a + b, None)
    return tuple(out)


def _filters(options: Options) -> tuple[Node, ...]:
    out: list[Node] = []
    if options.issuer:
        out.append(Term(normalize(options.issuer).strip(), "issuer"))
    if options.since or options.until:
        low = parse_dates(options.since).low if options.since else ""
        high = parse_dates(options.until).high if options.until else ""
        if low and high and low > high:
            raise BadInput(
                f"--since {options.since} is after --until {options.until}",
                "give the earlier date to --since",
            )
        out.append(DateRange(low, high))
    return tuple(out)
