"""Incremental updates by content hash, rebuilds, fingerprints, bad input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from search import analysis
from search.errors import IndexNotFound, IndexOutdated
from search.searching import Options, Searcher
from search.store.manifest import Manifest
from search.store.writer import update


def _ids(folder: Path, text: str) -> list[str]:
    with Searcher(folder) as searcher:
        return [h.document.doc_id for h in searcher.search(text, Options(limit=0, per_doc=0)).hits]


def test_add_change_delete_touch_only_those(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    first = update(folder, [corpus])
    assert (first.added, first.changed, first.removed, first.unchanged) == (4, 0, 0, 0)
    assert (first.documents, first.passages) == (5, 27)

    again = update(folder)
    assert (again.added, again.changed, again.removed, again.unchanged) == (0, 0, 0, 4)

    (corpus / "new.txt").write_text("关于航天产业的通知\n\n支持商业航天发展。\n", encoding="utf-8")
    (corpus / "broken.txt").write_text("以旧换新政策延续。\n", encoding="utf-8")
    (corpus / "news.jsonl").unlink()
    report = update(folder)
    assert (report.added, report.changed, report.removed, report.unchanged) == (1, 1, 1, 2)
    assert _ids(folder, "航天") == ["corpus/new.txt", "corpus/new.txt"]
    assert _ids(folder, "以旧换新") == ["corpus/broken.txt"]
    assert _ids(folder, "国务院") == []


def test_touched_but_identical_file_is_unchanged(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    path = corpus / "pages.md"
    os.utime(path, ns=(1, 1))
    report = update(folder)
    assert (report.changed, report.unchanged) == (0, 4)


def test_unreadable_file_is_reported_and_rest_indexed(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    (corpus / "bin.txt").write_bytes(b"\x00\x01\x02")
    report = update(folder, [corpus])
    assert report.added == 4
    assert report.failed == ["corpus/bin.txt: binary file"]
    assert not report.indexed_nothing


def test_nothing_indexable_is_reported(tmp_path: Path) -> None:
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01")
    report = update(tmp_path / "index", [tmp_path / "bin.txt"])
    assert report.indexed_nothing


def test_changed_dictionary_marks_index_outdated(fresh: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    userdict = tmp_path / "dict.txt"
    userdict.write_text("便民生活 100 n\n", encoding="utf-8")
    analysis.configure("rjieba", userdict)
    with pytest.raises(IndexOutdated, match="rebuild"):
        Searcher(folder)
    report = update(folder, rebuild=True)
    assert report.added == 4
    manifest = Manifest.load(folder)
    assert manifest is not None and manifest.fingerprint["userdict"] == str(userdict)


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFound, match="govsearch index"):
        Searcher(tmp_path / "none")


def test_empty_folder_and_missing_path_are_reported(
    fresh: tuple[Path, Path], tmp_path: Path
) -> None:
    corpus, folder = fresh
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "logo.png").write_bytes(b"\x89PNG")
    report = update(folder, [empty])
    assert report.failed == [f"{empty}: no documents to index (.txt .md .html .pdf .docx .jsonl)"]
    assert report.indexed_nothing
    report = update(folder, [corpus, tmp_path / "nope"])
    assert report.added == 4
    assert report.failed == [f"{tmp_path / 'nope'}: no such file or folder"]
    assert not report.indexed_nothing


def test_refresh_after_a_root_folder_is_deleted_removes_its_documents(
    fresh: tuple[Path, Path], tmp_path: Path
) -> None:
    corpus, folder = fresh
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.txt").write_text("航天通知。\n", encoding="utf-8")
    update(folder, [corpus, other])
    assert _ids(folder, "航天") == ["other/a.txt"]
    for child in other.iterdir():
        child.unlink()
    other.rmdir()
    report = update(folder)
    assert (report.removed, report.unchanged, report.failed) == (1, 4, [])
    assert _ids(folder, "航天") == []
    manifest = Manifest.load(folder)
    assert manifest is not None and str(other.resolve()) not in manifest.roots


def test_whoosh_index_holds_jieba_terms_with_search_mode_sub_words(built: Path) -> None:
    from whoosh import index as windex
    from whoosh import query as wquery

    from search.store.manifest import INDEX_NAME

    ix = windex.open_dir(str(built), INDEX_NAME)
    with ix.searcher() as searcher, Searcher(built) as view:
        # Whoosh's passage numbers are the view's: its stored fields say which passage it is
        def found(term: str) -> list[dict[str, object]]:
            hits = searcher.search(wquery.Term("text", term), limit=None)
            return [view.literal.stored(hit.docnum) for hit in hits]

        # 促消费 is one jieba word; its sub-word 消费 is a term of that passage too
        texts = {stored["text"] for stored in found("消费")}
        assert "会议指出,要持续扩大内需,促消费稳增长。" in texts
        assert [stored["doc_id"] for stored in found("促消费")] == ["news-001"]


def test_the_index_folder_itself_is_not_indexed(tmp_path: Path) -> None:
    (tmp_path / "notice.txt").write_text("关于促消费的通知。\n", encoding="utf-8")
    folder = tmp_path / "index"
    folder.mkdir()
    (folder / "README.md").write_text("# 索引目录说明\n", encoding="utf-8")
    report = update(folder, [tmp_path])
    assert (report.added, report.documents) == (1, 1)


def test_nothing_changed_commits_nothing(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    update(folder, [corpus])
    before = sorted(p.name for p in folder.iterdir())
    report = update(folder)
    assert (report.unchanged, report.documents, report.passages) == (4, 5, 27)
    assert sorted(p.name for p in folder.iterdir()) == before  # same generation, same files


def test_keyword_lookups_are_remembered_read_only(built: Path) -> None:
    with Searcher(built) as searcher:
        first = searcher.literal.matches("消费")
        assert searcher.literal.matches("消费") is first
        assert not first.flags.writeable
