"""govsearch watch: saved searches show the documents that are new since they last ran — new
or changed documents, never those a rebuild merely re-indexed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from search.cli import app

runner = CliRunner()

NEW = "大连市商务局\n\n关于汽车以旧换新补贴的通知\n\n2024年5月6日\n"


def _run(folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--index", str(folder)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def watched(fresh: tuple[Path, Path]) -> tuple[Path, Path]:
    corpus, folder = fresh
    assert _run(folder, "index", str(corpus))[0] == 0
    code, out, err = _run(folder, "watch", "add", "cars", "以旧换新")
    assert (code, out) == (0, "")
    assert err == (
        "govsearch: saved cars: 1 matching documents seen; govsearch watch shows what is new\n"
    )
    return corpus, folder


def test_a_watch_session(watched: tuple[Path, Path]) -> None:
    corpus, folder = watched
    assert _run(folder, "watch", "--color", "never") == (
        1,
        "cars (以旧换新): 0 new of 1 matching documents\n\n",
        "",
    )
    (corpus / "new.txt").write_text(NEW, encoding="utf-8")
    assert _run(folder, "index")[0] == 0
    code, out, _ = _run(folder, "watch", "run", "--color", "never")
    assert code == 0
    assert out == (
        "cars (以旧换新): 1 new of 2 matching documents\n"
        "\n"
        " 1  corpus/new.txt:3\n"
        "    2024-05-06\n"
        "    关于汽车以旧换新补贴的通知\n"
        "\n"
    )
    code, out, _ = _run(folder, "watch", "run", "--color", "never")  # seen now
    assert (code, out) == (1, "cars (以旧换新): 0 new of 2 matching documents\n\n")


def test_rebuild_brings_nothing_new_and_keeps_the_watches(watched: tuple[Path, Path]) -> None:
    _, folder = watched
    assert _run(folder, "index", "--rebuild")[0] == 0
    assert (folder / "watches.json").exists()
    assert _run(folder, "watch", "--json")[:2] == (
        1,
        '{"schema_version": 1, "watch": "cars", "query": "以旧换新", "new": 0, "documents": 1}\n',
    )


def test_a_changed_document_is_new_again(watched: tuple[Path, Path]) -> None:
    corpus, folder = watched
    broken = corpus / "broken.txt"
    broken.write_text(broken.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    assert _run(folder, "index")[0] == 0
    code, out, _ = _run(folder, "watch", "--json")
    assert code == 0
    hit, summary = (json.loads(line) for line in out.splitlines())
    assert (hit["watch"], hit["rank"], hit["location"]) == ("cars", 1, "corpus/broken.txt:3")
    assert summary == {
        "schema_version": 1,
        "watch": "cars",
        "query": "以旧换新",
        "new": 1,
        "documents": 1,
    }


def test_filters_list_and_rm(watched: tuple[Path, Path]) -> None:
    _, folder = watched
    code, _, _ = _run(
        folder, "watch", "add", "mofcom", "消费", "--issuer", "商务部", "--since", "2024"
    )
    assert code == 0
    code, out, _ = _run(folder, "watch", "list", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["watch"], r["query"], r["issuer"], r["since"], r["seen"]) for r in rows] == [
        ("cars", "以旧换新", None, None, 1),
        ("mofcom", "消费", "商务部", "2024", 1),
    ]
    code, out, _ = _run(folder, "watch", "list")
    assert [line.split("\t")[:2] for line in out.splitlines()] == [
        ["cars", "以旧换新"],
        ["mofcom", "消费 --issuer 商务部 --since 2024"],
    ]
    assert _run(folder, "watch", "rm", "cars") == (0, "", "govsearch: removed cars\n")
    assert _run(folder, "watch", "list")[1].startswith("mofcom\t")


def test_errors_exit_2_with_one_line(watched: tuple[Path, Path]) -> None:
    _, folder = watched
    assert _run(folder, "watch", "rm", "nope") == (
        2,
        "",
        "govsearch: error: no saved search named 'nope' — see govsearch watch list\n",
    )
    assert _run(folder, "watch", "run", "nope")[0::2] == (
        2,
        "govsearch: error: no saved search named 'nope' — see govsearch watch list\n",
    )
    assert _run(folder, "watch", "add", "cars", "消费")[0::2] == (
        2,
        "govsearch: error: a saved search named 'cars' exists — "
        "remove it first: govsearch watch rm cars\n",
    )
    assert _run(folder, "watch", "add", "two words", "消费")[0::2] == (
        2,
        "govsearch: error: bad watch name 'two words' — "
        "use up to 64 letters, digits, '_', '-' or '.'\n",
    )
    code, _, err = _run(folder, "watch", "add", "bad", "消费", "--since", "tomorrow")
    assert code == 2 and err.count("\n") == 1 and "tomorrow" in err
    assert json.loads((folder / "watches.json").read_text(encoding="utf-8"))["watches"].keys() == {
        "cars"
    }


def test_damaged_file_is_one_line(watched: tuple[Path, Path]) -> None:
    _, folder = watched
    (folder / "watches.json").write_text("{not json", encoding="utf-8")
    code, out, err = _run(folder, "watch")
    assert (code, out) == (2, "")
    assert err.startswith(f"govsearch: error: the saved searches in {folder / 'watches.json'}")
    assert err.endswith("fix or remove that file (it holds only the saved searches)\n")


def test_no_watches_yet(fresh: tuple[Path, Path]) -> None:
    corpus, folder = fresh
    _run(folder, "index", str(corpus))
    assert _run(folder, "watch") == (
        1,
        "",
        "govsearch: no saved searches — add one: govsearch watch add NAME QUERY\n",
    )
    assert _run(folder, "watch", "list") == (
        0,
        "",
        "govsearch: no saved searches — add one: govsearch watch add NAME QUERY\n",
    )


def test_keys_of_a_later_version_are_ignored(watched: tuple[Path, Path]) -> None:
    _, folder = watched
    saved = json.loads((folder / "watches.json").read_text(encoding="utf-8"))
    saved["watches"]["cars"]["colour"] = "red"
    (folder / "watches.json").write_text(json.dumps(saved), encoding="utf-8")
    assert _run(folder, "watch", "--json")[:2] == (
        1,
        '{"schema_version": 1, "watch": "cars", "query": "以旧换新", "new": 0, "documents": 1}\n',
    )


def test_document_keys_survive_a_rebuild(fresh: tuple[Path, Path]) -> None:
    from search.searching import Searcher
    from search.store.writer import update
    from search.watch import document_key, document_keys

    corpus, folder = fresh
    update(folder, [corpus])

    def keys() -> dict[str, str]:
        with Searcher(folder) as s:
            view = s.literal
            return {view.document(n)["doc_id"]: document_key(view, n) for n in range(5)}

    before = keys()
    update(folder, None, rebuild=True)
    assert keys() == before
    assert len(set(before.values())) == 5
    with Searcher(folder) as s:  # read segment by segment, the same keys
        numbers = np.arange(5)
        assert document_keys(s.literal, numbers) == [document_key(s.literal, n) for n in range(5)]


def test_options_before_the_sub_command(watched: tuple[Path, Path]) -> None:
    _, folder = watched
    result = runner.invoke(app, ["watch", "--index", str(folder), "--json", "run"])
    assert (result.exit_code, result.stdout) == (
        1,
        '{"schema_version": 1, "watch": "cars", "query": "以旧换新", "new": 0, "documents": 1}\n',
    )
    result = runner.invoke(app, ["watch", "--index", str(folder), "--json", "list"])
    assert json.loads(result.stdout)["watch"] == "cars"
    result = runner.invoke(app, ["watch", "--index", str(folder), "rm", "cars"])
    assert (result.exit_code, result.stderr) == (0, "govsearch: removed cars\n")
