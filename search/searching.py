"""Running queries: literal matching decides what matches, BM25F over jieba words ranks it.

One ``Searcher`` keeps the index open for any number of queries (a batch).  A passage matches
a keyword when its normalised text contains the keyword as written — whatever jieba did with
it — so recall never depends on segmentation.  Ranking, best first:

1. passages that match the whole query before partial matches (the relaxed fallback);
2. passages that contain all keywords written together before those with them scattered;
3. BM25F over the jieba words of the query in text, title and headings, with exact term
   frequencies and a proximity bonus for the best; a typed question also by its character
   bigrams, its passages' documents, pseudo-relevance feedback and a lead-paragraph bonus
   (``search.ranking``);
4. ties: collection order (source file, then line, then paragraph), whatever the build.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from search import analysis, query, ranking
from search.config import absolute, collection_base, display_path
from search.errors import BadInput, IndexCorrupt, IndexLocked
from search.literal import LiteralIndex, OldLiteral
from search.manifest import (
    INDEX_NAME,
    Manifest,
    damaged,
    latest_generation,
    load_manifest,
    open_index,
)
from search.models import Document, Hit, Passage
from search.ranking import question_bigrams
from search.snippets import match_spans

PAGE = 10
_STOP = frozenset(
    """的 了 是 在 和 与 及 或 吗 呢 吧 啊 么 什么 怎么 怎样 如何 为什么 哪些 哪个 谁 可以 能 能否
    是否 有 没有 要 会 应该 需要 一个 这个 那个 这 那 我 你 他 她 我们 他们 被 把 对 就 都 也
    还 又 将 并 等 个 之 其 所 以 而 但 如果 因为 所以 怎么办""".split()
)


@dataclass(frozen=True)
class Options:
    limit: int = PAGE  # 0 = all
    issuer: str = ""
    since: str = ""
    until: str = ""
    sort: str = "relevance"
    per_doc: int = 3  # 0 = no limit
    strict: bool = False


@dataclass(frozen=True)
class Result:
    hits: list[Hit]
    total: int  # matching passages, partial ones included
    strict_total: int  # passages matching the whole query
    keywords: tuple[str, ...] = ()  # the query's keywords (text terms not under NOT)


class Searcher:
    """An open index for searching, ``show`` and ``stats``: it reads only the literal index
    (matching, ranking, stored fields), never Whoosh."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.base = collection_base(folder)
        self._shown: dict[str, str] = {}  # stored path -> as printed from here
        self.manifest, self.literal = _open_literal(folder)
        self.ranker = ranking.Ranker(self.literal)

    def close(self) -> None:
        self.literal.close()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- matching ----------------------------------------------------------------------------

    def _match(self, node: query.Node) -> np.ndarray:
        lit = self.literal
        if isinstance(node, query.Term):
            if node.field == "text":
                return lit.matches(node.text)
            return lit.documents_where(1 if node.field == "title" else 2, node.text)
        if isinstance(node, query.DateRange):
            dates = lit.dates()
            mask = dates > 0
            if node.low:
                mask &= dates >= int(node.low.replace("-", ""))
            if node.high:
                mask &= dates <= int(node.high.replace("-", ""))
            return np.flatnonzero(mask).astype(np.int64)
        if isinstance(node, query.Not):
            return np.setdiff1d(lit.live(), self._match(node.child), assume_unique=True)
        if isinstance(node, query.Or):
            sets = [self._match(c) for c in node.children]
            return np.unique(np.concatenate(sets)) if sets else np.zeros(0, np.int64)
        positives = [c for c in node.children if not isinstance(c, query.Not)]
        negatives = [c.child for c in node.children if isinstance(c, query.Not)]
        result: np.ndarray = self._match(positives[0]) if positives else lit.live()
        for child in positives[1:]:
            if not len(result):
                break
            result = np.intersect1d(result, self._match(child), assume_unique=True)
        for negative in negatives:
            if not len(result):
                break
            result = np.setdiff1d(result, self._match(negative), assume_unique=True)
        return result

    # --- ranking -----------------------------------------------------------------------------

    def _order(
        self,
        candidates: np.ndarray,
        terms: list[str],
        words: list[str],
        tier: np.ndarray,
        question: bool,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Candidates sorted best first, and their scores."""
        if len(terms) > 1 and len(candidates):
            together = self.literal.matches(_joined(terms))
            tier = tier * 2 + np.isin(candidates, together, assume_unique=True)
        bigrams = question_bigrams(terms) if question else []
        return self.ranker.order(candidates, tier, ranking.Query(terms, words, bigrams))

    # --- the query -----------------------------------------------------------------------------

    def search(self, text: str, options: Options = Options()) -> Result:
        """Run one query (raises BadQuery for malformed text, IndexCorrupt for damaged files)."""
        node = query.parse(text)
        with damaged(self.folder):
            return self._search(node, options)

    def _search(self, node: query.Node, options: Options) -> Result:
        filters = _filters(options)
        full = query.And((node, *filters)) if filters else node
        strict = self._match(full)
        terms = [t.text for t in query.positive_terms(node) if t.field == "text"]
        words = list(terms)  # every candidate holds them all: no need to segment (or load jieba)
        want = options.limit or PAGE
        candidates, tiers = strict, np.ones(len(strict), dtype=np.int64)
        relaxed: list[str] = []
        if len(strict) < want and not options.strict:
            relaxed, kept = _relaxable_units(node)
            if relaxed or any(isinstance(k, query.Term) and k.field == "text" for k in kept):
                extra = self._relaxed(relaxed, filters + kept, strict)
                candidates = np.concatenate([strict, extra])
                tiers = np.concatenate([tiers, np.zeros(len(extra), dtype=np.int64)])
                words = list(dict.fromkeys(_ranking_words(terms) + relaxed))
        # A typed question (a keyword that jieba splits into several words) is also ranked by
        # its character bigrams, its passages' documents and feedback; a keyword search is not,
        # however short its result list.
        question = bool(relaxed) and set(relaxed) != set(terms)
        ordered, scores = self._order(candidates, terms, words, tiers, question)
        partial = set(candidates[len(strict) :].tolist())
        ordered_list = _per_doc(ordered.tolist(), self.literal, options.per_doc, want)
        if options.sort == "date":
            dates = self.literal.dates()
            ordered_list.sort(key=lambda d: (d not in partial, int(dates[d])), reverse=True)
        score_of = dict(zip(ordered.tolist(), scores.tolist(), strict=True))
        chosen = ordered_list if not options.limit else ordered_list[: options.limit]
        # A full match highlights the keywords as written; a partial one the words it matched.
        relaxed_terms = list(dict.fromkeys(terms + relaxed))
        hits = [
            self._hit(
                rank,
                docnum,
                score_of[docnum],
                relaxed_terms if docnum in partial else terms,
                docnum in partial,
            )
            for rank, docnum in enumerate(chosen, 1)
        ]
        return Result(hits, len(candidates), len(strict), tuple(terms))

    def _relaxed(
        self, units: list[str], filters: list[query.Node], strict: np.ndarray
    ) -> np.ndarray:
        """Passages that hold any of ``units`` and pass every filter; when the query has a
        quoted phrase, every passage that holds the phrases (the words then only rank)."""
        phrases = [f for f in filters if isinstance(f, query.Term) and f.field == "text"]
        if phrases:
            union = self._match(query.And(tuple(phrases)))
        else:
            sets = [self.literal.matches(u) for u in units]
            sets = [s for s in sets if len(s)]
            if not sets:
                return np.zeros(0, dtype=np.int64)
            union = np.unique(np.concatenate(sets))
        for f in filters:
            union = np.intersect1d(union, self._match(f), assume_unique=True)
        return np.setdiff1d(union, strict, assume_unique=True)

    def _hit(self, rank: int, docnum: int, score: float, terms: list[str], partial: bool) -> Hit:
        stored = self.literal.stored(docnum)
        norm = self.literal.text(docnum)
        spans = match_spans(norm, terms)
        matched = tuple(t for t in terms if t in norm)
        return Hit(
            rank,
            round(score, 4),
            self.document(stored),
            passage_from(stored),
            spans,
            partial,
            matched,
        )

    def document(self, stored: dict[str, Any]) -> Document:
        """The document of a passage's stored fields, its path as the user would type it here:
        relative to the current folder when the file is under it, else absolute."""
        found = document_from(stored)
        shown = self._shown.get(found.path)
        if shown is None:
            shown = self._shown[found.path] = display_path(absolute(found.path, self.base))
        return replace(found, path=shown)

    def document_passages(self, doc_id: str) -> list[Passage]:
        """Every passage of a document, in order (for ``show``), from the literal index."""
        passages = [passage_from(self.literal.stored(d)) for d in self.passages_of(doc_id)]
        return sorted(passages, key=lambda p: p.paragraph)

    def passages_of(self, doc_id: str) -> list[int]:
        """The docnums of the passages of every document with this ``doc_id``, document by
        document, each in collection order."""
        docs = self.literal.docs
        ordinals = [i for i, doc in enumerate(docs) if doc[0].partition("\x1f")[2] == doc_id]
        return [int(d) for o in ordinals for d in self.literal.passages_of(o)]


def document_from(stored: dict[str, Any]) -> Document:
    """The document of a passage's stored fields."""
    return Document(
        stored["doc_id"],
        stored["path"],
        stored.get("title", ""),
        stored.get("date", ""),
        stored.get("issuer", ""),
        stored.get("doc_number", ""),
        stored.get("url", ""),
        stored.get("fmt", "txt"),
    )


def passage_from(stored: dict[str, Any]) -> Passage:
    """A passage from its stored fields."""
    return Passage(
        stored["doc_id"],
        stored["paragraph"],
        stored["line"],
        stored["end_line"],
        stored["text"],
        tuple(h for h in stored.get("headings", "").split("\n") if h),
        tuple((int(a), int(b)) for a, b in stored.get("joins", ())),
    )


def _open_literal(folder: Path) -> tuple[Manifest, LiteralIndex]:
    """The last complete state: the manifest and the literal index of its generation.

    A Whoosh commit newer than the manifest means an update is under way (its writer holds the
    lock: the previous state is used) or was interrupted (nobody holds the lock: its derived
    files are finished here first).  A literal index written by an older govsearch is rebuilt
    from the Whoosh index the same way."""
    manifest = load_manifest(folder)
    if latest_generation(folder) > manifest.generation and not _writer_running(folder):
        _heal(folder)
        manifest = load_manifest(folder)
    for attempt in range(3):
        path = folder / f"literal-{manifest.generation}"
        try:
            return manifest, LiteralIndex(path)
        except OldLiteral as exc:
            if attempt == 2:
                raise IndexLocked(
                    f"{exc}, and an update of the index is under way",
                    "search again when the update has finished",
                ) from exc
            if _writer_running(folder):
                time.sleep(0.2)  # the update under way writes a new one
            else:
                _heal(folder)
            manifest = load_manifest(folder)
        except FileNotFoundError:
            if attempt == 2:
                break
            time.sleep(0.2)  # a concurrent update replaced it: read the manifest again
            manifest = load_manifest(folder)
            if not (folder / f"literal-{manifest.generation}").exists() and not _writer_running(
                folder
            ):
                _heal(folder)
                manifest = load_manifest(folder)
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(
                f"the index at {folder} is damaged ({exc})",
                f"rebuild it: govsearch index --rebuild --index {folder}",
            ) from exc
    raise IndexCorrupt(
        f"the index at {folder} is missing its literal part",
        f"rebuild it: govsearch index --rebuild --index {folder}",
    )


def _writer_running(folder: Path) -> bool:
    from whoosh import index as windex

    ix = windex.open_dir(str(folder), INDEX_NAME, readonly=True)
    lock = ix.storage.lock(INDEX_NAME + "_WRITELOCK")
    if lock.acquire(blocking=False):
        lock.release()
        return False
    return True


def _heal(folder: Path) -> None:
    """An update was interrupted after its Whoosh commit: finish its derived files."""
    from search.indexing import IndexReport, _finish

    ix, manifest = open_index(folder)
    _finish(ix, folder, manifest, IndexReport())


def _filters(options: Options) -> list[query.Node]:
    out: list[query.Node] = []
    if options.issuer:
        out.append(query.Term(analysis.normalize(options.issuer).strip(), "issuer"))
    if options.since or options.until:
        low = query.parse_dates(options.since).low if options.since else ""
        high = query.parse_dates(options.until).high if options.until else ""
        if low and high and low > high:
            raise BadInput(
                f"--since {options.since} is after --until {options.until}",
                "give the earlier date to --since",
            )
        out.append(query.DateRange(low, high))
    return out


def _ranking_words(terms: list[str]) -> list[str]:
    words: dict[str, None] = {}
    for term in terms:
        for word in analysis.query_words(term):
            words.setdefault(word, None)
        words.setdefault(term, None)
    return list(words)


def _relaxable_units(node: query.Node) -> tuple[list[str], list[query.Node]]:
    """What a partial match must hold one of, and what stays required beside it: field
    filters and quoted phrases (a phrase is never relaxed).

    Several keywords: a partial match holds whole keywords, never a fragment of one.  A single
    keyword (a typed question, one run of text without spaces): its jieba words, without words
    of one character, bare numbers and question words (they would match nearly everything).
    No relaxation (``[]``) when the query holds OR or NOT.
    """
    parts = node.children if isinstance(node, query.And) else (node,)
    keywords = [p for p in parts if isinstance(p, query.Term) and p.field == "text"]
    keywords = [k for k in keywords if not k.phrase]
    units: dict[str, None] = {}
    filters: list[query.Node] = []
    for part in parts:
        if isinstance(part, query.Term) and part.field == "text" and part.phrase:
            filters.append(part)
        elif isinstance(part, query.Term) and part.field == "text" and len(keywords) > 1:
            units.setdefault(part.text, None)
        elif isinstance(part, query.Term) and part.field == "text":
            for word in analysis.query_words(part.text):
                if len(word) > 1 and not word.isdigit() and word not in _STOP:
                    units.setdefault(word, None)
        elif isinstance(part, query.Term | query.DateRange):
            filters.append(part)
        else:
            return [], []
    return list(units), filters


def _joined(terms: list[str]) -> str:
    out = terms[0]
    for term in terms[1:]:
        sep = " " if out[-1].isascii() and out[-1].isalnum() and term[0].isascii() else ""
        out += sep + term
    return out


def _per_doc(order: list[int], lit: LiteralIndex, cap: int, page: int) -> list[int]:
    """At most ``cap`` passages of one document on the first page; the rest keep their order."""
    if not cap:
        return order
    doc_of = lit.docinfo
    first: list[int] = []
    rest: list[int] = []
    seen: dict[int, int] = {}
    for docnum in order:
        doc = int(doc_of[docnum, 0])
        if len(first) < page and seen.get(doc, 0) < cap:
            seen[doc] = seen.get(doc, 0) + 1
            first.append(docnum)
        else:
            rest.append(docnum)
    return first + rest
