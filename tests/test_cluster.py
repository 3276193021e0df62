"""Issue #14 on a real Ray cluster (the ``cluster`` extra): a head and two worker nodes on this
machine, as Ray's own tests build them.  A 3-shard index indexes by Ray tasks equals the one-shard
index; searched by Ray actors, it ranks as one index; an actor killed during a batch is
restarted by Ray and the query retried; a shard that stays down fails the search, or, with
``allow_partial``, is named while the others answer."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # 127.0.0.1 only: before Ray
os.environ.setdefault("RAY_AUTH_MODE", "token")
ray = pytest.importorskip("ray", reason="the cluster extra is not installed")

from search.cluster import ClusterSearcher, ShardDown  # noqa: E402
from search.query.plan import Options  # noqa: E402
from search.searching import Searcher  # noqa: E402
from search.store import shards  # noqa: E402
from search.store.sharded import update  # noqa: E402
from tests.conftest import write_corpus  # noqa: E402

pytestmark = pytest.mark.slow
QUERIES = ["消费", "以旧换新", "消费 活动", "如何开展促消费活动带动销售额增长", "灯", "5G"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A head and two worker nodes on 127.0.0.1."""
    from ray.cluster_utils import Cluster

    made = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    made.add_node(num_cpus=1)
    made.add_node(num_cpus=1)
    made.wait_for_nodes()
    ray.init(address=made.address, include_dashboard=False, log_to_driver=False)
    yield made.address
    ray.shutdown()
    made.shutdown()


