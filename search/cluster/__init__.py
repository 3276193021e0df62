"""Shards on Ray (the ``cluster`` extra): each shard is built as a Ray task, and searched by a
Ray actor that keeps it open between queries.  Scheduling, retries and moving data are Ray's:
this module only says what runs where.

The index folder and the collection must be on a filesystem every node sees (one machine, or
a network filesystem mounted at the same path on every node): a shard's task and its actor
open the shard's folder there.  Imported only when ``--ray`` (or ``$GOVSEARCH_RAY``) asks for
Ray.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from search.errors import BadInput, SearchError
from search.query.plan import Options
from search.store.writer import IndexReport, Notice

LOCAL = "local"
NAMESPACE = "govsearch"
# Ray binds its servers to the loopback address when it thinks clusters are off (as on macOS)
LOOPBACK_ONLY = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


class ShardDown(SearchError):
    """A shard's actor died and could not answer."""

    def __init__(self, shard: str, detail: str) -> None:
        super().__init__(
            f"shard {shard} did not answer ({detail})",
            "search again; with --allow-partial, answer from the other shards",
        )
        self.shard = shard


def _ray(local: bool = False) -> Any:
    # a cluster asks for its token (Ray 2.60 does so for local clusters only by default);
    # RAY_AUTH_MODE=disabled joins one that does not
    os.environ.setdefault("RAY_AUTH_MODE", "token")
    if local:  # Ray's servers then bind 127.0.0.1 only (read when Ray is imported)
        os.environ.setdefault(LOOPBACK_ONLY, "0")
    try:
        import ray
    except ImportError:
        raise _missing() from None
    return ray


def _missing() -> BadInput:
    return BadInput(
        "Ray is not installed (shards on Ray, govsearch cluster)",
        "pip install 'govsearch[cluster]'",
    )


def connect(address: str) -> Any:
    """Join the Ray cluster at ``address`` (``auto``: the one running here, as ``ray start``
    recorded it; ``local``: start one for this command, listening on 127.0.0.1 only).
    Returns the ``ray`` module."""
    import importlib.util

    if importlib.util.find_spec("ray") is None:
        raise _missing()
    if address == "auto":
        address = _running()
    loopback = address == LOCAL or address.rpartition(":")[0] in ("127.0.0.1", "localhost")
    ray = _ray(local=loopback)
    if ray.is_initialized():
        return ray
    if address != LOCAL:
        _reachable(address)
    options: dict[str, Any] = {
        "namespace": NAMESPACE,
        "include_dashboard": False,
        "log_to_driver": False,
        "configure_logging": False,
    }
    try:
        if address == LOCAL:
            ray.init(**options)
        else:
            ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise BadInput(
            f"cannot join the Ray cluster at {address} ({str(exc).splitlines()[0]})",
            "start it first (govsearch cluster up, or ray start --head) or use --ray local",
        ) from None
    return ray


def _running() -> str:
    """The address of the Ray cluster running here: ``$RAY_ADDRESS``, else what the last
    ``ray start`` recorded (Ray's own rule for ``auto``)."""
    import tempfile

    found = os.environ.get("RAY_ADDRESS", "")
    if not found:
        try:
            recorded = Path(tempfile.gettempdir(), "ray", "ray_current_cluster")
            found = recorded.read_text(encoding="utf-8").strip()
        except OSError:
            found = ""
    if not found:
        raise BadInput(
            "no Ray cluster is running here", "start one: govsearch cluster up, or use --ray local"
        )
    return found


