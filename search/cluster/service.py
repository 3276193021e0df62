"""``govsearch cluster up|down|status``: the long-lived search actors of a sharded index, one
per shard, named after the shard's folder, so that every later ``search``/``batch --ray``
finds its shards open."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from search.cluster import LOOPBACK_ONLY, NAMESPACE, RayShards, actor_name, connect
from search.errors import BadInput


@dataclass(frozen=True)
class ActorState:
    shard: str
    state: str  # ALIVE, RESTARTING, DEAD, or "none"
    node: str
    generation: int  # the commit it searches (-1: unknown)


def start_head() -> str:
    """Start a Ray head on this machine, listening on 127.0.0.1 only; its address."""
    ray_cli = shutil.which("ray")
    if ray_cli is None:
        raise BadInput("the ray command is not installed", "pip install 'govsearch[cluster]'")
    env = {**os.environ, LOOPBACK_ONLY: "0", "RAY_AUTH_MODE": "token"}
    command = [ray_cli, "start", "--head", "--node-ip-address=127.0.0.1", "--disable-usage-stats"]
    done = subprocess.run(
        [*command, "--include-dashboard=false"], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise BadInput(f"ray start failed: {last[0]}", "see: ray start --head --help")
    return "auto"


def up(folder: Path, address: str | None, folders: list[Path]) -> list[ActorState]:
    """Start (or find) the long-lived actors of every shard; their states."""
    if address in (None, "local"):
        try:
            connect("auto")
            address = "auto"
        except BadInput:  # no cluster running here yet
            address = start_head()
    shards = RayShards(address or "auto", folders, keep=True)
    shards.each("generation", [()] * len(folders))  # open now: the first search is quick
    return status(address or "auto", folders)


def down(address: str | None, folders: list[Path]) -> int:
    """End the long-lived actors of every shard; how many there were.  Returns once their
    names are free (``status`` then says none)."""
    ray = connect(address or "auto")
    ended: list[str] = []
    for folder in folders:
        try:
            ray.kill(ray.get_actor(actor_name(folder), namespace=NAMESPACE), no_restart=True)
            ended.append(actor_name(folder))
        except ValueError:
            continue
    waiting, deadline = list(ended), time.monotonic() + 30
    while waiting and time.monotonic() < deadline:  # a killed actor's name is freed a moment later
        try:
            ray.get_actor(waiting[0], namespace=NAMESPACE)
            time.sleep(0.1)
        except ValueError:
            waiting.pop(0)
    return len(ended)


def status(address: str | None, folders: list[Path]) -> list[ActorState]:
    """Each shard's long-lived actor: its state, node and the commit it searches."""
    ray = connect(address or "auto")
    out = []
    for folder in folders:
        try:
            actor = ray.get_actor(actor_name(folder), namespace=NAMESPACE)
        except ValueError:
            out.append(ActorState(folder.name, "none", "", -1))
            continue
        try:
            node, generation = ray.get([actor.node.remote(), actor.generation.remote()], timeout=60)
            out.append(ActorState(folder.name, "ALIVE", node, int(generation)))
        except Exception as exc:  # dead, or restarting
            out.append(ActorState(folder.name, type(exc).__name__, "", -1))
    return out