@pytest.fixture(scope="module")
def indexes(cluster: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cluster")
    corpus = write_corpus(root)
    shutil.copytree(Path(__file__).parent.parent / "seeds", corpus / "seeds")
    one, three = root / "one", root / "three"
    update(one, [corpus])
    report = update(three, [corpus], count=3, ray=cluster)
    assert (report.added, report.documents) == (6, 7)
    return one, three


def _rows(result: object) -> list[tuple[object, ...]]:
    return [
        (h.rank, h.document.doc_id, h.passage.line, h.spans, round(h.score, 9))
        for h in result.hits  # type: ignore[attr-defined]
    ]


def test_ray_tasks_build_the_same_collection_in_three_shards(indexes: tuple[Path, Path]) -> None:
    one, three = indexes
    assert shards.recorded(three) == 3
    with Searcher(one) as single, Searcher(three) as sharded:
        assert sharded.literal.document_count() == single.literal.document_count() == 7
        for query in QUERIES:
            assert _rows(sharded.search(query)) == _rows(single.search(query))


def test_ray_actors_rank_as_one_index(cluster: str, indexes: tuple[Path, Path]) -> None:
    one, three = indexes
    with Searcher(one) as single, ClusterSearcher(three, cluster) as actors:
        for query in QUERIES:
            for options in (Options(), Options(limit=0), Options(distinct="file", limit=0)):
                want, got = single.search(query, options), actors.search(query, options)
                assert _rows(got) == _rows(want)
                assert (got.total, got.strict_total) == (want.total, want.strict_total)
            assert actors.count(query, Options()) == single.count(query, Options())


def test_a_shard_actor_killed_during_a_batch_is_restarted_and_the_query_retried(
    cluster: str, indexes: tuple[Path, Path]
) -> None:
    from search import batch

    one, three = indexes
    items = batch.parse("\n".join(QUERIES).encode(), Options())
    written: list[tuple[str, list[tuple[object, ...]]]] = []

    def write(qid: str, hits: list[Any]) -> None:
        written.append((qid, _rows(SimpleNamespace(hits=hits))))
        if qid == "2":  # the batch goes on with a shard's actor dead
            ray.kill(actors.shards.actors[1], no_restart=False)

    with ClusterSearcher(three, cluster) as actors:
        report = batch.run(actors, items, write, lambda bad: None)  # type: ignore[arg-type]
        assert actors.retried == 1 and actors.missing == []
    assert (report.queries, report.bad) == (len(QUERIES), [])
    with Searcher(one) as single:
        want = [(str(n), _rows(single.search(q))) for n, q in enumerate(QUERIES, 1)]
    assert written == want


def test_a_shard_that_stays_down_fails_the_search_or_is_named(
    cluster: str, indexes: tuple[Path, Path]
) -> None:
    _, three = indexes
    with ClusterSearcher(three, cluster) as actors:
        ray.kill(actors.shards.actors[2], no_restart=True)
        with pytest.raises(ShardDown) as caught:
            actors.search("消费")
        assert caught.value.message.startswith("shard shard-2 did not answer")
    with ClusterSearcher(three, cluster, allow_partial=True) as actors:
        ray.kill(actors.shards.actors[2], no_restart=True)
        result = actors.search("消费", Options(limit=0))
        assert actors.missing == ["shard-2"]
        ids = {h.document.doc_id for h in result.hits}
        assert ids and all(shards.shard_of(i, 3) != 2 for i in ids)


def test_cluster_up_keeps_named_actors_that_later_searches_find(
    cluster: str, indexes: tuple[Path, Path]
) -> None:
    from search.cluster import service

    one, three = indexes
    folders = shards.folders(three)
    assert [s.state for s in service.status(cluster, folders)] == ["none"] * 3
    states = service.up(three, cluster, folders)
    assert [(s.shard, s.state, s.generation) for s in states] == [
        (f"shard-{k}", "ALIVE", 1) for k in range(3)
    ]
    with Searcher(one) as single, ClusterSearcher(three, cluster) as actors:
        assert actors.shards.owned == []  # the long-lived ones, not new ones
        assert _rows(actors.search("消费")) == _rows(single.search("消费"))
    assert [s.state for s in service.status(cluster, folders)] == ["ALIVE"] * 3
    assert service.down(cluster, folders) == 3
    assert [s.state for s in service.status(cluster, folders)] == ["none"] * 3


def test_stats_names_the_node_of_each_shard_s_actor(
    cluster: str, indexes: tuple[Path, Path]
) -> None:
    import json

    from typer.testing import CliRunner

    from search.cli import app

    _, three = indexes
    done = CliRunner().invoke(app, ["stats", "--json", "--index", str(three), "--ray", cluster])
    assert done.exit_code == 0, done.stderr
    shards_seen = json.loads(done.stdout)["shards"]
    assert [(s["name"], s["node"]) for s in shards_seen] == [
        (f"shard-{k}", "127.0.0.1") for k in range(3)
    ]


def test_facets_summed_over_shard_actors_equal_one_index(
    cluster: str, indexes: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from search.facets import search_facets

    one, three = indexes
    monkeypatch.chdir(one.parent)
    names = ("issuer", "year", "month", "format", "folder")
    with Searcher(one) as single, ClusterSearcher(three, cluster) as actors:
        for query in ("消费", "以旧换新"):
            assert search_facets(actors, query, Options(), names) == search_facets(
                single, query, Options(), names
            )


def test_a_build_task_killed_midway_is_retried_by_ray_and_completes(
    cluster: str, indexes: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, _ = indexes
    corpus = one.parent / "corpus"
    marker = tmp_path / "fired"
    monkeypatch.setenv("GOVSEARCH_FAULT", "manifest")  # a worker dies before its first commit
    monkeypatch.setenv("GOVSEARCH_FAULT_ONCE", str(marker))
    folder = one.parent / "three-killed"  # beside the others: the same document ids
    report = update(folder, [corpus], count=3, ray=cluster)
    assert marker.exists()  # one task was killed (and Ray ran it again)
    assert (report.added, report.documents) == (6, 7)
    with Searcher(one) as single, Searcher(folder) as sharded:
        for query in QUERIES:
            assert _rows(sharded.search(query)) == _rows(single.search(query))