def _reachable(address: str) -> None:
    """Fail at once, not after Ray's minutes of retries, when nothing listens at ``address``."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=3).close()
    except (OSError, ValueError):
        raise BadInput(
            f"no Ray cluster answers at {address}",
            "start one (govsearch cluster up, or ray start --head) or use --ray local",
        ) from None


def _build_shard(
    folder: str, roots: list[str] | None, count: int, shard: int, engine: str, userdict: str
) -> IndexReport:
    """A Ray task: update one shard (with the update's analyzer) as a complete index."""
    from search import analysis
    from search.store import writer
    from search.store.shards import Route, shard_folder

    analysis.configure(engine, Path(userdict) if userdict else None)
    os.environ.setdefault("GOVSEARCH_JOBS", "1")  # Ray runs one task per CPU: no more workers
    paths = [Path(r) for r in roots] if roots else None
    target = shard_folder(Path(folder), shard)
    return writer.update(target, paths, False, None, None, Route(count, shard))


def build_on_ray(
    address: str, folder: Path, roots: list[Path] | None, count: int, notice: Notice | None
) -> list[IndexReport]:
    """Update every shard of the index at ``folder`` as a Ray task (Ray retries a task whose
    worker died; the shard's previous commit stays until a task commits)."""
    from search import analysis
    from search.store import faults

    ray = connect(address)
    task = ray.remote(max_retries=2, num_cpus=1)(_build_shard)
    injected = {k: os.environ[k] for k in (faults.ENV, faults.ONCE) if k in os.environ}
    if injected:  # the crash tests' faults reach the tasks
        task = task.options(runtime_env={"env_vars": injected})
    analyzer = analysis.current()
    userdict = str(analyzer.userdict.resolve()) if analyzer.userdict else ""
    given = [str(r.resolve()) for r in roots] if roots else None
    refs = [
        task.remote(str(folder.resolve()), given, count, k, analyzer.engine, userdict)
        for k in range(count)
    ]
    reports: list[IndexReport] = []
    for k, ref in enumerate(refs):
        try:
            reports.append(_get(ray, ref, f"shard-{k}"))
        except SearchError:
            raise
        except ray.exceptions.RayError as exc:  # its worker died at every try
            raise SearchError(
                f"shard-{k} could not be updated on Ray ({type(exc).__name__})",
                "run the same command again: every shard keeps its last commit",
            ) from None
        if notice:
            notice(f"shard-{k} of {count} updated on Ray")
    return reports


def _get(ray: Any, ref: Any, shard: str) -> Any:
    """A task's answer; its own errors (a user mistake, a damaged file) as they were raised."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, SearchError):
            raise type(cause)(cause.message, cause.hint) from None
        raise
    except ray.exceptions.RayActorError as exc:
        raise ShardDown(shard, type(exc).__name__) from None


def actor_name(shard: Path) -> str:
    """The name of the long-lived actor of a shard (``govsearch cluster up``)."""
    return f"govsearch:{shard.resolve()}"


class RayShards:
    """One Ray actor per shard, each keeping its shard open (``ShardSearch``): the long-lived
    ones ``govsearch cluster up`` started (found by name), else ones of this command's own,
    ended with it.  Ray restarts an actor that dies (``ClusterSearcher`` retries the query)."""

    def __init__(self, address: str, folders: Sequence[Path], keep: bool = False) -> None:
        from search.query.shard import ShardSearch

        self.ray = ray = connect(address)
        actor = ray.remote(max_restarts=-1, max_task_retries=0, num_cpus=0)(ShardSearch)
        self.names = [f.name for f in folders]
        self.actors: list[Any] = []
        self.owned: list[Any] = []  # the actors this command started, and ends
        for folder in folders:
            try:
                self.actors.append(ray.get_actor(actor_name(folder), namespace=NAMESPACE))
                continue
            except ValueError:  # none running
                pass
            options: dict[str, Any] = {}
            if keep:
                options = {"name": actor_name(folder), "namespace": NAMESPACE}
                options["lifetime"] = "detached"
            self.actors.append(actor.options(**options).remote(str(folder.resolve())))
            if not keep:
                self.owned.append(self.actors[-1])

    def each(self, method: str, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        refs = [getattr(a, method).remote(*x) for a, x in zip(self.actors, args, strict=True)]
        return [_get(self.ray, ref, name) for ref, name in zip(refs, self.names, strict=True)]

    def some(self, calls: dict[int, tuple[str, tuple[Any, ...]]]) -> dict[int, Any]:
        refs = {k: getattr(self.actors[k], m).remote(*a) for k, (m, a) in calls.items()}
        return {k: _get(self.ray, ref, self.names[k]) for k, ref in refs.items()}

    def close(self) -> None:
        for actor in self.owned:
            self.ray.kill(actor)


class ClusterSearcher:
    """A sharded index searched by Ray actors, with ``Searcher``'s ``search``, ``stream`` and
    ``count``.  A query a dead actor could not answer is run again once (Ray restarts the
    actor); if a shard still cannot answer, the search fails naming it, or, with
    ``allow_partial``, answers from the other shards and names it in ``missing``."""

    def __init__(self, folder: Path, address: str, allow_partial: bool = False) -> None:
        from search.store.shards import folders

        self.folder = folder
        self.allow_partial = allow_partial
        self.shards = RayShards(address, folders(folder))
        self.missing: list[str] = []
        self.retried = 0  # queries run again after a shard's actor died
        self._fan: Any = None

    def _fanout(self) -> Any:
        from search.query.fanout import FanOut

        if self._fan is None:
            self._fan = FanOut(self.shards, self.folder)
        return self._fan

    def _run(self, work: Any) -> Any:
        for attempt in range(2):
            try:
                return work(self._fanout())
            except ShardDown as exc:
                self._fan = None  # a restarted actor learns the collection's order again
                if attempt == 0:
                    self.retried += 1
                    continue
                if not self.allow_partial or len(self.shards.names) == 1:
                    raise
                self._drop(exc.shard)
                return self._run(work)
        raise AssertionError("unreachable")

    def _drop(self, shard: str) -> None:
        k = self.shards.names.index(shard)
        del self.shards.names[k], self.shards.actors[k]
        self.missing.append(shard)

    def search(self, text: str, options: Options = Options()) -> Any:
        return self._run(lambda fan: fan.search(text, options))

    def stream(self, text: str, options: Options = Options()) -> Any:
        return self.search(text, options)  # ranked (and retried) before anything is printed

    def facets(self, text: str, options: Options, names: tuple[str, ...]) -> Any:
        """Every shard's facet counts, summed (exact: a document is in one shard)."""
        from search.config import display_path
        from search.facets import Facet, Facets, merge

        n = len(self.shards.names)
        found = self._run(lambda _: merge(self.shards.each("facets", [(text, options, names)] * n)))
        # an actor names folders as absolute paths (its working folder is Ray's): as typed here
        return Facets(
            found.documents,
            tuple(
                Facet(f.name, tuple((display_path(v), c) for v, c in f.counts))
                if f.name == "folder"
                else f
                for f in found.facets
            ),
        )

    def count(self, text: str, options: Options = Options()) -> int:
        return int(self._run(lambda fan: fan.count(text, options)))

    def close(self) -> None:
        self.shards.close()

    def __enter__(self) -> ClusterSearcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
