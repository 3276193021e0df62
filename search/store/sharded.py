"""Updating a sharded index: every shard is updated as a complete index of its own (routing
documents by ``doc_id``), one after another in this process, or as Ray tasks
(``search.cluster``) with ``--ray``."""

from __future__ import annotations

import time
from pathlib import Path

from search.store import shards, writer
from search.store.shards import Route
from search.store.writer import IndexReport, Notice, Progress


def update(
    folder: Path,
    paths: list[Path] | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
    notice: Notice | None = None,
    count: int | None = None,
    ray: str | None = None,
) -> IndexReport:
    """Bring the index at ``folder`` up to date: with one shard, as ``writer.update``; with
    several (``count``, or as recorded), every shard in turn, or on Ray at ``ray``."""
    started = time.perf_counter()
    count = shards.check_count(folder, count, rebuild)
    if count == 1 and (rebuild or not shards.is_sharded(folder)):
        if ray and notice:
            notice("one shard: updated in this process (--shards N builds N shards on Ray)")
        return writer.update(folder, paths, rebuild, progress, notice)  # the plain layout

    def build(
        target: Path,
        roots: list[Path] | None,
        again: bool,
        shown: Progress | None,
        told: Notice | None,
    ) -> IndexReport:
        shards.record(target, count)
        if ray:
            from search.cluster import build_on_ray

            reports = build_on_ray(ray, target, roots, count, told)
        else:
            reports = [
                writer.update(
                    shards.shard_folder(target, k), roots, again, shown, told, Route(count, k)
                )
                for k in range(count)
            ]
        shards.record(target, count)  # its time is the update's (``stats``' freshness check)
        total = IndexReport()
        for report in reports:
            total += report
        return total

    if rebuild:
        report = writer.rebuild_beside(folder, paths, progress, notice, build)
    else:
        report = build(folder, paths or _roots(folder), False, progress, notice)
    report.seconds = time.perf_counter() - started
    return report


def _roots(folder: Path) -> list[Path] | None:
    """The collection every shard refreshes: the roots any shard recorded (a shard whose first
    update was interrupted has none yet)."""
    from search.store.manifest import Manifest

    roots: list[str] = []
    for shard in shards.folders(folder) if shards.is_sharded(folder) else []:
        found = Manifest.load(shard) if shard.is_dir() else None
        roots += [r for r in (found.roots if found else []) if r not in roots]
    return [Path(r) for r in roots] or None
